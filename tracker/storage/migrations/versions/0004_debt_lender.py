"""The lender of a debt, apart from its nickname (issue 10).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

- ``debts.lender``: the company the borrower repays (京东金融, 招商银行), named in every
  lender-facing text; the debt's ``name`` stays the borrower's nickname (金条, 信用卡). NULL for
  existing debts: not said yet, and the name stands in for it until the borrower says.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("debts") as batch:
        batch.add_column(sa.Column("lender", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("debts") as batch:
        batch.drop_column("lender")
