"""What a borrower owes today: payments allocated to installments, overdue and penalty interest.

The ledger is recomputed from the schedule and the payments every time (undoing a payment is
just leaving it out), so it can never drift from the records it is built on.

Early repayment follows Civil Code art. 677 (interest only for the actual period of use):

- a payment first pays the installments already due, oldest first, in the debt's order;
- what is left is *held in advance*: it is counted towards the next installments on their due
  dates, as the lender's automatic debit takes it, and it lowers "to settle today" by exactly its
  amount (no interest is taken for periods that have not run);
- once the money held reaches what settling takes that day (all principal, the interest of the
  current period so far, and the fees the lender still charges on an early payoff), the debt is
  paid off that day: later periods' interest, and later fees when the lender waives them, are
  never charged. Anything beyond that is a credit in the borrower's favour.

``LedgerState.owed_today`` is that settle-today figure: paying it settles the debt on any day.
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


# Module constants: the replay below reads components in tight loops, where looking the members
# up on the enum class each time is a measurable part of the cost.
_PENALTY = Component.PENALTY
_FEE = Component.FEE
_INTEREST = Component.INTEREST
_PRINCIPAL = Component.PRINCIPAL
#: Nothing paid yet, per component (copied for each installment, in the order of Component).
_NOTHING_PAID: dict[Component, Decimal] = {component: ZERO for component in Component}


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
    #: Compound interest (复利, also allowed by No. 251): the penalty rate runs on overdue
    #: interest too, not only on overdue principal. Lenders differ, so it is off unless set.
    on_interest: bool = False

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
    #: Installments 1..N were paid before the borrower started tracking the debt here: they
    #: count as paid on their due dates, without inventing payments for them.
    paid_before_tracking: int = 0
    #: Whether paying off early still owes the per-period fees of the installments not yet due
    #: (白条 and card installments often do: the conservative answer). When False, the current
    #: period's fee is still owed in full and later ones are dropped.
    fees_on_payoff: bool = True


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
    #: Held in advance: it will be counted towards this installment on its due date.
    ahead: bool = False


@dataclass(slots=True)
class _Open:
    """Mutable state of one installment while payments are replayed."""

    row: ScheduleRow
    paid: dict[Component, Decimal] = field(default_factory=lambda: dict(_NOTHING_PAID))
    penalty: Decimal = ZERO  # accrued so far, quantized per accrual segment
    settled_on: date | None = None
    #: Set when the debt is paid off before this installment is due: only what had accrued.
    interest_cap: Decimal | None = None
    fee_cap: Decimal | None = None

    def due(self, component: Component) -> Decimal:
        """What the schedule (or the accrued penalty) asks of this component."""
        if component is _PENALTY:
            return self.penalty
        if component is _FEE:
            return self.row.fee if self.fee_cap is None else self.fee_cap
        if component is _INTEREST:
            return self.row.interest if self.interest_cap is None else self.interest_cap
        return self.row.principal

    def fee_due(self) -> Decimal:
        """``due(FEE)``, for the hot loops."""
        return self.row.fee if self.fee_cap is None else self.fee_cap

    def interest_due(self) -> Decimal:
        """``due(INTEREST)``, for the hot loops."""
        return self.row.interest if self.interest_cap is None else self.interest_cap

    def scheduled(self) -> Decimal:
        """What this installment asks in all (less after an early payoff)."""
        # sum(..., ZERO) spelt out: the same additions in the same order, without a generator.
        return ZERO + self.fee_due() + self.interest_due() + self.row.principal

    def copy(self) -> _Open:
        """An independent copy, for projecting money held in advance without changing this."""
        return _Open(
            self.row,
            dict(self.paid),
            self.penalty,
            self.settled_on,
            self.interest_cap,
            self.fee_cap,
        )

    def remaining(self, component: Component) -> Decimal:
        """What is still unpaid of a component."""
        return self.due(component) - self.paid[component]

    def scheduled_remaining(self) -> Decimal:
        """Unpaid fee, interest and principal (penalty is tracked apart)."""
        paid = self.paid
        # sum(..., ZERO) spelt out: the same additions in the same order, without a generator.
        return (
            ZERO
            + (self.fee_due() - paid[_FEE])
            + (self.interest_due() - paid[_INTEREST])
            + (self.row.principal - paid[_PRINCIPAL])
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
    before_tracking: bool = False  # paid before the debt was tracked here (no payment record)


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
    unapplied: Decimal  # paid beyond everything the debt asks: a credit to the borrower
    on_time_streak: int
    total_paid: Decimal
    #: Paid before it was due and not yet taken: counted towards the next installments.
    advance: Decimal = ZERO
    #: The day the debt was paid off ahead of its schedule, if it was.
    paid_off_on: date | None = None

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


@dataclass(slots=True)
class _Chunk:
    """Part of one payment held in advance."""

    ref: int | str | None
    amount: Decimal


@dataclass(slots=True)
class _Replay:
    """The ledger's working state while payments are replayed in date order."""

    opens: list[_Open]
    clock: date
    allocations: list[Allocation] = field(default_factory=list)
    held: list[_Chunk] = field(default_factory=list)  # paid in advance, oldest first
    unapplied: Decimal = ZERO
    total_paid: Decimal = ZERO
    matured: int = 0  # installments [0, matured) have reached their due date
    paid_off_on: date | None = None

    def advance(self) -> Decimal:
        """The money held in advance."""
        return sum((chunk.amount for chunk in self.held), ZERO)

    def current(self) -> _Open | None:
        """The first installment not yet due: the period running now, if any."""
        return self.opens[self.matured] if self.matured < len(self.opens) else None

    def open_ahead(self) -> bool:
        """Whether an installment not yet due is unsettled, so money can be held for it."""
        return any(item.settled_on is None for item in self.opens[self.matured :])


class Ledger:
    """Replays payments against a schedule under a debt's policy."""

    def __init__(self, rows: Sequence[ScheduleRow], policy: LedgerPolicy) -> None:
        if not rows:
            raise InvalidTerms("a ledger needs at least one installment", code="schedule_empty")
        self.rows = tuple(sorted(rows, key=lambda r: (r.due_date, r.number)))
        self.policy = policy
        self._penalty_rate = policy.penalty.rate_per_day(policy.contract_daily_rate)
        self._grace = timedelta(days=policy.grace_days)

    def state(self, payments: Iterable[Payment], today: date) -> LedgerState:
        """Allocate ``payments`` oldest installment first and report the position on ``today``."""
        run = _Replay(opens=[self._open(row) for row in self.rows], clock=self.policy.start_date)
        # Payments on the same day keep the order they were given (their recording order).
        for payment in sorted(payments, key=lambda p: p.paid_on):
            self._advance(run, payment.paid_on)
            run.total_paid += payment.amount
            left = self._allocate_due(run, payment)
            if left > 0 and run.open_ahead():
                run.held.append(_Chunk(payment.ref, left))
                self._pay_off_if_covered(run, payment.paid_on)
            else:
                run.unapplied += left
        self._advance(run, today)
        return self._report(run, today)

    # ---- replay --------------------------------------------------------------------------

    def _open(self, row: ScheduleRow) -> _Open:
        """An installment at the start of the replay; paid already if paid before tracking."""
        item = _Open(row)
        if row.number <= self.policy.paid_before_tracking:
            item.paid.update(
                {
                    Component.FEE: row.fee,
                    Component.INTEREST: row.interest,
                    Component.PRINCIPAL: row.principal,
                }
            )
            item.settled_on = row.due_date
        return item

    def _grace_end(self, row: ScheduleRow) -> date:
        return row.due_date + self._grace

    def _penalty_base(self, item: _Open) -> Decimal:
        if self.policy.penalty.mode is PenaltyMode.RATE_MULTIPLIER:
            base = item.remaining(Component.PRINCIPAL)
            if self.policy.penalty.on_interest:
                base += item.remaining(Component.INTEREST)
            return base
        return item.scheduled_remaining()

    def _advance(self, run: _Replay, day: date) -> None:
        """Move the clock to ``day``: accrue penalty, and let the money held in advance pay each
        installment on its due date (so an installment covered in advance is never late)."""
        while run.matured < len(run.opens) and run.opens[run.matured].row.due_date <= day:
            item = run.opens[run.matured]
            self._accrue(run.opens, run.clock, item.row.due_date)
            run.clock = max(run.clock, item.row.due_date)
            run.matured += 1
            self._pay_from_held(run, item, item.row.due_date, run.allocations, ahead=False)
        self._accrue(run.opens, run.clock, day)
        run.clock = max(run.clock, day)

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

    def _fill(
        self,
        item: _Open,
        ref: int | str | None,
        amount: Decimal,
        on: date,
        out: list[Allocation],
        *,
        ahead: bool,
    ) -> Decimal:
        """Pay ``amount`` into one installment in the debt's order; return what is left."""
        left = amount
        chargeable_penalty = on > self._grace_end(item.row)
        for component in self.policy.order:
            if component is Component.PENALTY and not chargeable_penalty:
                continue
            take = min(left, item.remaining(component))
            if take <= 0:
                continue
            item.paid[component] += take
            left -= take
            out.append(Allocation(ref, item.row.number, component, take, ahead))
        if item.settled_on is None and item.scheduled_remaining() == 0 and not ahead:
            item.settled_on = on
            if not chargeable_penalty:
                # Settled within grace: lateness inside the grace days costs nothing.
                item.penalty = item.paid[Component.PENALTY]
        return left

    def _allocate_due(self, run: _Replay, payment: Payment) -> Decimal:
        """Spread a payment over the installments already due; return what is left."""
        left = payment.amount
        for item in run.opens[: run.matured]:
            if left <= 0:
                break
            if item.settled_on is not None and item.remaining(Component.PENALTY) <= 0:
                continue
            left = self._fill(
                item, payment.ref, left, payment.paid_on, run.allocations, ahead=False
            )
        return left

    def _pay_from_held(
        self, run: _Replay, item: _Open, on: date, out: list[Allocation], *, ahead: bool
    ) -> None:
        """Let the money held in advance (oldest first) pay ``item``."""
        while run.held and item.scheduled_remaining() + item.remaining(Component.PENALTY) > 0:
            chunk = run.held[0]
            chunk.amount = self._fill(item, chunk.ref, chunk.amount, on, out, ahead=ahead)
            if chunk.amount > 0:
                break  # the installment took all it could: the rest stays held
            run.held.pop(0)

    def _settle_figures(self, run: _Replay, day: date) -> Owed:
        """What settling on ``day`` takes before the money held in advance is counted."""
        # Run once per payment held in advance, over every installment: item.remaining(c) is
        # spelt out (the same subtractions) to keep the calls out of the loop.
        # The installments matured, the current one, then the later ones: each sum adds the
        # same terms in the same order as one loop over all of them would.
        principal = interest = penalty = fees = ZERO
        opens = run.opens
        matured = run.matured
        grace = self._grace
        for item in opens[:matured]:
            paid = item.paid
            row = item.row
            principal += row.principal - paid[_PRINCIPAL]
            interest += item.interest_due() - paid[_INTEREST]
            fees += item.fee_due() - paid[_FEE]
            if day > row.due_date + grace:
                penalty += item.penalty - paid[_PENALTY]
        current = run.current()
        if current is not None:
            paid = current.paid
            principal += current.row.principal - paid[_PRINCIPAL]
            interest += self._accrued_interest(run, current, day)
            fees += current.fee_due() - paid[_FEE]
        if self.policy.fees_on_payoff:
            for item in opens[matured + 1 :]:
                paid = item.paid
                row = item.row
                principal += row.principal - paid[_PRINCIPAL]
                fee_cap = item.fee_cap
                fees += (row.fee if fee_cap is None else fee_cap) - paid[_FEE]
        else:
            for item in opens[matured + 1 :]:
                principal += item.row.principal - item.paid[_PRINCIPAL]
        return Owed(principal, interest, penalty, fees)

    def _accrued_interest(self, run: _Replay, item: _Open, day: date) -> Decimal:
        """The current period's interest up to ``day``, less any already paid.

        Civil Code art. 677: an early repayment owes interest for the days the money was used,
        at the contract's daily rate on the period's opening balance; never more than the
        installment's own interest (a 31-day month at a daily rate can exceed a monthly row's).
        """
        index = run.matured  # ``item`` is the current installment: the first not yet due
        period_start = run.opens[index - 1].row.due_date if index else self.policy.start_date
        elapsed = (day - period_start).days
        if elapsed <= 0:
            return ZERO
        opening = item.row.balance + item.row.principal
        so_far = opening * self.policy.contract_daily_rate * elapsed
        # Capped by what the installment asks: its interest, or less once paid off early.
        accrued = min(quantize(so_far, self.policy.currency), item.due(Component.INTEREST))
        return max(ZERO, accrued - item.paid[Component.INTEREST])

    def _pay_off_if_covered(self, run: _Replay, day: date) -> None:
        """If the money held covers settling on ``day``, pay the debt off that day."""
        if run.advance() < self._settle_figures(run, day).total:
            return
        current = run.current()
        for item in run.opens[run.matured :]:
            if item.settled_on is not None:
                continue  # paid before tracking began: nothing is left to charge on it
            if item is current:
                item.interest_cap = self._accrued_interest(run, item, day)
            else:
                item.interest_cap = ZERO
                if not self.policy.fees_on_payoff:
                    item.fee_cap = ZERO
            self._pay_from_held(run, item, day, run.allocations, ahead=False)
            if item.settled_on is None and item.scheduled_remaining() == 0:
                item.settled_on = day  # e.g. a first period with no interest accrued yet
        run.unapplied += run.advance()
        run.held.clear()
        run.paid_off_on = day

    # ---- the report ----------------------------------------------------------------------

    def _report(self, run: _Replay, today: date) -> LedgerState:
        owed = self._net_of_advance(self._settle_figures(run, today), run.advance())
        # Show the installments the money held in advance will pay, without paying them yet.
        shown = [item if i < run.matured else item.copy() for i, item in enumerate(run.opens)]
        projected: list[Allocation] = []
        held = [_Chunk(c.ref, c.amount) for c in run.held]
        projection = _Replay(opens=shown, clock=today, held=held)
        for item in shown[run.matured :]:
            self._pay_from_held(projection, item, item.row.due_date, projected, ahead=True)
        states: list[InstallmentState] = []
        due_now = overdue_amount = penalty_per_day = ZERO
        for item in shown:
            row = item.row
            remaining = item.scheduled_remaining()
            in_grace = today <= self._grace_end(row)
            penalty_unpaid = ZERO if in_grace else item.remaining(Component.PENALTY)
            status = self._status(item, remaining, today)
            if row.due_date <= today:
                due_now += remaining + penalty_unpaid
            if status is Status.OVERDUE:
                overdue_amount += remaining
                penalty_per_day += self._penalty_base(item) * self._penalty_rate
            states.append(
                InstallmentState(
                    number=row.number,
                    due_date=row.due_date,
                    status=status,
                    scheduled=item.scheduled(),
                    paid=sum(item.paid.values(), ZERO),
                    remaining=remaining,
                    penalty_accrued=ZERO if in_grace else item.penalty,
                    penalty_unpaid=penalty_unpaid,
                    days_overdue=(today - row.due_date).days if status is Status.OVERDUE else 0,
                    settled_on=item.settled_on,
                    paid_by_component=dict(item.paid),
                    before_tracking=row.number <= self.policy.paid_before_tracking,
                )
            )
        return LedgerState(
            today=today,
            installments=tuple(states),
            allocations=(*run.allocations, *projected),
            owed_today=owed,
            due_now=due_now,
            overdue_amount=overdue_amount,
            penalty_per_day=quantize(penalty_per_day, self.policy.currency),
            unapplied=run.unapplied,
            on_time_streak=self._streak(run.opens, today),
            total_paid=run.total_paid,
            advance=run.advance(),
            paid_off_on=run.paid_off_on,
        )

    def _net_of_advance(self, owed: Owed, advance: Decimal) -> Owed:
        """Settle-today's parts once the money held in advance is counted, in the debt's order."""
        parts = {
            Component.PENALTY: owed.penalty,
            Component.FEE: owed.fees,
            Component.INTEREST: owed.interest,
            Component.PRINCIPAL: owed.principal,
        }
        left = advance
        for component in self.policy.order:
            take = min(left, parts[component])
            parts[component] -= take
            left -= take
        return Owed(
            principal=parts[Component.PRINCIPAL],
            interest=parts[Component.INTEREST],
            penalty=parts[Component.PENALTY],
            fees=parts[Component.FEE],
        )

    def _status(self, item: _Open, remaining: Decimal, today: date) -> Status:
        if remaining == 0:
            return Status.PAID
        if today > self._grace_end(item.row):
            return Status.OVERDUE
        if today >= item.row.due_date:
            return Status.DUE
        if remaining < item.scheduled():
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
