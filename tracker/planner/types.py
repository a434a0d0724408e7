"""The planner's vocabulary: a debt's situation, the hardship, options and the plan result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tracker.capacity import Budget, Capacity, assess
from tracker.errors import InvalidAmount
from tracker.money import ZERO, quantize
from tracker.rates import Rate
from tracker.schedule_types import Method, ScheduleRow
from tracker.storage.enums import DebtKind

#: The longest new plan when the lender has not said: credit cards may get 个性化分期 of up to
#: 60 months (信用卡业务监督管理办法 art. 70); consumer lenders rarely go past 36.
DEFAULT_MAX_TERM: dict[DebtKind, int] = {
    DebtKind.CREDIT_CARD: 60,
    DebtKind.CONSUMER_LOAN: 36,
    DebtKind.OTHER: 60,
}

#: An extension asks for at most this many months without payments.
MAX_DEFERRAL_MONTHS = 6

#: Settlement asks, as percent off what is owed today, the smallest discount first.
DISCOUNT_TIERS: tuple[int, ...] = (0, 10, 20, 30)

#: Months of expenses a lump sum must leave in savings.
SETTLEMENT_RESERVE_MONTHS = 1

Params = dict[str, str | int | Decimal]


class OptionKind(StrEnum):
    """What an option asks of the lender; the order is the tie-break in rankings."""

    CURRENT = "current"  # keep paying as planned, catching up on arrears now
    SETTLEMENT = "settlement"  # one lump sum from savings, maybe discounted
    WAIVER = "waiver"  # 停息挂账-style: principal (and fees) only, interest and penalty waived
    OVERDUE_INSTALLMENTS = "overdue_installments"  # arrears spread beside the current schedule
    LOWER_PAYMENT = "lower_payment"  # re-amortised over a longer term
    EXTENSION_FROZEN = "extension_frozen"  # pay nothing for a while, interest frozen
    EXTENSION_INTEREST_ONLY = "extension_interest_only"  # pay interest only for a while
    EXTENSION_PAUSE = "extension_pause"  # pay nothing for a while, interest keeps running
    MIXED = "mixed"  # across debts: each debt's best option


class Note(StrEnum):
    """Honest caveats the bot words next to an option."""

    NOT_A_RIGHT = "not_a_right"  # the lender may refuse: discretionary
    NEEDS_LENDER_CONSENT = "needs_lender_consent"  # 展期 needs consent, Civil Code art. 678
    CREDIT_RECORD_STAYS = "credit_record_stays"  # an overdue record stays 5 years (征信条例 16)
    INTEREST_CONTINUES = "interest_continues"  # deferred, not forgiven
    INTEREST_FROZEN_IF_AGREED = "interest_frozen_if_agreed"  # only if the lender agrees
    PENALTY_MAY_CONTINUE = "penalty_may_continue"  # until the arrears are cleared
    COSTS_MORE = "costs_more"  # more paid in total than the current plan
    PERSONALISED_INSTALLMENTS = "personalised_installments"  # credit cards: art. 70, ≤ 60 months
    GET_IT_IN_WRITING = "get_it_in_writing"  # a settlement only counts once confirmed in writing


class Why(StrEnum):
    """Why the first ranked option is first; the bot says it in one line (``plan.why_first``)."""

    NO_ASK = "no_ask"  # it fits and asks the lender for nothing: keep to the current plan
    ONLY_FIT = "only_fit"  # the only option that fits the budget
    LIKELIEST = "likeliest"  # fits, and is the ask likeliest to be accepted in the situation
    CHEAPEST = "cheapest"  # fits, as likely to be accepted as the next one, and costs less
    CLOSEST = "closest"  # nothing fits: the smallest monthly shortfall


class SplitRule(StrEnum):
    """How the affordable amount is shared across debts."""

    PRO_RATA = "pro_rata"  # to balances: what debt advisers propose to creditors
    AVALANCHE = "avalanche"  # highest rate first: costs least
    SNOWBALL = "snowball"  # smallest balance first: early wins


@dataclass(frozen=True, slots=True)
class DebtSituation:
    """One debt as of today, in major units of ``currency`` (LedgerState's figures)."""

    debt_id: int
    name: str
    kind: DebtKind
    currency: str
    principal: Decimal  # all outstanding principal, the overdue part included
    overdue: Decimal  # scheduled principal, interest and fees past due and unpaid
    interest: Decimal  # what settling today owes in interest (Owed.interest)
    penalty: Decimal  # unpaid
    # What settling today owes in fees (Owed.fees): the fees already charged, the current
    # period's, and the later periods' when the lender still charges them on an early payoff.
    fees: Decimal
    # CUSTOM debts should pass an equivalent rate: proposals re-amortise at it. FLAT_FEE debts
    # pass their annualised rate too, but only to rank them (highest rate first): their
    # proposals are priced by ``period_fee`` (rows.reamortise), never re-amortised at a rate.
    rate: Rate
    method: Method
    # The current plan's installments not yet overdue: their principal + the overdue principal
    # is ``principal``.
    remaining: tuple[ScheduleRow, ...]
    monthly_payment: Decimal
    day_count: int = 365
    due_day: int | None = None
    max_term_months: int | None = None
    # FLAT_FEE (分期手续费): the fee each period charges on the ORIGINAL principal, P·f.
    period_fee: Decimal = ZERO
    # The part of ``fees`` for installments not yet due (the current period's fee, and the
    # later periods' when they are owed on payoff): not charged yet, so a waiver drops it.
    fees_ahead: Decimal = ZERO
    # The unpaid fees of the installments after the current period: what an early payoff
    # still owes when the lender charges them (``fees_on_payoff``), and saves otherwise.
    later_fees: Decimal = ZERO
    # Whether the lender charges ``later_fees`` on an early payoff; None: not asked yet, taken
    # as yes (the conservative answer), as the ledger does.
    fees_on_payoff: bool | None = None
    # A credit card repaid as the bank's minimum asks (tracker.services.cards): ``remaining`` is
    # the minimum-only projection, which can run for years, not a term anyone agreed. A new plan
    # may be shorter than it, and its length is capped by the debt's maximum alone (个性化分期
    # under art. 70: 60 months), never stretched to the projection's length.
    revolving: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "remaining", tuple(self.remaining))
        money = ("principal", "overdue", "interest", "penalty", "fees", "monthly_payment")
        for name in (*money, "period_fee", "fees_ahead", "later_fees"):
            _check_money(getattr(self, name), self.currency, name)
        if self.fees_ahead > self.fees:
            raise InvalidAmount("fees ahead exceed the fees", code="situation_inconsistent")
        future = sum((r.principal for r in self.remaining), ZERO)
        if future > self.principal or self.principal - future > self.overdue:
            # The arithmetic below relies on outstanding = overdue part + future installments.
            raise InvalidAmount(
                "principal does not match the installments", code="situation_inconsistent"
            )
        if self.max_term_months is not None and self.max_term_months < 1:
            raise InvalidAmount("max term must be positive", code="max_term_range")

    @property
    def owed_today(self) -> Decimal:
        """What settling today would take: principal, interest, penalty and fees."""
        return self.principal + self.interest + self.penalty + self.fees

    @property
    def arrears(self) -> Decimal:
        """What is past due: the overdue installments and the penalty on them."""
        return self.overdue + self.penalty

    @property
    def overdue_principal(self) -> Decimal:
        """The principal inside the overdue amount."""
        return self.principal - sum((r.principal for r in self.remaining), ZERO)

    @property
    def arrears_charges(self) -> Decimal:
        """The arrears that are not principal: overdue interest and fees, and the penalty."""
        return self.arrears - self.overdue_principal

    @property
    def charged_fees(self) -> Decimal:
        """The fees already charged (installments due), unpaid: ``fees`` less ``fees_ahead``."""
        return self.fees - self.fees_ahead

    @property
    def remaining_fees(self) -> Decimal:
        """The fees the installments not yet overdue still carry under the current plan."""
        return sum((r.fee for r in self.remaining), ZERO)

    @property
    def is_flat_fee(self) -> bool:
        """Priced by a fee per period on the original principal (白条, card installments)."""
        return self.method is Method.FLAT_FEE

    @property
    def need(self) -> Decimal:
        """What the debt asks by its next installment to be on track: arrears plus a month."""
        return self.arrears + self.monthly_payment

    @property
    def plan_total(self) -> Decimal:
        """What keeping to the current plan costs from today: arrears plus every installment."""
        return self.arrears + sum((r.payment for r in self.remaining), ZERO)

    @property
    def max_term(self) -> int:
        """The longest new plan in months; a current plan already longer is not cut short,
        unless it is a card's minimum-only projection (``revolving``)."""
        limit = self.max_term_months or DEFAULT_MAX_TERM[self.kind]
        if self.revolving:
            return limit
        return max(limit, len(self.remaining), 1)


@dataclass(frozen=True, slots=True)
class Hardship:
    """The borrower's month after the change, in one currency."""

    currency: str
    monthly_income: Decimal
    fixed_expenses: Decimal = ZERO
    other_debt_payments: Decimal = ZERO  # debts not being planned
    new_monthly_expense: Decimal = ZERO
    one_off_expense: Decimal = ZERO
    savings: Decimal = ZERO
    duration_months: int | None = None  # None: for good
    living_reserve: Decimal | None = None  # None: tracker.capacity's default share of income

    def __post_init__(self) -> None:
        for name in ("new_monthly_expense", "one_off_expense"):
            _check_money(getattr(self, name), self.currency, name)
        if self.duration_months is not None and self.duration_months < 1:
            raise InvalidAmount("duration must be positive", code="duration_range")

    def budget(self) -> Budget:
        """The capacity budget: the new expense is a fixed one, the one-off comes off savings."""
        return Budget(
            currency=self.currency,
            monthly_income=self.monthly_income,
            fixed_expenses=self.fixed_expenses + self.new_monthly_expense,
            other_debt_payments=self.other_debt_payments,
            savings=max(ZERO, self.savings - self.one_off_expense),
            living_reserve=self.living_reserve,
        )

    def capacity(self, planned: Decimal) -> Capacity:
        """What the month leaves for the planned debts, against ``planned`` payments."""
        return assess(self.budget(), planned)

    @property
    def lump_available(self) -> Decimal:
        """Savings a settlement may use: after the one-off and a month's expenses."""
        monthly = self.fixed_expenses + self.new_monthly_expense
        spare = self.savings - self.one_off_expense - monthly * SETTLEMENT_RESERVE_MONTHS
        return quantize(max(ZERO, spare), self.currency)

    @property
    def deferral_months(self) -> int:
        """How long an extension asks to pause: the hardship, at most MAX_DEFERRAL_MONTHS."""
        return min(self.duration_months or MAX_DEFERRAL_MONTHS, MAX_DEFERRAL_MONTHS)


@dataclass(frozen=True, slots=True)
class Option:
    """One way through: a schedule and what it means against the budget and the current plan."""

    kind: OptionKind
    debt_ids: tuple[int, ...]
    currency: str
    rows: tuple[ScheduleRow, ...]  # monthly; for a combined option, totals per calendar month
    lump_sum: Decimal  # paid today from savings (a settlement)
    budget: Decimal  # the monthly amount the option is judged against
    typical_payment: Decimal
    first_payment: Decimal
    max_payment: Decimal
    months: int
    total_paid: Decimal
    interest_and_fees: Decimal
    vs_current_total: Decimal  # positive: costs more than the current plan
    vs_current_monthly: Decimal  # typical payment − current monthly payment
    fits: bool  # every row within the budget, and the lump sum within the savings available
    margin: Decimal  # budget − the largest payment of any row; negative when short
    hardship_margin: Decimal | None  # the same over a temporary hardship's months only
    notes: tuple[Note, ...]
    request: Params = field(default_factory=dict)
    parts: tuple[Option, ...] = ()  # combined options: one per debt

    @property
    def shortfall(self) -> Decimal:
        """How much a month is missing in the tightest month; zero when it fits."""
        return max(ZERO, -self.margin)


@dataclass(frozen=True, slots=True)
class DebtPlan:
    """One debt's options, ranked, with its share of the affordable amount."""

    debt_id: int
    name: str
    share: Decimal  # from split_affordable
    budget: Decimal  # share plus what the split left unallocated
    max_term: int
    current: Option
    options: tuple[Option, ...]  # ranked, the current plan among them
    arrears: Decimal = ZERO  # what is past due now, penalty included (DebtSituation.arrears)


@dataclass(frozen=True, slots=True)
class NotPlanned:
    """A debt left out of the plan, and why (``other_currency`` or ``nothing_owed``)."""

    debt_id: int
    name: str
    currency: str
    reason: str


@dataclass(frozen=True, slots=True)
class PlanResult:
    """Everything the planner found for one hardship."""

    today: date
    currency: str
    rule: SplitRule
    capacity: Capacity
    affordable: Decimal
    lump_available: Decimal
    debts: tuple[DebtPlan, ...]
    combined: tuple[Option, ...]  # across debts; empty with a single debt
    ranked: tuple[Option, ...]  # combined options, or the single debt's options
    nothing_fits: bool
    shortfall: Decimal  # the smallest monthly shortfall when nothing fits, else zero
    not_planned: tuple[NotPlanned, ...]
    why_first: Why | None = None  # why ``ranked[0]`` leads; None when nothing is ranked
    overdue: bool = False  # whether any planned debt has something past due
    # What the planned debts have past due now (``DebtSituation.arrears``, penalty included):
    # on top of ``capacity.planned``, the regular monthly payments.
    arrears: Decimal = ZERO


def _check_money(value: object, currency: str, name: str) -> None:
    if not isinstance(value, Decimal):  # floats must never reach a money path
        raise TypeError(f"{name} must be Decimal, got {type(value).__name__}")
    if not value.is_finite() or value < 0:
        raise InvalidAmount(f"{name} is negative", code="amount_negative", field=name)
    if value != quantize(value, currency):
        raise InvalidAmount(f"{name} has too many digits", code="amount_precision", field=name)


def kind_order(kind: OptionKind) -> int:
    """The tie-break position of ``kind`` in rankings."""
    return list(OptionKind).index(kind)


def totals_of(rows: Sequence[ScheduleRow]) -> tuple[Decimal, Decimal]:
    """Total payment and total principal of ``rows``."""
    return sum((r.payment for r in rows), ZERO), sum((r.principal for r in rows), ZERO)
