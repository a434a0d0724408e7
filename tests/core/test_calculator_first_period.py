"""`repaybot schedule` with a first period longer than a month: charged, shown and priced."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.cli import main

D = Decimal


def test_a_45_day_first_period_is_charged_and_priced_on_its_days(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        "schedule",
        "--principal", "10000",
        "--rate", "0.05%/day",
        "--term", "12",
        "--start", "2026-12-01",
        "--first-due", "2027-01-15",
    ]  # fmt: skip
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["terms"]["start_date"] == "2026-12-01"
    # 45 days against the 31 from Dec 15 to Jan 15: a month, 10,000 × 0.0005 × 365 / 12 =
    # 152.083…, plus 14 days × 10,000 × 0.0005 = 70: 222.08.
    assert data["rows"][0]["interest"] == "222.08"
    # Priced on the real dates the cost stays about the quoted 18.25 %; counting the 45 days
    # as a month would have put it above 19.5 %.
    simple = D(data["annualised_rate"]["simple"].rstrip("%"))
    assert D("18.0") < simple < D("18.5")
    assert main(argv) == 0
    assert "Money received:  2026-12-01" in capsys.readouterr().out
