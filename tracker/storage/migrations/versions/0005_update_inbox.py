"""The update inbox: every Telegram update is stored before Telegram is told it arrived (issue 11).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

- ``inbox_updates``: the update's JSON by update id, kept until pruned; an update is pending until
  ``processed_updates`` holds its id (written with the update's effects), and start-up replays
  the pending ones, so a crash between "stored" and "handled" loses nothing. The sender's
  Telegram id is kept beside the JSON so /deletedata can forget what the user typed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbox_updates")),
    )
    op.create_index("ix_inbox_updates_received_at", "inbox_updates", ["received_at"])
    op.create_index("ix_inbox_updates_telegram_user_id", "inbox_updates", ["telegram_user_id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_updates_telegram_user_id", table_name="inbox_updates")
    op.drop_index("ix_inbox_updates_received_at", table_name="inbox_updates")
    op.drop_table("inbox_updates")
