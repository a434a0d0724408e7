"""Users, their capacity snapshots and hardship reports."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import BigInteger, Index, String, Text
from sqlmodel import Field

from tracker.parsing.hardship_text import Cause
from tracker.reminders import DEFAULT_QUIET_END, DEFAULT_QUIET_START
from tracker.storage.enums import BudgetSource, HardshipKind, Language, ReportSource
from tracker.storage.models.base import TABLE_OPTIONS, Base, utcnow
from tracker.storage.types import ID_TYPE, StrEnumText, UTCDateTime

_USER_FK = "users.id"


class User(Base, table=True):
    """A Telegram user and their settings."""

    __tablename__ = "users"
    __table_args__ = (TABLE_OPTIONS,)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    telegram_user_id: int = Field(sa_type=BigInteger, unique=True)
    chat_id: int = Field(sa_type=BigInteger)
    language: Language = Field(default=Language.ZH, sa_type=StrEnumText(Language))
    timezone: str = Field(default="Asia/Shanghai", sa_type=String(64))  # IANA name
    currency: str = Field(default="CNY", sa_type=String(3))
    reminders_enabled: bool = True
    reminder_lead_days: str = Field(default="3,1,0", sa_type=String(32))  # days before due
    reminder_time: time = time(9, 0)  # local time of day
    # New users get quiet hours; None (both) is "off". Users from before they existed keep
    # None: it can't be told apart from having turned them off (so no migration).
    quiet_start: time | None = DEFAULT_QUIET_START
    quiet_end: time | None = DEFAULT_QUIET_END
    digest_enabled: bool = True
    digest_weekday: int = 0  # Monday, as date.weekday()
    digest_time: time = time(9, 0)
    active: bool = True  # False once the user blocked the bot
    blocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime(), sa_column_kwargs={"onupdate": utcnow}
    )


class Budget(Base, table=True):
    """A snapshot of what the user can afford each month; the latest valid_from wins."""

    __tablename__ = "budgets"
    __table_args__ = (
        Index("ix_budgets_user_valid_from", "user_id", "valid_from"),
        TABLE_OPTIONS,
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    user_id: int = Field(foreign_key=_USER_FK, ondelete="CASCADE", sa_type=ID_TYPE)
    currency: str = Field(sa_type=String(3))
    monthly_income_minor: int = Field(sa_type=BigInteger)
    fixed_expenses_minor: int = Field(default=0, sa_type=BigInteger)
    other_debt_payments_minor: int = Field(default=0, sa_type=BigInteger)
    savings_minor: int = Field(default=0, sa_type=BigInteger)
    living_reserve_minor: int = Field(default=0, sa_type=BigInteger)
    valid_from: date
    source: BudgetSource = Field(default=BudgetSource.BUDGET, sa_type=StrEnumText(BudgetSource))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class HardshipReport(Base, table=True):
    """What changed in the user's life, as they told us."""

    __tablename__ = "hardship_reports"
    __table_args__ = (
        Index("ix_hardship_reports_user_created", "user_id", "created_at"),
        TABLE_OPTIONS,
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    user_id: int = Field(foreign_key=_USER_FK, ondelete="CASCADE", sa_type=ID_TYPE)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    kind: HardshipKind = Field(sa_type=StrEnumText(HardshipKind))
    currency: str = Field(sa_type=String(3))
    income_after_minor: int | None = Field(default=None, sa_type=BigInteger)
    extra_expense_minor: int | None = Field(default=None, sa_type=BigInteger)
    one_off_minor: int | None = Field(default=None, sa_type=BigInteger)
    duration_months: int | None = None  # None: for good
    savings_minor: int | None = Field(default=None, sa_type=BigInteger)
    #: What changed and the day it started, as /hardship asked; None where nobody said (a
    #: reminder's "I can't pay").
    cause: Cause | None = Field(default=None, sa_type=StrEnumText(Cause))
    started_on: date | None = None
    #: The /hardship questions, or a tap on a reminder's "I can't pay" (then only kind is known).
    source: ReportSource = Field(
        default=ReportSource.HARDSHIP,
        sa_type=StrEnumText(ReportSource),
        sa_column_kwargs={"server_default": ReportSource.HARDSHIP.value},
    )
    text: str | None = Field(default=None, sa_type=Text)
