"""A borrower who lost her job and asks to stretch her 金条 loan over two years."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.pack import Change, DebtInput, Installment, OptionInput, OptionKind, PackInput


def _add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, start.day)


def schedule(first: date, count: int, amount: Decimal) -> tuple[Installment, ...]:
    """``count`` equal monthly payments from ``first``."""
    return tuple(Installment(_add_months(first, k), amount) for k in range(count))


def make_input(language: str = "zh", **changes: object) -> PackInput:
    """The standard case; keyword arguments replace fields."""
    first = date(2027, 1, 15)
    option = OptionInput(
        kind=OptionKind.EXTENSION,
        monthly_payment=Decimal("1050.00"),
        months=24,
        first_payment=first,
        total_paid=Decimal("25200.00"),
        interest_and_fees=Decimal("3200.00"),
        difference=Decimal("1800.00"),
        schedule=schedule(first, 24, Decimal("1050.00")),
    )
    data = PackInput(
        language=language,
        today=date(2026, 12, 1),
        borrower_name="张小明",
        lender="金条",
        account_hint="尾号 4821",
        currency="CNY",
        income_before=Decimal("9000"),
        income_now=Decimal("3200"),
        fixed_expenses=Decimal("1800"),
        other_debt_payments=Decimal("300"),
        savings=Decimal("2000"),
        what_changed=Change.JOB_LOSS,
        what_changed_note=None,
        since=date(2026, 9, 30),
        duration_months=6,
        debts=(
            DebtInput("金条", Decimal("22000"), Decimal("2100"), Decimal("2100"), "年化 18%"),
            DebtInput("招行信用卡", Decimal("6000"), Decimal("300"), Decimal("0"), ""),
        ),
        option=option,
        affordable_per_month=Decimal("1100"),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


@pytest.fixture(params=["zh", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)
