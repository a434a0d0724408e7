"""Button arguments: amounts in base 36 and dates as yyyymmdd, read back or refused."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import BadCallback, Callback, base36


@given(st.integers(min_value=0, max_value=36**12 - 1))
def test_an_amount_in_base_36_reads_back(value: int) -> None:
    assert Callback("pay", 7, (base36(value),)).base36_arg(0) == value


def test_base_36_by_hand() -> None:
    assert [base36(v) for v in (0, 35, 36, 50_000)] == [
        "0",
        "z",
        "10",
        "12kw",
    ]  # 1·36³+2·36²+20·36+32


@pytest.mark.parametrize("text", ["", "-1", "A", "1.5", "0123456789abc"])
def test_a_malformed_amount_is_refused(text: str) -> None:
    with pytest.raises(BadCallback):
        Callback("pay", 7, (text,)).base36_arg(0)


def test_a_day_reads_back_and_a_malformed_one_is_refused() -> None:
    assert Callback("pay", 7, ("20261231",)).day_arg(0) == date(2026, 12, 31)
    for text in ("20261332", "2026123", "2026-1-1", "abcdefgh"):
        with pytest.raises(BadCallback):
            Callback("pay", 7, (text,)).day_arg(0)
