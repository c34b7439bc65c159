"""The SQL store's ground: engines (SQLite and PostgreSQL), the schema and its migrations, the JSON and time
types every table shares, the audit row, and the leases that pick one process to lead."""
