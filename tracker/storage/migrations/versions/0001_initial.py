"""Initial schema: users, budgets, hardship, debts, plans, installments, payments, outbox, state.

Revision ID: 0001
Revises:
Create Date: 2026-05-10

Types are spelled as plain SQLAlchemy types (not tracker.storage.types) so this file keeps
meaning the same thing whatever later happens to the Python-side decorators:
enums are VARCHAR(32), exact decimals TEXT, timestamps TIMESTAMP WITH TIME ZONE.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    # BIGINT on PostgreSQL; INTEGER on SQLite, where only INTEGER PRIMARY KEY is the rowid.
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _enum() -> sa.String:
    return sa.String(length=32)


def _decimal() -> sa.Text:
    return sa.Text()


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _pk(name: str) -> sa.Column[int]:
    return sa.Column(name, _id(), nullable=False)


def _fk_column(name: str) -> sa.Column[int]:
    return sa.Column(name, _id(), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "users",
        _pk("id"),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", _enum(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reminders_enabled", sa.Boolean(), nullable=False),
        sa.Column("reminder_lead_days", sa.String(length=32), nullable=False),
        sa.Column("reminder_time", sa.Time(), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("digest_enabled", sa.Boolean(), nullable=False),
        sa.Column("digest_weekday", sa.Integer(), nullable=False),
        sa.Column("digest_time", sa.Time(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("blocked_at", _timestamp(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_users_telegram_user_id")),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "budgets",
        _pk("id"),
        _fk_column("user_id"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("monthly_income_minor", sa.BigInteger(), nullable=False),
        sa.Column("fixed_expenses_minor", sa.BigInteger(), nullable=False),
        sa.Column("other_debt_payments_minor", sa.BigInteger(), nullable=False),
        sa.Column("savings_minor", sa.BigInteger(), nullable=False),
        sa.Column("living_reserve_minor", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("source", _enum(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        _fk("budgets", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_budgets_user_valid_from", "budgets", ["user_id", "valid_from"])

    op.create_table(
        "hardship_reports",
        _pk("id"),
        _fk_column("user_id"),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("kind", _enum(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("income_after_minor", sa.BigInteger(), nullable=True),
        sa.Column("extra_expense_minor", sa.BigInteger(), nullable=True),
        sa.Column("one_off_minor", sa.BigInteger(), nullable=True),
        sa.Column("duration_months", sa.Integer(), nullable=True),
        sa.Column("savings_minor", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        _fk("hardship_reports", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_reports")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_hardship_reports_user_created", "hardship_reports", ["user_id", "created_at"]
    )

    op.create_table(
        "debts",
        _pk("id"),
        _fk_column("user_id"),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", _enum(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("rate_value", _decimal(), nullable=False),
        sa.Column("rate_unit", _enum(), nullable=False),
        sa.Column("day_count", sa.Integer(), nullable=False),
        sa.Column("method", _enum(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("first_due", sa.Date(), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=True),
        sa.Column("fee_rate", _decimal(), nullable=False),
        sa.Column("upfront_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("penalty_mode", _enum(), nullable=False),
        sa.Column("penalty_multiplier", _decimal(), nullable=False),
        sa.Column("penalty_daily_rate", _decimal(), nullable=True),
        sa.Column("allocation_order", sa.String(length=64), nullable=False),
        sa.Column("max_term_months", sa.Integer(), nullable=True),
        sa.Column("status", _enum(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.Column("closed_at", _timestamp(), nullable=True),
        _fk("debts", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debts")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_debts_user_status", "debts", ["user_id", "status"])

    op.create_table(
        "plan_versions",
        _pk("id"),
        _fk_column("debt_id"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", _enum(), nullable=False),
        sa.Column("origin", _enum(), nullable=False),
        sa.Column("method", _enum(), nullable=False),
        sa.Column("rate_value", _decimal(), nullable=False),
        sa.Column("rate_unit", _enum(), nullable=False),
        sa.Column("day_count", sa.Integer(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("first_due", sa.Date(), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=True),
        sa.Column("fee_rate", _decimal(), nullable=False),
        sa.Column("upfront_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("starts_after_installment", sa.Integer(), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("channel", _enum(), nullable=True),
        sa.Column("reference", sa.String(length=128), nullable=True),
        sa.Column("agent", sa.String(length=128), nullable=True),
        sa.Column("document_file_id", sa.String(length=256), nullable=True),
        sa.Column("document_kind", _enum(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("proposal_json", sa.Text(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("activated_at", _timestamp(), nullable=True),
        _fk("plan_versions", "debt_id", "debts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint("debt_id", "version", name=op.f("uq_plan_versions_debt_id_version")),
        sqlite_autoincrement=True,
    )
    # At most one active plan per debt.
    op.create_index(
        "uq_plan_versions_debt_active",
        "plan_versions",
        ["debt_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )

    op.create_table(
        "installments",
        _pk("id"),
        _fk_column("plan_version_id"),
        _fk_column("debt_id"),
        _fk_column("user_id"),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        _fk("installments", "plan_version_id", "plan_versions"),
        _fk("installments", "debt_id", "debts"),
        _fk("installments", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installments")),
        sa.UniqueConstraint(
            "plan_version_id", "seq", name=op.f("uq_installments_plan_version_id_seq")
        ),
        sqlite_autoincrement=True,
    )
    # The reminder scan (active installments due between two dates) is a range scan on this.
    op.create_index("ix_installments_active_due", "installments", ["is_active", "due_date"])
    op.create_index("ix_installments_debt_seq", "installments", ["debt_id", "seq"])
    op.create_index("ix_installments_user_due", "installments", ["user_id", "due_date"])

    op.create_table(
        "payments",
        _pk("id"),
        _fk_column("debt_id"),
        _fk_column("user_id"),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", _timestamp(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", _enum(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("undone_at", _timestamp(), nullable=True),
        _fk("payments", "debt_id", "debts"),
        _fk("payments", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payments_idempotency_key")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_payments_debt_paid_on", "payments", ["debt_id", "paid_on"])
    op.create_index("ix_payments_user_recorded", "payments", ["user_id", "recorded_at"])

    op.create_table(
        "outbox",
        _pk("id"),
        sa.Column("key", sa.String(length=200), nullable=False),
        _fk_column("user_id"),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("due_at", _timestamp(), nullable=False),
        sa.Column("expires_at", _timestamp(), nullable=True),
        sa.Column("status", _enum(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _timestamp(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", _timestamp(), nullable=True),
        sa.Column("sent_at", _timestamp(), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        _fk("outbox", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_outbox_status_next_attempt", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_user_id", "outbox", ["user_id"])

    op.create_table(
        "bot_state",
        _pk("id"),
        sa.Column("namespace", _enum(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_state")),
        sa.UniqueConstraint("namespace", "key", name=op.f("uq_bot_state_namespace_key")),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    op.create_index(
        "ix_processed_updates_processed_at", "processed_updates", ["processed_at"]
    )


def downgrade() -> None:
    op.drop_table("processed_updates")
    op.drop_table("bot_state")
    op.drop_table("outbox")
    op.drop_table("payments")
    op.drop_table("installments")
    op.drop_table("plan_versions")
    op.drop_table("debts")
    op.drop_table("hardship_reports")
    op.drop_table("budgets")
    op.drop_table("users")
