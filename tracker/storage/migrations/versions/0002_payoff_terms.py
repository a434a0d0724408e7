"""Early payoff, compound penalty and paid-before-tracking per debt; what a new plan counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

- ``debts.fees_on_payoff``: paying off early still owes the remaining per-period fees; NULL
  until the borrower answers, which counts as yes (the conservative answer).
- ``debts.penalty_on_interest``: penalty interest also runs on overdue interest (复利); off.
- ``debts.paid_before_tracking``: installments 1..N of the original plan were paid before the
  borrower started tracking the debt (a loan already running); 0 for existing debts.
- ``plan_versions.after_payment_id``: the last payment counted in a renegotiated plan's starting
  balance; the plan counts only later ones. Existing renegotiated plans counted payments made
  on or after their start date, so they get the last payment made before it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("debts") as batch:
        batch.add_column(sa.Column("fees_on_payoff", sa.Boolean(), nullable=True))
        batch.add_column(
            sa.Column(
                "penalty_on_interest", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(
            sa.Column("paid_before_tracking", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("plan_versions") as batch:
        batch.add_column(sa.Column("after_payment_id", sa.BigInteger(), nullable=True))
    op.execute(
        """
        UPDATE plan_versions SET after_payment_id = (
            SELECT MAX(payments.id) FROM payments
            WHERE payments.debt_id = plan_versions.debt_id
              AND payments.paid_on < plan_versions.start_date
        )
        WHERE origin <> 'original' AND start_date IS NOT NULL
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("plan_versions") as batch:
        batch.drop_column("after_payment_id")
    with op.batch_alter_table("debts") as batch:
        batch.drop_column("paid_before_tracking")
        batch.drop_column("penalty_on_interest")
        batch.drop_column("fees_on_payoff")
