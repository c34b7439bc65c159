"""Orders kept in another system: an external OMS the store asks for the orders it does not hold."""
