"""Scheduled work: scan the database for what is due, send it exactly once (see README.md)."""
