"""`repaybot schedule`: the calculator on the command line."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.cli import EXIT_USAGE, main

BASE = [
    "schedule",
    "--principal",
    "10000",
    "--rate",
    "0.05%/day",
    "--term",
    "12",
    "--start",
    "2026-12-15",
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*BASE, *args]) if args[:1] != ("raw",) else main(list(args[1:]))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_schedule_matches_the_lenders_arithmetic(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--json")
    assert code == 0
    data = json.loads(out, parse_float=Decimal)
    rows = data["rows"]
    assert len(rows) == 12
    assert rows[0]["due_date"] == "2027-01-15"  # a month after the money arrived
    # 10,000 × 0.05 % × 365 / 12 = 152.083… → 152.08 of interest in the first month.
    assert rows[0]["interest"] == "152.08"
    assert sum(Decimal(r["principal"]) for r in rows) == Decimal(10000)
    assert isinstance(rows[0]["payment"], str)  # amounts are strings, never floats
    assert data["annualised_rate"]["simple"] == "18.25%"


def test_text_table_shows_totals_and_rate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "zh")
    assert code == 0
    assert "¥917.99" in out
    assert "Annualised rate" in out


def test_flat_fee_installments_cost_far_more_than_twelve_times_the_fee(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys,
        "raw",
        "schedule",
        "--principal", "12000",
        "--rate", "0%",
        "--term", "12",
        "--method", "flat_fee",
        "--fee-rate", "0.5%",
        "--start", "2026-12-15",
        "--json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["rows"][0]["payment"] == "1060.00"  # 12,000 / 12 + 12,000 × 0.5 %
    simple = Decimal(data["annualised_rate"]["simple"].rstrip("%"))
    assert Decimal("10.5") < simple < Decimal("11.5")  # not 6 %: the fee is on the original sum


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--principal", "abc"], "amount"),
        (["--rate", "lots"], "rate"),
        (["--term", "0"], "term"),
        (["--method", "magic"], "method"),
        (["--fee-rate", "x%"], "fee-rate"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    argv = list(BASE)
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert message in err.lower()


def test_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["schedule", "--principal", "1", "--rate", "1%", "--term", "1", "--start", "soon"])
    assert info.value.code == EXIT_USAGE
    assert "2026-12-15" in capsys.readouterr().err
