"""A chat's traffic as the store keeps it: deliveries in (inbox), replies and relays out (outgoing), pictures,
platform cursors, the transcript a web page reads, case moves to tell, and customers' delay notices."""
