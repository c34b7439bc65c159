"""The web chat page at /chat: customers chat from a shop's site or mini-program in their browser."""
