"""The vocabulary of repayment schedules: methods, loan terms and schedule rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tracker.rates import Rate


class Method(StrEnum):
    """How the lender turns principal and rate into installments."""

    ANNUITY = "annuity"  # 等额本息: equal payments, interest on the remaining balance
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金: equal principal, falling payments
    INTEREST_ONLY = "interest_only"  # 先息后本: interest each period, principal at the end
    FLAT_FEE = "flat_fee"  # 分期手续费: P/n + P·f each period (credit cards, 白条)
    DAILY_ACCRUAL = "daily_accrual"  # 按日计息: equal payment, interest on actual days
    CUSTOM = "custom"  # a list of (date, amount) a lender agreed


class PrepaymentMode(StrEnum):
    """What a lender keeps fixed when it recomputes a schedule after a prepayment."""

    KEEP_PAYMENT = "keep_payment"  # same payment, shorter term
    KEEP_TERM = "keep_term"  # same term, lower payment


@dataclass(frozen=True, slots=True)
class CustomInstallment:
    """One installment of a custom plan: pay ``amount`` on ``due_date``."""

    due_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """Everything needed to compute a schedule, in major units of ``currency``.

    ``first_due`` is the first installment's due date; later ones fall on ``due_day`` of each
    month (default ``first_due.day``), clamped to the month's last day (31 → 30, 28 or 29).
    ``start_date`` is when the money was received (interest accrues from then); by default one
    month before ``first_due``. ``fee_rate`` is the per-period fee on the original principal
    (FLAT_FEE only); ``upfront_fee`` is taken at the start and counts in the annualised rate.
    """

    principal: Decimal
    rate: Rate
    term: int
    method: Method
    first_due: date
    currency: str = "CNY"
    day_count: int = 365
    due_day: int | None = None
    start_date: date | None = None
    fee_rate: Decimal = Decimal(0)
    upfront_fee: Decimal = Decimal(0)
    custom: tuple[CustomInstallment, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One installment: what is due on ``due_date`` and the balance after paying it."""

    number: int
    due_date: date
    payment: Decimal
    interest: Decimal
    fee: Decimal
    principal: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class ScheduleTotals:
    """Sums over a schedule."""

    payment: Decimal
    interest: Decimal
    fee: Decimal
    principal: Decimal
