"""Handing a customer's chat to a person, from the customer's side: the queue, service hours, the words."""
