"""A hardship report's cause and start in columns of their own (issue 13).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

- ``hardship_reports.cause`` and ``hardship_reports.started_on``: what changed (job_loss,
  illness…) and since when, as /hardship asked. They were kept in ``text`` as
  ``job_loss since 2026-11-20`` and read back with a pattern; such rows move to the columns
  and their ``text`` becomes NULL. Any other text (a reminder's "I can't pay", a message the
  user wrote) stays where it is, with no cause. The downgrade writes the text back.
- ``hardship_reports.source``: how the report came — ``hardship`` (the questions) or
  ``reminder`` (a tap on a reminder's "I can't pay"). Reminder taps were told apart by the text
  ``reported from a reminder``; those rows get ``reminder`` and lose the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The causes /hardship offered when the text held them (tracker.parsing.hardship_text.Cause).
CAUSES = frozenset({"job_loss", "income_drop", "illness", "family", "other"})
#: The text a reminder's "I can't pay" wrote before the source column.
REMINDER_TEXT = "reported from a reminder"
#: The text the flow wrote: the cause and, from the first version on, since when.
TEXT = re.compile(r"(?P<cause>[a-z_]+)(?: since (?P<since>[0-9]{4}-[0-9]{2}-[0-9]{2}))?")

reports = sa.table(
    "hardship_reports",
    sa.column("id", sa.BigInteger()),
    sa.column("text", sa.Text()),
    sa.column("cause", sa.String(length=32)),
    sa.column("started_on", sa.Date()),
    sa.column("source", sa.String(length=32)),
)


def upgrade() -> None:
    with op.batch_alter_table("hardship_reports") as batch:
        batch.add_column(sa.Column("cause", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("source", sa.String(length=32), nullable=False, server_default="hardship")
        )
    connection = op.get_bind()
    connection.execute(
        sa.update(reports)
        .where(reports.c.text == REMINDER_TEXT)
        .values(source="reminder", text=None)
    )
    found = connection.execute(
        sa.select(reports.c.id, reports.c.text).where(reports.c.text.is_not(None))
    ).all()
    for report_id, text in found:
        match = TEXT.fullmatch(text)
        if match is None or match["cause"] not in CAUSES:
            continue
        since = date.fromisoformat(match["since"]) if match["since"] else None
        connection.execute(
            sa.update(reports)
            .where(reports.c.id == report_id)
            .values(cause=match["cause"], started_on=since, text=None)
        )


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(
        sa.update(reports).where(reports.c.source == "reminder").values(text=REMINDER_TEXT)
    )
    found = connection.execute(
        sa.select(reports.c.id, reports.c.cause, reports.c.started_on).where(
            reports.c.cause.is_not(None)
        )
    ).all()
    for report_id, cause, started_on in found:
        text = cause if started_on is None else f"{cause} since {_day(started_on)}"
        connection.execute(sa.update(reports).where(reports.c.id == report_id).values(text=text))
    with op.batch_alter_table("hardship_reports") as batch:
        batch.drop_column("source")
        batch.drop_column("started_on")
        batch.drop_column("cause")


def _day(value: date | str) -> str:
    """A DATE as the drivers return it (SQLite may give the ISO string)."""
    return value if isinstance(value, str) else value.isoformat()
