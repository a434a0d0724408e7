"""What a borrower owes today: payments allocated to installments, overdue and penalty interest.

The ledger is recomputed from the schedule and the payments every time (undoing a payment is
just leaving it out), so it can never drift from the records it is built on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from tracker.errors import InvalidTerms
from tracker.money import ZERO, quantize
from tracker.schedule_types import ScheduleRow


class Component(StrEnum):
    """The parts of an installment a payment can go to."""

    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"


#: Civil Code art. 561: costs, then interest, then principal, unless the contract says otherwise.
DEFAULT_ORDER: tuple[Component, ...] = (
    Component.PENALTY,
    Component.FEE,
    Component.INTEREST,
    Component.PRINCIPAL,
)


class PenaltyMode(StrEnum):
    """How a lender charges for lateness."""

    RATE_MULTIPLIER = "rate_multiplier"  # 罚息: contract rate × multiplier on overdue principal
    DAILY_RATE_ON_OVERDUE = "daily_rate_on_overdue"  # 违约金: flat daily rate on the overdue amount


class Status(StrEnum):
    """Where an installment stands on a given day."""

    PAID = "paid"
    UPCOMING = "upcoming"
    PARTIAL = "partial"  # partly paid, not yet overdue
    DUE = "due"  # due today or within the grace days
    OVERDUE = "overdue"


def parse_order(text: str) -> tuple[Component, ...]:
    """Read an allocation order such as ``"penalty,fee,interest,principal"``."""
    try:
        order = tuple(Component(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise InvalidTerms(f"unknown component in {text!r}", code="allocation_order") from exc
    if sorted(order) != sorted(DEFAULT_ORDER):
        raise InvalidTerms(f"{text!r} must name each component once", code="allocation_order")
    return order


@dataclass(frozen=True, slots=True)
class PenaltyPolicy:
    """Penalty terms; default 1.5 × the contract rate on overdue principal (PBOC 2003 No. 251)."""

    mode: PenaltyMode = PenaltyMode.RATE_MULTIPLIER
    multiplier: Decimal = Decimal("1.5")
    daily_rate: Decimal = ZERO  # used by DAILY_RATE_ON_OVERDUE, e.g. 0.0007 for 0.07 % a day

    def rate_per_day(self, contract_daily_rate: Decimal) -> Decimal:
        """The fraction charged per overdue day on the penalty base."""
        if self.mode is PenaltyMode.RATE_MULTIPLIER:
            return contract_daily_rate * self.multiplier
        return self.daily_rate


@dataclass(frozen=True, slots=True)
class LedgerPolicy:
    """The per-debt rules the ledger applies."""

    currency: str
    contract_daily_rate: Decimal
    start_date: date
    grace_days: int = 0
    penalty: PenaltyPolicy = field(default_factory=PenaltyPolicy)
    order: tuple[Component, ...] = DEFAULT_ORDER


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment as the ledger sees it; ``ref`` identifies it in allocations."""

    paid_on: date
    amount: Decimal
    ref: int | str | None = None


@dataclass(frozen=True, slots=True)
class Allocation:
    """Part of a payment credited to one component of one installment."""

    payment_ref: int | str | None
    installment: int
    component: Component
    amount: Decimal


@dataclass(slots=True)
class _Open:
    """Mutable state of one installment while payments are replayed."""

    row: ScheduleRow
    paid: dict[Component, Decimal] = field(
        default_factory=lambda: {component: ZERO for component in Component}
    )
    penalty: Decimal = ZERO  # accrued so far, quantized per accrual segment
    settled_on: date | None = None

    def due(self, component: Component) -> Decimal:
        """What the schedule (or the accrued penalty) asks of this component."""
        if component is Component.PENALTY:
            return self.penalty
        if component is Component.FEE:
            return self.row.fee
        if component is Component.INTEREST:
            return self.row.interest
        return self.row.principal

    def remaining(self, component: Component) -> Decimal:
        """What is still unpaid of a component."""
        return self.due(component) - self.paid[component]

    def scheduled_remaining(self) -> Decimal:
        """Unpaid fee, interest and principal (penalty is tracked apart)."""
        return sum(
            (self.remaining(c) for c in (Component.FEE, Component.INTEREST, Component.PRINCIPAL)),
            ZERO,
        )


@dataclass(frozen=True, slots=True)
class InstallmentState:
    """One installment as of ``today``."""

    number: int
    due_date: date
    status: Status
    scheduled: Decimal
    paid: Decimal
    remaining: Decimal  # scheduled components still unpaid
    penalty_accrued: Decimal
    penalty_unpaid: Decimal
    days_overdue: int
    settled_on: date | None
    paid_by_component: dict[Component, Decimal]


@dataclass(frozen=True, slots=True)
class Owed:
    """What it would take to settle the debt today, by component."""

    principal: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal

    @property
    def total(self) -> Decimal:
        """The sum of all components."""
        return self.principal + self.interest + self.penalty + self.fees


@dataclass(frozen=True, slots=True)
class LedgerState:
    """The whole picture of a debt on one day."""

    today: date
    installments: tuple[InstallmentState, ...]
    allocations: tuple[Allocation, ...]
    owed_today: Owed
    due_now: Decimal  # matured installments' unpaid amount plus unpaid penalty
    overdue_amount: Decimal
    penalty_per_day: Decimal  # what another day of lateness adds at today's balances
    unapplied: Decimal  # paid beyond everything the schedule asks: a credit to the borrower
    on_time_streak: int
    total_paid: Decimal

    @property
    def next_due(self) -> InstallmentState | None:
        """The earliest installment with something left to pay."""
        return next((i for i in self.installments if i.remaining > 0), None)

    @property
    def overdue(self) -> tuple[InstallmentState, ...]:
        """Installments past their due date and grace days, unpaid."""
        return tuple(i for i in self.installments if i.status is Status.OVERDUE)

    @property
    def is_settled(self) -> bool:
        """True once every installment and all penalty are paid."""
        return all(i.remaining == 0 and i.penalty_unpaid == 0 for i in self.installments)


class Ledger:
    """Replays payments against a schedule under a debt's policy."""

    def __init__(self, rows: Sequence[ScheduleRow], policy: LedgerPolicy) -> None:
        if not rows:
            raise InvalidTerms("a ledger needs at least one installment", code="schedule_empty")
        self.rows = tuple(sorted(rows, key=lambda r: (r.due_date, r.number)))
        self.policy = policy
        self._penalty_rate = policy.penalty.rate_per_day(policy.contract_daily_rate)

    def state(self, payments: Iterable[Payment], today: date) -> LedgerState:
        """Allocate ``payments`` oldest installment first and report the position on ``today``."""
        opens = [_Open(row) for row in self.rows]
        allocations: list[Allocation] = []
        unapplied = ZERO
        total_paid = ZERO
        clock = self.policy.start_date
        # Payments on the same day keep the order they were given (their recording order).
        for payment in sorted(payments, key=lambda p: p.paid_on):
            self._accrue(opens, clock, payment.paid_on)
            clock = max(clock, payment.paid_on)
            total_paid += payment.amount
            unapplied += self._allocate(opens, payment, allocations)
        self._accrue(opens, clock, today)
        return self._report(opens, allocations, unapplied, total_paid, today)

    def _grace_end(self, row: ScheduleRow) -> date:
        return row.due_date + timedelta(days=self.policy.grace_days)

    def _penalty_base(self, item: _Open) -> Decimal:
        if self.policy.penalty.mode is PenaltyMode.RATE_MULTIPLIER:
            return item.remaining(Component.PRINCIPAL)
        return item.scheduled_remaining()

    def _accrue(self, opens: list[_Open], start: date, end: date) -> None:
        """Add penalty for the days in (start, end] on each installment past its due date."""
        if end <= start or self._penalty_rate == 0:
            return
        for item in opens:
            if item.row.due_date >= end:
                break  # rows are sorted: none later is overdue yet
            base = self._penalty_base(item)
            if base <= 0:
                continue
            days = (end - max(start, item.row.due_date)).days
            item.penalty += quantize(base * self._penalty_rate * days, self.policy.currency)

    def _allocate(self, opens: list[_Open], payment: Payment, out: list[Allocation]) -> Decimal:
        """Spread one payment; return what is left after every installment is paid."""
        left = payment.amount
        for item in opens:
            if left <= 0:
                break
            if item.settled_on is not None and item.remaining(Component.PENALTY) <= 0:
                continue
            chargeable_penalty = payment.paid_on > self._grace_end(item.row)
            for component in self.policy.order:
                if component is Component.PENALTY and not chargeable_penalty:
                    continue
                take = min(left, item.remaining(component))
                if take <= 0:
                    continue
                item.paid[component] += take
                left -= take
                out.append(Allocation(payment.ref, item.row.number, component, take))
            if item.settled_on is None and item.scheduled_remaining() == 0:
                item.settled_on = payment.paid_on
                if not chargeable_penalty:
                    # Settled within grace: lateness inside the grace days costs nothing.
                    item.penalty = item.paid[Component.PENALTY]
        return left

    def _report(
        self,
        opens: list[_Open],
        allocations: list[Allocation],
        unapplied: Decimal,
        total_paid: Decimal,
        today: date,
    ) -> LedgerState:
        states: list[InstallmentState] = []
        owed_principal = owed_interest = owed_penalty = owed_fees = ZERO
        due_now = overdue_amount = penalty_per_day = ZERO
        previous_due = self.policy.start_date
        current_period_seen = False
        for item in opens:
            row = item.row
            remaining = item.scheduled_remaining()
            in_grace = today <= self._grace_end(row)
            penalty_unpaid = ZERO if in_grace else item.remaining(Component.PENALTY)
            status = self._status(item, remaining, today)
            owed_principal += item.remaining(Component.PRINCIPAL)
            owed_penalty += penalty_unpaid
            if row.due_date <= today:
                owed_interest += item.remaining(Component.INTEREST)
                owed_fees += item.remaining(Component.FEE)
                due_now += remaining + penalty_unpaid
            elif not current_period_seen:
                # Interest runs day by day: settling today owes only the part of this period so
                # far (Civil Code art. 677), less any interest already paid ahead on it.
                current_period_seen = True
                owed_interest += self._accrued_interest(item, previous_due, today)
            if status is Status.OVERDUE:
                overdue_amount += remaining
                penalty_per_day += self._penalty_base(item) * self._penalty_rate
            states.append(
                InstallmentState(
                    number=row.number,
                    due_date=row.due_date,
                    status=status,
                    scheduled=row.payment,
                    paid=sum(item.paid.values(), ZERO),
                    remaining=remaining,
                    penalty_accrued=ZERO if in_grace else item.penalty,
                    penalty_unpaid=penalty_unpaid,
                    days_overdue=(today - row.due_date).days if status is Status.OVERDUE else 0,
                    settled_on=item.settled_on,
                    paid_by_component=dict(item.paid),
                )
            )
            previous_due = row.due_date
        return LedgerState(
            today=today,
            installments=tuple(states),
            allocations=tuple(allocations),
            owed_today=Owed(owed_principal, owed_interest, owed_penalty, owed_fees),
            due_now=due_now,
            overdue_amount=overdue_amount,
            penalty_per_day=quantize(penalty_per_day, self.policy.currency),
            unapplied=unapplied,
            on_time_streak=self._streak(opens, today),
            total_paid=total_paid,
        )

    def _accrued_interest(self, item: _Open, period_start: date, today: date) -> Decimal:
        period_days = (item.row.due_date - period_start).days
        elapsed = (today - period_start).days
        if period_days <= 0 or elapsed <= 0:
            return ZERO
        accrued = quantize(item.row.interest * elapsed / period_days, self.policy.currency)
        return max(ZERO, accrued - item.paid[Component.INTEREST])

    def _status(self, item: _Open, remaining: Decimal, today: date) -> Status:
        if remaining == 0:
            return Status.PAID
        if today > self._grace_end(item.row):
            return Status.OVERDUE
        if today >= item.row.due_date:
            return Status.DUE
        if remaining < item.row.payment:
            return Status.PARTIAL
        return Status.UPCOMING

    def _streak(self, opens: list[_Open], today: date) -> int:
        """Count the most recent matured installments settled by their grace end, in a row."""
        streak = 0
        for item in reversed(opens):
            if item.row.due_date > today:
                continue
            if item.settled_on is None or item.settled_on > self._grace_end(item.row):
                if today > self._grace_end(item.row):
                    break
                continue  # still within grace: neither breaks nor extends the streak
            streak += 1
        return streak
