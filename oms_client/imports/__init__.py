"""Orders from outside: the platforms' own order exports (and a generic CSV) read into the store's terms.

Each platform module turns the rows of its export into `ImportedOrder`s with the platform's own column names
and status words; `reading` opens the file whatever its encoding and kind; the store writes them
(`oms_client.stores.imports`). Sources of each format are cited in `tests/fixtures/imports/README.md`.
"""
