"""Local state in SQLite through peewee: profiles, links, cursors, runs, history, failed records, settings."""
