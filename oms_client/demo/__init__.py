"""Synthetic shops for demos, tests and benchmarks: deterministic orders, stock, parcels and cases in the
platforms' own number formats."""
