"""The store: SQLite through sqlite-utils (store/db.py says when a command reads it without)."""
