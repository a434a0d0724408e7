"""Dates already past, as borrowers write them (issue 9): 上周五, 3天前, 上个月20号, 30 Oct,
last Friday, on the 20th; a day/month written in digits is asked about when it could be either.

Every expected date is worked out by hand from the day the test stands on: TODAY is Tuesday
2026-12-01, so this week began on Monday 11-30, last week ran Monday 11-23 to Sunday 11-29.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.errors import InvalidDate
from tracker.parsing.words import parse_past_date

TODAY = date(2026, 12, 1)  # a Tuesday


def test_today_is_a_tuesday() -> None:
    assert TODAY.isoweekday() == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # words for days
        ("今天", TODAY),
        ("today", TODAY),
        ("昨天", date(2026, 11, 30)),
        ("yesterday", date(2026, 11, 30)),
        ("前天", date(2026, 11, 29)),
        ("the day before yesterday", date(2026, 11, 29)),
        ("大前天", date(2026, 11, 28)),
        # so many days or weeks ago
        ("3天前", date(2026, 11, 28)),
        ("三天前", date(2026, 11, 28)),
        ("3日前", date(2026, 11, 28)),
        ("10天以前", date(2026, 11, 21)),
        ("3 days ago", date(2026, 11, 28)),
        ("three days ago", date(2026, 11, 28)),
        ("a day ago", date(2026, 11, 30)),
        ("一周前", date(2026, 11, 24)),
        ("1个星期前", date(2026, 11, 24)),
        ("两周前", date(2026, 11, 17)),
        ("a week ago", date(2026, 11, 24)),
        ("2 weeks ago", date(2026, 11, 17)),
        # weekdays in Chinese: 上周 is the Monday–Sunday week before this one
        ("上周五", date(2026, 11, 27)),
        ("上个星期五", date(2026, 11, 27)),
        ("上礼拜五", date(2026, 11, 27)),
        ("上周一", date(2026, 11, 23)),
        ("上周日", date(2026, 11, 29)),
        ("上周天", date(2026, 11, 29)),
        ("上上周五", date(2026, 11, 20)),
        ("这周一", date(2026, 11, 30)),
        ("本周二", TODAY),
        # a bare weekday: the latest one on or before today
        ("周五", date(2026, 11, 27)),
        ("星期五", date(2026, 11, 27)),
        ("礼拜天", date(2026, 11, 29)),
        ("周二", TODAY),
        ("friday", date(2026, 11, 27)),
        ("on Friday", date(2026, 11, 27)),
        ("tuesday", TODAY),
        # "last Friday": the latest Friday before today; "last Tuesday" on a Tuesday: a week ago
        ("last Friday", date(2026, 11, 27)),
        ("last fri", date(2026, 11, 27)),
        ("last Tuesday", date(2026, 11, 24)),
        ("last Sunday", date(2026, 11, 29)),
        # month and day in Chinese, without a year: the latest such day on or before today
        ("10月20日", date(2026, 10, 20)),
        ("10月20号", date(2026, 10, 20)),
        ("十月二十日", date(2026, 10, 20)),
        ("12月31日", date(2025, 12, 31)),
        ("12月1日", TODAY),
        ("去年10月20日", date(2025, 10, 20)),
        ("今年1月5日", date(2026, 1, 5)),
        ("前年3月1日", date(2024, 3, 1)),
        ("2026年10月20日", date(2026, 10, 20)),
        ("2026-10-20", date(2026, 10, 20)),
        # a day of this or an earlier month
        ("上个月20号", date(2026, 11, 20)),
        ("上月20日", date(2026, 11, 20)),
        ("上上个月20号", date(2026, 10, 20)),
        ("这个月1号", TODAY),
        ("本月1日", TODAY),
        ("20号", date(2026, 11, 20)),
        ("1号", TODAY),
        ("31号", date(2026, 10, 31)),  # November has no 31st
        ("the 20th", date(2026, 11, 20)),
        ("on the 20th", date(2026, 11, 20)),
        ("20th", date(2026, 11, 20)),
        ("the 20th of last month", date(2026, 11, 20)),
        ("the 1st of this month", TODAY),
        # month names
        ("30 Oct", date(2026, 10, 30)),
        ("on 30 Oct", date(2026, 10, 30)),
        ("30th of October", date(2026, 10, 30)),
        ("the 30th of October", date(2026, 10, 30)),
        ("Oct 30", date(2026, 10, 30)),
        ("Oct. 30", date(2026, 10, 30)),
        ("October 30th", date(2026, 10, 30)),
        ("Oct 20", date(2026, 10, 20)),
        ("Dec 25", date(2025, 12, 25)),  # this year's is still ahead
        ("Dec 1", TODAY),
        ("Oct 30, 2025", date(2025, 10, 30)),
        ("30 October 2025", date(2025, 10, 30)),
        ("29 Feb", date(2024, 2, 29)),  # the latest leap day
        # digits: month/day unless only day/month exists
        ("10/20", date(2026, 10, 20)),
        ("20/10", date(2026, 10, 20)),
        ("10.20", date(2026, 10, 20)),
        ("10-20", date(2026, 10, 20)),
        ("5/10", date(2026, 5, 10)),
        ("12/1", TODAY),
        ("20/10/2025", date(2025, 10, 20)),
        ("10/20/2025", date(2025, 10, 20)),
    ],
)
def test_past_dates(text: str, expected: date) -> None:
    assert parse_past_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/10", date(2026, 10, 20)),  # month 20 does not exist: only one reading
        ("10/20", date(2026, 10, 20)),
        ("5/5", date(2026, 5, 5)),  # both readings are the same day
        ("20/10/2025", date(2025, 10, 20)),
        ("31.12", date(2025, 12, 31)),
    ],
)
def test_day_month_order_is_taken_when_only_one_reading_exists(text: str, expected: date) -> None:
    assert parse_past_date(text, today=TODAY, month_first=False) == expected


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        ("5/10", date(2026, 5, 10), date(2026, 10, 5)),
        ("12/1", date(2026, 12, 1), date(2026, 1, 12)),
        ("2.12", date(2026, 2, 12), date(2025, 12, 2)),  # 2 December 2026 is tomorrow
        ("3/4/2025", date(2025, 3, 4), date(2025, 4, 3)),
    ],
)
def test_either_order_is_asked_rather_than_guessed(text: str, first: date, second: date) -> None:
    with pytest.raises(InvalidDate) as info:
        parse_past_date(text, today=TODAY, month_first=False)
    assert info.value.code == "date_ambiguous"
    assert info.value.params == {"text": text, "first": first, "second": second}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("上个月31号", "date_impossible"),  # November has 30 days
        ("2月30日", "date_impossible"),
        ("30 Feb", "date_impossible"),
        ("13/13", "date_impossible"),
        ("99999 days ago", "date_out_of_range"),
        ("someday", "date_garbage"),
        ("上周", "date_garbage"),  # which day of it?
        ("上个月", "date_garbage"),
        ("last month", "date_garbage"),
    ],
)
def test_past_date_errors(text: str, code: str) -> None:
    with pytest.raises(InvalidDate) as info:
        parse_past_date(text, today=TODAY)
    assert info.value.code == code


def test_a_date_in_the_future_is_returned_for_the_caller_to_refuse() -> None:
    assert parse_past_date("这周五", today=TODAY) == date(2026, 12, 4)
    assert parse_past_date("tomorrow", today=TODAY) == date(2026, 12, 2)
    assert parse_past_date("本月20号", today=TODAY) == date(2026, 12, 20)
    assert parse_past_date("2027-01-05", today=TODAY) == date(2027, 1, 5)


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        # Saturday 12-05: last week is still 11-23 … 11-29; the latest Friday was yesterday.
        (date(2026, 12, 5), "上周五", date(2026, 11, 27)),
        (date(2026, 12, 5), "周五", date(2026, 12, 4)),
        (date(2026, 12, 5), "last Friday", date(2026, 12, 4)),
        # Friday 12-04: "Friday" is today, "last Friday" a week ago.
        (date(2026, 12, 4), "Friday", date(2026, 12, 4)),
        (date(2026, 12, 4), "last Friday", date(2026, 11, 27)),
        (date(2026, 12, 4), "上周五", date(2026, 11, 27)),
        # Sunday 12-06 ends this week: 这周日 is today, 上周日 a week ago.
        (date(2026, 12, 6), "这周日", date(2026, 12, 6)),
        (date(2026, 12, 6), "上周日", date(2026, 11, 29)),
        # Monday 11-30: 上周五 is three days back.
        (date(2026, 11, 30), "上周五", date(2026, 11, 27)),
        # January: last month is last year's December.
        (date(2027, 1, 10), "上个月20号", date(2026, 12, 20)),
        (date(2027, 1, 10), "the 20th of last month", date(2026, 12, 20)),
        (date(2027, 1, 10), "20号", date(2026, 12, 20)),
        (date(2027, 1, 10), "Oct 20", date(2026, 10, 20)),
    ],
)
def test_weekdays_and_months_from_other_days(today: date, text: str, expected: date) -> None:
    assert parse_past_date(text, today=today) == expected


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@given(
    st.dates(min_value=date(1971, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(1, 12),
    st.integers(1, 28),
)
def test_a_month_and_day_without_a_year_is_the_latest_on_or_before_today(
    today: date, month: int, day: int
) -> None:
    for text in (f"{day} {_MONTHS[month - 1]}", f"{month}月{day}日"):
        value = parse_past_date(text, today=today)
        assert (value.month, value.day) == (month, day)
        assert today - timedelta(days=366) < value <= today


@given(st.dates(min_value=date(1971, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 6))
def test_a_weekday_is_within_the_last_week(today: date, weekday: int) -> None:
    names = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
    value = parse_past_date(names[weekday], today=today)
    assert value.weekday() == weekday
    assert today - timedelta(days=7) < value <= today
    last_week = parse_past_date("上" + names[weekday], today=today)
    assert last_week.weekday() == weekday
    assert today - timedelta(days=14) < last_week < today - timedelta(days=today.weekday())
