"""Alembic environment and revisions; run them with tracker.storage.migrate."""
