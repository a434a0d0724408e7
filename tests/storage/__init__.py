"""Tests of tracker.storage on SQLite and, with TEST_DATABASE_URL, PostgreSQL."""
