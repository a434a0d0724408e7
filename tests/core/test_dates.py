"""Due-date arithmetic: month steps clamped to the month's end, day counts."""

from __future__ import annotations

import calendar
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.dates import add_months, days_between, monthly_due_dates


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 15), 1, date(2024, 2, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2023, 12, 31), 2, date(2024, 2, 29)),  # across a year end
        (date(2024, 1, 31), -2, date(2023, 11, 30)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 5, 10), 24, date(2026, 5, 10)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_months_uses_the_given_day_not_the_clamped_one() -> None:
    assert add_months(date(2023, 2, 28), 1, day=31) == date(2023, 3, 31)
    assert add_months(date(2023, 2, 28), 2, day=31) == date(2023, 4, 30)


@pytest.mark.parametrize("day", [0, 32])
def test_add_months_rejects_impossible_day(day: int) -> None:
    with pytest.raises(ValueError, match="day of month"):
        add_months(date(2024, 1, 1), 1, day=day)


def test_add_months_rejects_years_out_of_range() -> None:
    with pytest.raises(ValueError, match="out of range"):
        add_months(date(9999, 12, 1), 1)
    with pytest.raises(ValueError, match="out of range"):
        add_months(date(1, 1, 1), -1)


def test_due_dates_from_jan_31_keep_the_31st_when_the_month_has_it() -> None:
    assert monthly_due_dates(date(2024, 1, 31), 6) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
        date(2024, 6, 30),
    ]
    assert monthly_due_dates(date(2023, 1, 31), 2)[1] == date(2023, 2, 28)


def test_due_dates_follow_due_day_after_a_clamped_first_date() -> None:
    assert monthly_due_dates(date(2023, 2, 28), 3, due_day=31) == [
        date(2023, 2, 28),
        date(2023, 3, 31),
        date(2023, 4, 30),
    ]


def test_first_due_date_is_kept_even_off_the_due_day() -> None:
    # An irregular first period: first due on the 20th, then the 5th of each month.
    assert monthly_due_dates(date(2024, 1, 20), 3, due_day=5) == [
        date(2024, 1, 20),
        date(2024, 2, 5),
        date(2024, 3, 5),
    ]


def test_due_dates_edge_counts() -> None:
    assert monthly_due_dates(date(2024, 1, 31), 0) == []
    assert monthly_due_dates(date(2024, 1, 31), 1) == [date(2024, 1, 31)]
    assert monthly_due_dates(date(2024, 11, 15), 3)[-1] == date(2025, 1, 15)
    with pytest.raises(ValueError, match="count"):
        monthly_due_dates(date(2024, 1, 31), -1)


def test_days_between() -> None:
    assert days_between(date(2024, 1, 1), date(2024, 1, 11)) == 10
    assert days_between(date(2024, 2, 1), date(2024, 3, 1)) == 29  # leap February
    assert days_between(date(2023, 2, 1), date(2023, 3, 1)) == 28
    assert days_between(date(2024, 1, 11), date(2024, 1, 1)) == -10
    assert days_between(date(2023, 12, 31), date(2024, 12, 31)) == 366


@settings(deadline=None, max_examples=200)
@given(
    d=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    n=st.integers(min_value=-600, max_value=600),
    day=st.none() | st.integers(min_value=1, max_value=31),
)
def test_add_months_moves_exactly_n_months_and_clamps(d: date, n: int, day: int | None) -> None:
    moved = add_months(d, n, day)
    assert (moved.year * 12 + moved.month) - (d.year * 12 + d.month) == n
    wanted = d.day if day is None else day
    assert moved.day == min(wanted, calendar.monthrange(moved.year, moved.month)[1])


@settings(deadline=None, max_examples=100)
@given(
    first=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    count=st.integers(min_value=1, max_value=60),
)
def test_due_dates_increase_one_month_apart(first: date, count: int) -> None:
    dates = monthly_due_dates(first, count)
    assert len(dates) == count
    assert dates[0] == first
    for a, b in pairwise(dates):
        assert (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1
        assert 28 <= days_between(a, b) <= 31
