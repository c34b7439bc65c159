"""Alerts in the store: the scans' queries, the lifecycle that opens, updates and resolves alerts, the ops
desk's actions, and the outbox their pushes wait in."""
