"""normalise_text, parse_method, parse_date and parse_term."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import DomainError, InvalidDate, InvalidTerms
from tracker.parsing import MAX_TERM, normalise_text, parse_date, parse_method, parse_term
from tracker.schedule_types import Method

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a  b  ", "a b"),
        ("１２３４，５．６", "1234,5.6"),
        ("￥１００", "¥100"),
        ("１８％", "18%"),
        ("a\u3000b", "a b"),  # ideographic space
        ("a\t\nb", "a b"),
        ("\u200b12\ufeff3", "123"),  # invisible format characters
        ("\u22125", "-5"),  # U+2212 minus sign
        ("年化１８％", "年化18%"),
        ("", ""),
    ],
)
def test_normalise_text(text: str, expected: str) -> None:
    assert normalise_text(text) == expected


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("annuity", Method.ANNUITY),
        ("Annuity", Method.ANNUITY),
        ("equal payment", Method.ANNUITY),
        ("Equal  Payments", Method.ANNUITY),
        ("EMI", Method.ANNUITY),
        ("等额本息", Method.ANNUITY),
        ("等额", Method.ANNUITY),
        (" 等额本息。", Method.ANNUITY),
        ("equal principal", Method.EQUAL_PRINCIPAL),
        ("equal_principal", Method.EQUAL_PRINCIPAL),
        ("等额本金", Method.EQUAL_PRINCIPAL),
        ("interest-only", Method.INTEREST_ONLY),
        ("interest only", Method.INTEREST_ONLY),
        ("INTEREST_ONLY", Method.INTEREST_ONLY),
        ("先息后本", Method.INTEREST_ONLY),
        ("按月付息到期还本", Method.INTEREST_ONLY),
        ("按月付息，到期还本", Method.INTEREST_ONLY),
        ("flat fee", Method.FLAT_FEE),
        ("fee", Method.FLAT_FEE),
        ("installment", Method.FLAT_FEE),
        ("instalments", Method.FLAT_FEE),
        ("分期", Method.FLAT_FEE),
        ("分期手续费", Method.FLAT_FEE),
        ("手续费", Method.FLAT_FEE),
        ("daily", Method.DAILY_ACCRUAL),
        ("Daily Accrual", Method.DAILY_ACCRUAL),
        ("daily_accrual", Method.DAILY_ACCRUAL),
        ("按日计息", Method.DAILY_ACCRUAL),
        ("随借随还", Method.DAILY_ACCRUAL),
        ("custom", Method.CUSTOM),
        ("自定义", Method.CUSTOM),
    ],
)
def test_parse_method(text: str, method: Method) -> None:
    assert parse_method(text) is method


@pytest.mark.parametrize("method", list(Method))
def test_parse_method_accepts_enum_values(method: Method) -> None:
    assert parse_method(method.value) is method


@pytest.mark.parametrize("text", ["", "   ", "loan", "等额本", "balloon", "x" * 200])
def test_parse_method_unknown(text: str) -> None:
    with pytest.raises(InvalidTerms) as info:
        parse_method(text)
    assert info.value.code == "method_unknown"
    assert info.value.params == {"text": text, "choices": [m.value for m in Method]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-15", date(2026, 12, 15)),
        ("2026/12/15", date(2026, 12, 15)),
        ("2026.12.15", date(2026, 12, 15)),
        ("2026-1-5", date(2026, 1, 5)),  # the past is fine with a year (recording a payment)
        ("20261215", date(2026, 12, 15)),
        ("2026年12月15日", date(2026, 12, 15)),
        ("2026年12月15号", date(2026, 12, 15)),
        ("2026 年 12 月 15 日", date(2026, 12, 15)),
        ("２０２６年１２月１５日", date(2026, 12, 15)),
        ("1970-01-01", date(1970, 1, 1)),
        ("2076-03-10", date(2076, 3, 10)),  # exactly 50 years ahead
        ("12-15", date(2026, 12, 15)),
        ("12/15", date(2026, 12, 15)),
        ("3-10", date(2026, 3, 10)),  # today counts as "on or after"
        ("3-9", date(2027, 3, 9)),
        ("1-5", date(2027, 1, 5)),
        ("12月15日", date(2026, 12, 15)),
        ("12月15号", date(2026, 12, 15)),
        ("12月15", date(2026, 12, 15)),
        ("十二月十五日", date(2026, 12, 15)),
        ("2月29日", date(2028, 2, 29)),  # the next 29 February
        ("15日", date(2026, 3, 15)),
        ("15号", date(2026, 3, 15)),
        ("十五号", date(2026, 3, 15)),
        ("15th", date(2026, 3, 15)),
        ("10号", date(2026, 3, 10)),
        ("5号", date(2026, 4, 5)),
        ("31号", date(2026, 3, 31)),
        ("today", TODAY),
        ("Today", TODAY),
        ("今天", TODAY),
        ("tomorrow", date(2026, 3, 11)),
        ("明天", date(2026, 3, 11)),
        ("后天", date(2026, 3, 12)),
        ("yesterday", date(2026, 3, 9)),
        ("昨天", date(2026, 3, 9)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


def test_day_skips_short_months() -> None:
    assert parse_date("31号", today=date(2026, 4, 1)) == date(2026, 5, 31)
    assert parse_date("30日", today=date(2026, 1, 31)) == date(2026, 3, 30)
    assert parse_date("5号", today=date(2026, 12, 6)) == date(2027, 1, 5)


def test_next_leap_day_skips_2100() -> None:
    assert parse_date("2月29日", today=date(2097, 1, 1)) == date(2104, 2, 29)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "date_garbage"),
        ("someday", "date_garbage"),
        ("2026-12", "date_garbage"),
        ("26-12-15", "date_garbage"),
        ("2026-12/15", "date_garbage"),
        ("12345-01-01", "date_garbage"),
        ("15", "date_garbage"),
        ("1" * 200, "date_garbage"),
        ("2026-02-30", "date_impossible"),
        ("2026-02-29", "date_impossible"),
        ("2026-13-01", "date_impossible"),
        ("2026-00-10", "date_impossible"),
        ("2026年4月31日", "date_impossible"),
        ("2月30日", "date_impossible"),
        ("13-01", "date_impossible"),
        ("32号", "date_impossible"),
        ("0号", "date_impossible"),
        ("1969-12-31", "date_out_of_range"),
        ("0000-01-01", "date_out_of_range"),
        ("2076-03-11", "date_out_of_range"),
        ("9999-12-31", "date_out_of_range"),
    ],
)
def test_parse_date_errors(text: str, code: str) -> None:
    with pytest.raises(InvalidDate) as info:
        parse_date(text, today=TODAY)
    assert info.value.code == code
    assert info.value.params["text"] == text


def test_date_error_params() -> None:
    with pytest.raises(InvalidDate) as info:
        parse_date("2月30日", today=TODAY)
    assert info.value.params == {"text": "2月30日", "month": 2, "day": 30}
    with pytest.raises(InvalidDate) as info:
        parse_date("2099-01-01", today=TODAY)
    assert info.value.params["earliest"] == date(1970, 1, 1)
    assert info.value.params["latest"] == date(2076, 3, 10)


def test_fifty_years_from_leap_day() -> None:
    assert parse_date("2074-02-28", today=date(2024, 2, 29)) == date(2074, 2, 28)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2076, 3, 10)))
def test_date_round_trip(value: date) -> None:
    for text in (value.isoformat(), f"{value.year}年{value.month}月{value.day}日"):
        assert parse_date(text, today=TODAY) == value


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1971, 1, 1), max_value=date(2900, 1, 1)))
def test_month_day_is_within_a_year(today: date) -> None:
    parsed = parse_date(f"{today.month}-{today.day}", today=today)
    assert parsed == today
    later = parse_date(f"{today.day}号", today=today + timedelta(days=1))
    assert today < later <= today + timedelta(days=62)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("12", 12),
        ("12期", 12),
        ("12 期", 12),
        ("12个月", 12),
        ("12月", 12),
        ("12 months", 12),
        ("1 month", 1),
        ("12 mo", 12),
        ("12m", 12),
        ("12 installments", 12),
        ("十二期", 12),
        ("二十四个月", 24),
        ("１２期", 12),
        ("1年", 12),
        ("1 year", 12),
        ("2 years", 24),
        ("3yrs", 36),
        ("两年", 24),
        ("1.5年", 18),
        ("半年", 6),
        ("600", 600),
        ("50年", 600),
        ("1", 1),
    ],
)
def test_parse_term(text: str, months: int) -> None:
    assert parse_term(text) == months


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "term_garbage"),
        ("abc", "term_garbage"),
        ("12.5", "term_garbage"),
        ("1.3年", "term_garbage"),  # 15.6 months
        ("12 weeks", "term_garbage"),
        ("12期期", "term_garbage"),
        ("9" * 200, "term_garbage"),
        ("0", "term_range"),
        ("0期", "term_range"),
        ("601", "term_range"),
        ("51年", "term_range"),
        ("-12", "term_range"),
        ("9" * 50, "term_range"),
    ],
)
def test_parse_term_errors(text: str, code: str) -> None:
    with pytest.raises(InvalidTerms) as info:
        parse_term(text)
    assert info.value.code == code
    assert info.value.params["text"] == text


def test_term_range_params() -> None:
    with pytest.raises(InvalidTerms) as info:
        parse_term("601")
    assert info.value.params == {"text": "601", "months": 601, "min": 1, "max": MAX_TERM}


_WORDISH = st.text(alphabet="0123456789-/.年月日号期个十五二两半 yearmonthsdaytoTH", max_size=16)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), _WORDISH), st.dates())
def test_never_crashes(text: str, today: date) -> None:
    for parse in (parse_method, parse_term, lambda t: parse_date(t, today=today)):
        try:
            parse(text)
        except DomainError:
            continue


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Issue 10: English dates are read wherever dates are read (today is 2026-12-01).
        ("Dec 15", date(2026, 12, 15)),
        ("15 December", date(2026, 12, 15)),
        ("December 15th", date(2026, 12, 15)),
        ("Sep 30", date(2027, 9, 30)),  # without a year: the next one
        ("30 September 2026", date(2026, 9, 30)),
        ("Sept 30, 2027", date(2027, 9, 30)),
        ("9/30", date(2027, 9, 30)),
    ],
)
def test_english_month_names_are_dates(text: str, expected: date) -> None:
    from tracker.parsing import parse_date

    assert parse_date(text, today=date(2026, 12, 1)) == expected


def test_an_english_date_that_does_not_exist_is_refused() -> None:
    from tracker.errors import InvalidDate
    from tracker.parsing import parse_date

    with pytest.raises(InvalidDate) as info:
        parse_date("Feb 30", today=date(2026, 12, 1))
    assert info.value.code == "date_impossible"
