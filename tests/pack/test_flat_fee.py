"""A flat-fee debt (分期手续费) in the statement: its fee is printed as worded, never as a rate."""

from __future__ import annotations

from decimal import Decimal

from bot.pack import DebtInput, build_pack, plain_text
from tests.pack.conftest import make_input


def test_a_flat_fee_debt_prints_its_fee_not_a_rate() -> None:
    baitiao = DebtInput(
        "白条",
        Decimal("3000"),
        Decimal("265"),
        Decimal("0"),
        "fee 0.5% a period (about 10.9% a year)",
        is_fee=True,
    )
    en = plain_text(build_pack(make_input("en", debts=(baitiao,))), full=True)
    assert (
        "白条: CN¥3,000.00 outstanding, CN¥265.00 a month, CN¥0.00 overdue; "
        "fee 0.5% a period (about 10.9% a year)"
    ) in en
    assert "rate fee" not in en
    zh_fee = DebtInput(
        "白条",
        Decimal("3000"),
        Decimal("265"),
        Decimal("0"),
        "手续费每期 0.5%（年化约 10.9%）",
        True,
    )
    zh = plain_text(build_pack(make_input("zh", debts=(zh_fee,))), full=True)
    assert "；手续费每期 0.5%（年化约 10.9%）" in zh
    assert "利率 手续费" not in zh
