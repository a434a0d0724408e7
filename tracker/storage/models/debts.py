"""Debts, the versions of their repayment plan, installments and payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint, text
from sqlalchemy import false as sa_false
from sqlmodel import Field

from tracker.rates import RateUnit
from tracker.schedule_types import Method
from tracker.storage.enums import (
    Channel,
    DebtKind,
    DebtStatus,
    DocumentKind,
    InterestOn,
    MinimumRule,
    PaymentSource,
    PenaltyMode,
    PlanOrigin,
    PlanStatus,
)
from tracker.storage.models.base import TABLE_OPTIONS, Base, utcnow
from tracker.storage.types import ID_TYPE, DecimalText, StrEnumText, UTCDateTime

DEFAULT_ALLOCATION_ORDER = "penalty,fee,interest,principal"


class Debt(Base, table=True):
    """A loan or card balance as the lender describes it; its plans say how it is repaid."""

    __tablename__ = "debts"
    __table_args__ = (Index("ix_debts_user_status", "user_id", "status"), TABLE_OPTIONS)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=ID_TYPE)
    name: str = Field(sa_type=String(100))  # the borrower's nickname for it, e.g. 金条, 信用卡
    # The company repaid, named in every lender-facing text (e.g. 京东金融, 招商银行); None: not
    # said yet, and the name stands in for it (tracker.services.debts.lender_of).
    lender: str | None = Field(default=None, sa_type=String(100))
    kind: DebtKind = Field(default=DebtKind.CONSUMER_LOAN, sa_type=StrEnumText(DebtKind))
    currency: str = Field(sa_type=String(3))
    principal_minor: int = Field(sa_type=BigInteger)
    rate_value: Decimal = Field(sa_type=DecimalText())
    rate_unit: RateUnit = Field(sa_type=StrEnumText(RateUnit))
    day_count: int = 365
    method: Method = Field(sa_type=StrEnumText(Method))
    term_months: int
    start_date: date | None = None  # money received; None: one month before first_due
    first_due: date
    due_day: int | None = None  # None: first_due.day
    fee_rate: Decimal = Field(default=Decimal(0), sa_type=DecimalText())
    upfront_fee_minor: int = Field(default=0, sa_type=BigInteger)
    grace_days: int = 0
    penalty_mode: PenaltyMode = Field(
        default=PenaltyMode.RATE_MULTIPLIER, sa_type=StrEnumText(PenaltyMode)
    )
    penalty_multiplier: Decimal = Field(default=Decimal("1.5"), sa_type=DecimalText())
    penalty_daily_rate: Decimal | None = Field(default=None, sa_type=DecimalText())
    allocation_order: str = Field(default=DEFAULT_ALLOCATION_ORDER, sa_type=String(64))
    # Paying off early still owes the remaining per-period fees? None: not asked yet, taken as
    # yes (白条 and card installments often do: the safe answer). See services.debts.policy_of.
    fees_on_payoff: bool | None = None
    # Installments 1..N of the original plan were paid before tracking began here.
    paid_before_tracking: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Penalty interest also runs on overdue interest (复利, PBOC 2003 No. 251); lenders differ.
    penalty_on_interest: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa_false()}
    )
    max_term_months: int | None = None  # the longest extension the lender allows
    # A credit card's terms (tracker.cards.CardTerms; None for every other debt, and for an
    # installment debt converted from a card statement): see tracker.services.cards.
    card_statement_day: int | None = None  # 账单日, 1..31 (clamped to the month's end)
    card_due_day: int | None = None  # 还款日, 1..31
    card_minimum_rate: Decimal | None = Field(default=None, sa_type=DecimalText())
    card_minimum_rule: MinimumRule | None = Field(default=None, sa_type=StrEnumText(MinimumRule))
    card_minimum_floor_minor: int | None = Field(default=None, sa_type=BigInteger)
    card_daily_rate: Decimal | None = Field(default=None, sa_type=DecimalText())
    card_interest_on: InterestOn | None = Field(default=None, sa_type=StrEnumText(InterestOn))
    card_late_fee_rate: Decimal | None = Field(default=None, sa_type=DecimalText())
    # The statement the card's plan starts from (tracker.cards.Statement): its date, its balance
    # and the parts of it the minimum asks in full (interest and late fee posted on it, the
    # earlier minimum left unpaid; 0 on a statement the borrower gave), and the day the balance
    # bears interest from if it is not paid in full (None: the first day of its cycle).
    card_statement_date: date | None = None
    card_statement_balance_minor: int | None = Field(default=None, sa_type=BigInteger)
    card_statement_interest_minor: int | None = Field(default=None, sa_type=BigInteger)
    card_statement_late_fee_minor: int | None = Field(default=None, sa_type=BigInteger)
    card_statement_overdue_minor: int | None = Field(default=None, sa_type=BigInteger)
    card_statement_interest_from: date | None = None
    # The plan version that is this statement's minimum-only projection; when another plan is
    # active (one agreed with the bank), the card is repaid by that plan instead.
    card_plan_id: int | None = Field(default=None, sa_type=BigInteger)
    status: DebtStatus = Field(default=DebtStatus.ACTIVE, sa_type=StrEnumText(DebtStatus))
    note: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime(), sa_column_kwargs={"onupdate": utcnow}
    )
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class PlanVersion(Base, table=True):
    """One version of a debt's repayment plan: the original, a renegotiation or a proposal."""

    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("debt_id", "version"),
        # At most one active plan per debt, even if two activations race.
        Index(
            "uq_plan_versions_debt_active",
            "debt_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        TABLE_OPTIONS,
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    debt_id: int = Field(foreign_key="debts.id", ondelete="CASCADE", sa_type=ID_TYPE)
    version: int = 0  # 0: the repository assigns the next number
    status: PlanStatus = Field(default=PlanStatus.PROPOSED, sa_type=StrEnumText(PlanStatus))
    origin: PlanOrigin = Field(default=PlanOrigin.ORIGINAL, sa_type=StrEnumText(PlanOrigin))
    method: Method = Field(sa_type=StrEnumText(Method))
    rate_value: Decimal = Field(sa_type=DecimalText())
    rate_unit: RateUnit = Field(sa_type=StrEnumText(RateUnit))
    day_count: int = 365
    term_months: int
    principal_minor: int = Field(sa_type=BigInteger)
    start_date: date | None = None
    first_due: date
    due_day: int | None = None
    fee_rate: Decimal = Field(default=Decimal(0), sa_type=DecimalText())
    upfront_fee_minor: int = Field(default=0, sa_type=BigInteger)
    # The previous plan's last installment (seq) that stays in force; the new plan takes over
    # after it. None for an original plan, or when it replaces the whole previous schedule.
    starts_after_installment: int | None = None
    # The last payment counted in a renegotiated plan's starting balance: the plan counts only
    # payments recorded after it (None: every payment of the debt). See services.debts.counts.
    after_payment_id: int | None = Field(default=None, sa_type=BigInteger)
    confirmed_on: date | None = None
    channel: Channel | None = Field(default=None, sa_type=StrEnumText(Channel))
    reference: str | None = Field(default=None, sa_type=String(128))  # lender's case number
    agent: str | None = Field(default=None, sa_type=String(128))
    document_file_id: str | None = Field(default=None, sa_type=String(256))  # Telegram file_id
    document_kind: DocumentKind | None = Field(default=None, sa_type=StrEnumText(DocumentKind))
    note: str | None = Field(default=None, sa_type=Text)
    proposal_json: str | None = Field(default=None, sa_type=Text)  # the planner's options
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class Installment(Base, table=True):
    """One scheduled payment of a plan version, in minor units of the debt's currency."""

    __tablename__ = "installments"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "seq"),
        # The reminder scan: active installments due between two dates is a range scan.
        Index("ix_installments_active_due", "is_active", "due_date"),
        Index("ix_installments_debt_seq", "debt_id", "seq"),
        Index("ix_installments_user_due", "user_id", "due_date"),
        TABLE_OPTIONS,
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    plan_version_id: int = Field(
        foreign_key="plan_versions.id", ondelete="CASCADE", sa_type=ID_TYPE
    )
    debt_id: int = Field(foreign_key="debts.id", ondelete="CASCADE", sa_type=ID_TYPE)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=ID_TYPE)
    seq: int
    due_date: date
    principal_minor: int = Field(sa_type=BigInteger)
    interest_minor: int = Field(sa_type=BigInteger)
    fee_minor: int = Field(default=0, sa_type=BigInteger)
    total_minor: int = Field(sa_type=BigInteger)
    is_active: bool = False  # belongs to the debt's active plan; kept by PlanRepository


class Payment(Base, table=True):
    """Money the user says they paid towards a debt; undone payments are kept for audit."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_payments_debt_paid_on", "debt_id", "paid_on"),
        Index("ix_payments_user_recorded", "user_id", "recorded_at"),
        TABLE_OPTIONS,
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    debt_id: int = Field(foreign_key="debts.id", ondelete="CASCADE", sa_type=ID_TYPE)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=ID_TYPE)
    amount_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(sa_type=String(3))
    paid_on: date  # the user's local date
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    note: str | None = Field(default=None, sa_type=Text)
    source: PaymentSource = Field(default=PaymentSource.COMMAND, sa_type=StrEnumText(PaymentSource))
    idempotency_key: str = Field(sa_type=String(128))  # "tg:update:123", "tg:cb:<rem>:<user>"
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
