"""Vietnamese full-text search behind a small index interface (Whoosh implementation).

A library: it imports neither Flask nor the database. Classified documents never enter it.
"""
