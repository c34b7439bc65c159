"""The order store's ports implemented in SQL: orders and conversations, cases, hand-offs, proofs, budgets,
and what the law asks of them (retention, erasure)."""
