"""The shop's reports: their figures, read from the store."""
