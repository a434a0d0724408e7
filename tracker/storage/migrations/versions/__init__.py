"""Alembic revisions of the repaybot schema."""
