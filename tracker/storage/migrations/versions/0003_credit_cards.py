"""Credit cards: a card's terms and its latest statement on the debt (issue 9).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

Every column is nullable and NULL for existing debts: only a credit card added with /addcard has
them (tracker.services.cards). Enums are VARCHAR(32), exact decimals TEXT, as in 0001.

- ``card_statement_day``, ``card_due_day``: 账单日 and 还款日, days of the month.
- ``card_minimum_rate``, ``card_minimum_rule``, ``card_minimum_floor_minor``: the minimum payment.
- ``card_daily_rate``, ``card_interest_on``: revolving interest; ``card_late_fee_rate``: 违约金.
- ``card_statement_date``, ``card_statement_balance_minor``, ``card_statement_interest_minor``,
  ``card_statement_late_fee_minor``, ``card_statement_overdue_minor``,
  ``card_statement_interest_from``: the statement the plan starts from.
- ``card_plan_id``: the plan version that is that statement's minimum-only projection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("card_statement_day", sa.Integer()),
    ("card_due_day", sa.Integer()),
    ("card_minimum_rate", sa.Text()),
    ("card_minimum_rule", sa.String(length=32)),
    ("card_minimum_floor_minor", sa.BigInteger()),
    ("card_daily_rate", sa.Text()),
    ("card_interest_on", sa.String(length=32)),
    ("card_late_fee_rate", sa.Text()),
    ("card_statement_date", sa.Date()),
    ("card_statement_balance_minor", sa.BigInteger()),
    ("card_statement_interest_minor", sa.BigInteger()),
    ("card_statement_late_fee_minor", sa.BigInteger()),
    ("card_statement_overdue_minor", sa.BigInteger()),
    ("card_statement_interest_from", sa.Date()),
    ("card_plan_id", sa.BigInteger()),
)


def upgrade() -> None:
    with op.batch_alter_table("debts") as batch:
        for name, type_ in _COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("debts") as batch:
        for name, _type in reversed(_COLUMNS):
            batch.drop_column(name)
