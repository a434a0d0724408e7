"""How likely an installment is to be missed, so the bot can warn while there is time to act.

Score (capped at 100), from the facts we hold rather than guesses:

- ``due_exceeds_affordable`` +50: the installment alone is more than the month's affordable amount.
- ``crowded_week`` +25: it fits alone, but not with the other installments due the same ISO week
  (across debts). Not added on top of the above: that reason already says it does not fit.
- ``recent_late`` +10 per late payment in the last 90 days, at most +30.
- ``recent_partial`` +10 per partial payment in the last 90 days, at most +20.
- ``recent_hardship`` +30 once any hardship report exists from the last 60 days.
- ``no_budget`` +0: reported so the message can suggest a budget; not knowing is not a risk.

Levels: high at 50 and above, medium 30–49, low below 30. A warning is sent
``RISK_LEAD_DAYS`` days before the due date when the level is high, or medium with a hardship
report: the user has told us their situation changed, and a few days is what it takes to ask the
lender for an extension; medium from history alone would nag people who are merely untidy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from tracker.money import ZERO, quantize

#: Days before the due date the warning goes out: enough to move money or call the lender.
RISK_LEAD_DAYS = 5

WEIGHT_DUE_EXCEEDS = 50
WEIGHT_CROWDED_WEEK = 25
WEIGHT_LATE, CAP_LATE = 10, 30
WEIGHT_PARTIAL, CAP_PARTIAL = 10, 20
WEIGHT_HARDSHIP = 30
MAX_SCORE = 100
HIGH_AT = 50
MEDIUM_AT = 30


class RiskLevel(StrEnum):
    """How worried the bot is about one installment."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Reason(NamedTuple):
    """One cause of risk: a stable code for the message catalog and its JSON-friendly params."""

    code: str
    params: dict[str, str | int]


@dataclass(frozen=True, slots=True)
class RiskInputs:
    """What is known about one upcoming installment and the borrower's recent record.

    ``affordable`` is the monthly amount from ``Capacity.affordable`` in this installment's
    currency; None without a budget (or with one in another currency).
    """

    currency: str
    amount_due: Decimal
    due_date: date
    days_until_due: int  # carried for the message; timing is RISK_LEAD_DAYS' job, not the score's
    affordable: Decimal | None
    other_due_same_week: Decimal = ZERO  # other installments due in the due date's ISO week
    recent_late: int = 0  # late payments, last 90 days
    recent_partial: int = 0  # partial payments, last 90 days
    recent_hardship: int = 0  # hardship reports, last 60 days

    def __post_init__(self) -> None:
        amounts = (self.amount_due, self.other_due_same_week, self.affordable or ZERO)
        counts = (self.recent_late, self.recent_partial, self.recent_hardship)
        if min(amounts) < 0 or min(counts) < 0:
            raise ValueError("risk inputs must not be negative")


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """A score 0..100, its level and the reasons behind it, heaviest first."""

    score: int
    level: RiskLevel
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes alone."""
        return tuple(reason.code for reason in self.reasons)


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of ``day``'s ISO week: the span ``other_due_same_week`` covers."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def assess_risk(inputs: RiskInputs) -> RiskAssessment:
    """Score the risk that ``inputs``' installment is missed."""
    cur = inputs.currency
    scored: list[tuple[int, Reason]] = []
    if inputs.affordable is None:
        scored.append((0, Reason("no_budget", {})))
    elif inputs.amount_due > inputs.affordable:
        due, affordable = _money(inputs.amount_due, cur), _money(inputs.affordable, cur)
        reason = Reason("due_exceeds_affordable", {"due": due, "affordable": affordable})
        scored.append((WEIGHT_DUE_EXCEEDS, reason))
    elif inputs.amount_due + inputs.other_due_same_week > inputs.affordable:
        week_total = inputs.amount_due + inputs.other_due_same_week
        params: dict[str, str | int] = {
            "week_total": _money(week_total, cur),
            "affordable": _money(inputs.affordable, cur),
        }
        scored.append((WEIGHT_CROWDED_WEEK, Reason("crowded_week", params)))
    for code, count, weight, cap in (
        ("recent_late", inputs.recent_late, WEIGHT_LATE, CAP_LATE),
        ("recent_partial", inputs.recent_partial, WEIGHT_PARTIAL, CAP_PARTIAL),
        ("recent_hardship", inputs.recent_hardship, WEIGHT_HARDSHIP, WEIGHT_HARDSHIP),
    ):
        if count > 0:
            scored.append((min(count * weight, cap), Reason(code, {"count": count})))
    score = min(MAX_SCORE, sum(points for points, _ in scored))
    # Stable sort: equal weights keep the documented order, so messages read the same each time.
    reasons = tuple(reason for _, reason in sorted(scored, key=lambda pair: -pair[0]))
    return RiskAssessment(score=score, level=level_for(score), reasons=reasons)


def level_for(score: int) -> RiskLevel:
    """The level a score falls in."""
    if score >= HIGH_AT:
        return RiskLevel.HIGH
    if score >= MEDIUM_AT:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def should_warn(assessment: RiskAssessment) -> bool:
    """True when a risk warning is worth a message: high, or medium with a hardship report."""
    if assessment.level is RiskLevel.HIGH:
        return True
    return assessment.level is RiskLevel.MEDIUM and "recent_hardship" in assessment.codes


def _money(amount: Decimal, currency: str) -> str:
    return f"{quantize(amount, currency):f}"
