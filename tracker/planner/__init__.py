"""Hardship planning: what to ask each lender, and whether it fits what the borrower can afford.

Pure: no I/O and no clock (``today`` is passed in); money is Decimal, rounded half up per row.
``plan_all`` shares the affordable amount across debts (``split_affordable``), builds each
debt's options (keep paying, extension, lower payment, waiver, arrears in installments,
settlement), combines them across debts and ranks them (``rank``): fitting first, then the
likeliest to be accepted in the debt's situation (``acceptance``: overdue or not), then cheapest,
then shortest; ``PlanResult.why_first`` says why the first is first. The bot words the options
from their kind, notes and request parameters.
"""

from tracker.planner.plan import acceptance, likelihood, plan_all, rank, why_first
from tracker.planner.split import split_affordable
from tracker.planner.types import (
    DEFAULT_MAX_TERM,
    DISCOUNT_TIERS,
    MAX_DEFERRAL_MONTHS,
    DebtPlan,
    DebtSituation,
    Hardship,
    Note,
    NotPlanned,
    Option,
    OptionKind,
    PlanResult,
    SplitRule,
    Why,
)

__all__ = [
    "DEFAULT_MAX_TERM",
    "DISCOUNT_TIERS",
    "MAX_DEFERRAL_MONTHS",
    "DebtPlan",
    "DebtSituation",
    "Hardship",
    "NotPlanned",
    "Note",
    "Option",
    "OptionKind",
    "PlanResult",
    "SplitRule",
    "Why",
    "acceptance",
    "likelihood",
    "plan_all",
    "rank",
    "split_affordable",
    "why_first",
]
