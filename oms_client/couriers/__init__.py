"""Parcel tracking from the couriers' aggregators (快递100 today): subscriptions, their pushes, and queries."""
