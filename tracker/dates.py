"""Calendar arithmetic for due dates: month steps clamped to the month's last day."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(d: date, n: int, day: int | None = None) -> date:
    """``d`` moved ``n`` months (may be negative) onto ``day`` (default ``d.day``), clamped.

    Jan 31 + 1 month is Feb 28 (or 29); raises ValueError outside year 1..9999 or day 1..31.
    """
    target = d.day if day is None else day
    if not 1 <= target <= 31:
        raise ValueError(f"day of month must be 1..31, not {target}")
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} is out of range")
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(target, last))


def monthly_due_dates(first_due: date, count: int, due_day: int | None = None) -> list[date]:
    """``count`` due dates: ``first_due``, then each following month on ``due_day`` clamped.

    ``due_day`` defaults to ``first_due.day``; it is kept separately from each date so a loan
    first due Jan 31 falls Feb 28/29, Mar 31, Apr 30 rather than drifting to the 28th.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    if count == 0:
        return []
    day = first_due.day if due_day is None else due_day
    return [first_due] + [add_months(first_due, k, day) for k in range(1, count)]


def days_between(a: date, b: date) -> int:
    """Days from ``a`` to ``b`` (negative when ``b`` is earlier)."""
    return (b - a).days


def days_in_month_before(d: date) -> int:
    """Days from one month before ``d`` (clamped, as ``add_months(d, -1)``) to ``d``.

    Never fails, even for January of year 1: the month before is a December, 31 days long.
    """
    previous = 31 if d.month == 1 else calendar.monthrange(d.year, d.month - 1)[1]
    # One month before is day min(d.day, previous) of that month, which lies
    # previous − min(d.day, previous) + d.day = max(previous, d.day) days before ``d``.
    return max(previous, d.day)


def months_and_days(start: date, end: date) -> tuple[int, int]:
    """Whole calendar months from ``start`` to ``end`` and the days left over.

    A month counts when stepping it forward from ``start`` or back from ``end`` stays inside
    the span, so month ends line up: Jan 31 → Feb 28 and Feb 28 → Mar 31 are one month each,
    and every row of a monthly schedule is a whole number of months after its regular start.
    Raises ValueError when ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError(f"{end} is before {start}")
    months = (end.year - start.year) * 12 + end.month - start.month
    while True:  # at most two steps: the calendar difference overshoots by at most one
        leftovers = []
        forward = add_months(start, months)
        if forward <= end:
            leftovers.append(days_between(forward, end))
        back = add_months(end, -months)
        if back >= start:
            leftovers.append(days_between(start, back))
        if leftovers:
            return months, min(leftovers)
        months -= 1
