"""Urgency of outbox messages and one send rate shared by replicas (issue 12).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

- ``outbox.priority``: 0 is the most urgent (replies, overdue alerts, due-today reminders);
  the sender claims the most urgent level first, so at the morning peak nothing less urgent
  goes out before them. Existing rows get 0: they are sent as soon as they were before.
- ``send_rate``: one row per limit (e.g. ``telegram``), a token bucket kept as the theoretical
  arrival time of the next message (``tat_us``, µs since the epoch) and a pause Telegram asked
  for (``paused_until_us``); every replica reserves its sends from it, so all of them together
  keep to one rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="0")
        )
    op.create_index(
        "ix_outbox_status_priority_next_attempt",
        "outbox",
        ["status", "priority", "next_attempt_at"],
    )
    op.create_table(
        "send_rate",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("tat_us", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("paused_until_us", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_send_rate")),
    )


def downgrade() -> None:
    op.drop_table("send_rate")
    op.drop_index("ix_outbox_status_priority_next_attempt", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("priority")
