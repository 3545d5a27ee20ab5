"""Storage: every fetched document, parsed report, number and finding in one SQLite file (sqlite-utils).

The database is a product surface: users query it directly (`sqlite-utils`, Datasette), so table
and column names follow the spec and the views answer the common questions.
"""
