"""How long a period is: whole months and leftover days, and the month before a due date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.dates import add_months, days_in_month_before, monthly_due_dates, months_and_days

FAST = settings(deadline=None, max_examples=200)


@pytest.mark.parametrize(
    ("due", "days"),
    [
        (date(2024, 2, 15), 31),  # Jan 15 → Feb 15
        (date(2024, 3, 15), 29),  # leap February
        (date(2023, 3, 15), 28),
        (date(2023, 3, 31), 31),  # a month before is Feb 28: 31 days
        (date(2024, 5, 31), 31),  # Apr 30 → May 31
        (date(2024, 1, 10), 31),  # December
        (date(1, 1, 15), 31),  # the December before year 1 has no date, but 31 days
    ],
)
def test_days_in_month_before(due: date, days: int) -> None:
    assert days_in_month_before(due) == days


@FAST
@given(st.dates(date(1, 2, 1), date(9999, 12, 31)))
def test_days_in_month_before_is_the_span_from_a_month_before(d: date) -> None:
    assert days_in_month_before(d) == (d - add_months(d, -1)).days


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 1, 1), date(2024, 2, 15), (1, 14)),  # a 45-day first period
        (date(2024, 1, 10), date(2025, 1, 10), (12, 0)),
        (date(2024, 2, 1), date(2024, 2, 15), (0, 14)),
        (date(2023, 1, 31), date(2023, 2, 28), (1, 0)),  # forward from a 31st, clamped
        (date(2023, 2, 28), date(2023, 3, 31), (1, 0)),  # back from a month end
        (date(2023, 12, 31), date(2024, 4, 30), (4, 0)),
        (date(2024, 1, 30), date(2024, 3, 1), (1, 1)),  # Feb 29 + 1 day
        (date(2024, 1, 20), date(2024, 2, 19), (0, 30)),
        (date(2024, 5, 5), date(2024, 5, 5), (0, 0)),
    ],
)
def test_months_and_days(start: date, end: date, expected: tuple[int, int]) -> None:
    assert months_and_days(start, end) == expected


def test_months_and_days_refuses_a_backwards_span() -> None:
    with pytest.raises(ValueError, match="before"):
        months_and_days(date(2024, 2, 1), date(2024, 1, 31))


@FAST
@given(
    start=st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    length=st.integers(0, 20000),
)
def test_months_and_days_is_the_most_months_that_fit(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    months, days = months_and_days(start, end)
    assert 0 <= days <= 30
    # The months fit one way or the other with ``days`` left over …
    assert add_months(start, months) + timedelta(days=days) == end or (
        add_months(end, -months) - timedelta(days=days) == start
    )
    # … and one more month fits neither way.
    assert add_months(start, months + 1) > end
    assert add_months(end, -(months + 1)) < start


@FAST
@given(
    first_due=st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    count=st.integers(1, 60),
)
def test_every_row_of_a_monthly_schedule_is_whole_months_after_its_regular_start(
    first_due: date, count: int
) -> None:
    start = add_months(first_due, -1)  # the schedule's default start
    dates = monthly_due_dates(first_due, count)
    assert [months_and_days(start, d) for d in dates] == [(k, 0) for k in range(1, count + 1)]
