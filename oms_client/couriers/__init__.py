"""Parcel tracking from the couriers' aggregators (快递100, 快递鸟): subscriptions, their pushes, and queries."""
