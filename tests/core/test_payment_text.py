"""Recognising payment messages (zh and en), /paid's words, payment dates, the debt's currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.errors import DomainError, InvalidAmount, InvalidDate
from tracker.parsing.payment_text import (
    PaymentRequest,
    PaymentText,
    amount_for,
    parse_paid_command,
    parse_paid_on,
    recognise_payment,
    resolve,
)

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Chinese
        ("还了500", PaymentText("500")),
        ("已还 500元", PaymentText("500元")),
        ("还款500", PaymentText("500")),
        ("还款 500 元", PaymentText("500 元")),
        ("已还款500", PaymentText("500")),
        ("已经还了1.2万", PaymentText("1.2万")),
        ("还了¥800", PaymentText("¥800")),
        ("还了500块钱", PaymentText("500块钱")),
        ("还了500元了", PaymentText("500元")),
        ("刚还了500。", PaymentText("500")),
        ("刚刚还了500", PaymentText("500")),
        ("我还了500", PaymentText("500")),
        ("金条还了800", PaymentText("800", "金条")),
        ("金条已还800", PaymentText("800", "金条")),
        ("给金条还了800", PaymentText("800", "金条")),
        ("我的花呗还了500", PaymentText("500", "花呗")),
        ("还了金条800", PaymentText("800", "金条")),
        ("还款 招行信用卡 800", PaymentText("800", "招行信用卡")),
        ("JD白条还了300", PaymentText("300", "JD白条")),
        ("昨天还了500", PaymentText("500", None, "昨天")),
        ("我昨天给金条还了800", PaymentText("800", "金条", "昨天")),
        ("金条今天还了800", PaymentText("800", "金条", "今天")),
        ("前天还款500", PaymentText("500", None, "前天")),
        ("ｊｄ还了５００", PaymentText("500", "jd")),  # full-width
        # Amounts in Chinese words (issue 8): parse_amount reads them
        ("还了五百", PaymentText("五百")),
        ("还了一千二", PaymentText("一千二")),
        ("已还 两千块", PaymentText("两千块")),
        ("还了花呗3千5", PaymentText("3千5", "花呗")),
        ("金条还了1万2", PaymentText("1万2", "金条")),
        ("我昨天给金条还了一万二千元", PaymentText("一万二千元", "金条", "昨天")),
        # English
        ("paid 500", PaymentText("500")),
        ("Paid 500.", PaymentText("500")),
        ("I paid 500", PaymentText("500")),
        ("I paid 500 to 金条", PaymentText("500", "金条")),
        ("I've paid ¥800 to my JD loan", PaymentText("¥800", "JD loan")),
        ("I’ve just paid 1,200.50", PaymentText("1,200.50")),
        ("just paid 5k to the credit card", PaymentText("5k", "credit card")),
        ("repaid 300 yesterday", PaymentText("300", None, "yesterday")),
        ("paid 500 RMB to Jintiao today", PaymentText("500 RMB", "Jintiao", "today")),
        ("I have paid 200 for 白条", PaymentText("200", "白条")),
    ],
)
def test_payment_messages_are_recognised(text: str, expected: PaymentText) -> None:
    assert recognise_payment(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Chinese: plans, doubts, questions, totals, other topics
        "还了",
        "500",
        "还500",
        "没还500",
        "还没还500",
        "我要还500",
        "明天还了500",
        "下个月还款500",
        "还了500吗",
        "还了500？",
        "还了500还差200",
        "一共还了5000",
        "每月还款500",
        "上个月还了500",
        "如果还了500会怎样",
        "还款日15号",
        "还款12期",
        "还了3期",
        "应该还了500",
        "能不能还500",
        "还了一半",  # half of what? not an amount
        "还了三期",
        "一共还了五千",
        "你好",
        # English
        "pay 500",
        "paid",
        "paid 500?",
        "I will pay 500",
        "I haven't paid 500",
        "not paid 500",
        "I paid 500 too much",
        "paid 0x500",
        "paid 500 bucks",
        "how much have I paid",
        "/paid 500",
        "",
        "刚刚" * 50,  # once made the regex backtrack for minutes
        "已" * 99,
    ],
)
def test_other_text_is_not_a_payment(text: str) -> None:
    assert recognise_payment(text) is None


def test_zero_or_unreadable_amounts_are_not_payments() -> None:
    assert recognise_payment("还了0") is None
    assert recognise_payment("paid 1,23") is None  # ambiguous separators


def test_long_text_is_not_a_payment() -> None:
    assert recognise_payment("还了500" + "。" * 200) is None


@given(st.text(max_size=60))
def test_recognising_never_raises(text: str) -> None:
    found = recognise_payment(text)
    if found is not None:
        assert found.amount_text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["500"], PaymentRequest("500", None, TODAY)),
        (["500", "金条"], PaymentRequest("500", "金条", TODAY)),
        (["1.2万", "信用卡", "2026-11-10"], PaymentRequest("1.2万", "信用卡", date(2026, 11, 10))),
        (["¥800", "yesterday"], PaymentRequest("¥800", None, date(2026, 11, 30))),
        (["¥", "800", "招行", "信用卡"], PaymentRequest("¥ 800", "招行 信用卡", TODAY)),
        (["500", "元", "金条", "昨天"], PaymentRequest("500 元", "金条", date(2026, 11, 30))),
        (["500", "金条", "前天"], PaymentRequest("500", "金条", date(2026, 11, 29))),
        (["500", "11月30日"], PaymentRequest("500", None, date(2026, 11, 30))),
        (["500", "12月1日"], PaymentRequest("500", None, TODAY)),
        (["500", "15号"], PaymentRequest("500", None, date(2026, 11, 15))),
        (
            ["500", "jd", "day", "before", "yesterday"],
            PaymentRequest("500", "jd", date(2026, 11, 29)),
        ),
        (["500", "jdx"], PaymentRequest("500", "jdx", TODAY)),  # not a currency code
        (["５００", "白条"], PaymentRequest("500", "白条", TODAY)),
    ],
)
def test_paid_command_words(args: list[str], expected: PaymentRequest) -> None:
    assert parse_paid_command(args, today=TODAY) == expected


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ([], "amount_empty"),
        (["lots"], "amount_garbage"),
        (["金条", "500"], "amount_garbage"),
        (["0"], "amount_zero"),
        (["-5"], "amount_negative"),
        (["1,23"], "amount_separators"),
        (["500.123"], "amount_too_precise"),
        (["500", "2026-12-02"], "paydate_future"),
        (["500", "tomorrow"], "paydate_future"),
        (["500", "明天"], "paydate_future"),
        (["500", "2027-01-01"], "paydate_future"),
        (["500", "2026-02-30"], "date_impossible"),
        (["500", "32号"], "date_impossible"),
    ],
)
def test_paid_command_errors(args: list[str], code: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_paid_command(args, today=TODAY)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, TODAY),
        ("", TODAY),
        ("today", TODAY),
        ("今天", TODAY),
        ("yesterday", date(2026, 11, 30)),
        ("昨天", date(2026, 11, 30)),
        ("前天", date(2026, 11, 29)),
        ("2026-11-30", date(2026, 11, 30)),
        ("20261130", date(2026, 11, 30)),
        ("2025年12月31日", date(2025, 12, 31)),
        ("12月31日", date(2025, 12, 31)),  # without a year: the latest one so far
        ("12/1", TODAY),
        ("1号", TODAY),
        ("31号", date(2026, 10, 31)),  # November has no 31st
        ("30th", date(2026, 11, 30)),
        ("十五号", date(2026, 11, 15)),
    ],
)
def test_payment_dates_are_today_or_earlier(text: str | None, expected: date) -> None:
    assert parse_paid_on(text, today=TODAY) == expected


def test_the_29th_of_february_without_a_year_is_the_last_leap_day() -> None:
    assert parse_paid_on("2月29日", today=date(2026, 12, 1)) == date(2024, 2, 29)


@given(st.dates(min_value=date(1971, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 31))
def test_a_day_of_the_month_is_never_in_the_future(today: date, day: int) -> None:
    assert parse_paid_on(f"{day}号", today=today) <= today


def test_future_dates_name_today() -> None:
    with pytest.raises(InvalidDate) as info:
        parse_paid_on("2026-12-02", today=TODAY)
    assert info.value.code == "paydate_future"
    assert info.value.params["today"] == TODAY


def test_resolve_works_out_the_date() -> None:
    found = recognise_payment("昨天金条还了800")
    assert found is not None
    assert resolve(found, today=TODAY) == PaymentRequest("800", "金条", date(2026, 11, 30))


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("500", "CNY", Decimal("500.00")),
        ("¥500", "CNY", Decimal("500.00")),
        ("¥500", "JPY", Decimal(500)),  # ¥ is also the yen
        ("500元", "USD", Decimal("500.00")),  # 元 says "money", not which
        ("$20", "HKD", Decimal("20.00")),
        ("1.2万", "CNY", Decimal("12000.00")),
    ],
)
def test_amount_in_the_debts_currency(text: str, currency: str, expected: Decimal) -> None:
    assert amount_for(text, currency) == expected


def test_an_amount_in_another_currency_is_refused() -> None:
    with pytest.raises(InvalidAmount) as info:
        amount_for("€50", "CNY")
    assert info.value.code == "amount_currency_mismatch"
    assert info.value.params == {"text": "€50", "currency": "CNY", "named": "EUR"}
    with pytest.raises(InvalidAmount) as info:
        amount_for("500.5", "JPY")
    assert info.value.code == "amount_too_precise"


# ---- payments on past dates (issue 9) ----------------------------------------------------------
# TODAY, 2026-12-01, is a Tuesday: last week ran Monday 11-23 to Sunday 11-29, so 上周五 and
# "last Friday" are 11-27; a date without a year is the latest such day on or before today.


@pytest.mark.parametrize(
    ("text", "found", "paid_on"),
    [
        # the phrasings of issue 9
        ("10月20日还了1835.98", PaymentText("1835.98", None, "10月20日"), date(2026, 10, 20)),
        ("昨天还了500", PaymentText("500", None, "昨天"), date(2026, 11, 30)),
        ("上周五还了800", PaymentText("800", None, "上周五"), date(2026, 11, 27)),
        ("paid 581.84 on 30 Oct", PaymentText("581.84", None, "30 Oct"), date(2026, 10, 30)),
        ("paid 500 yesterday", PaymentText("500", None, "yesterday"), date(2026, 11, 30)),
        (
            "I paid 1,200 to 金条 on Oct 20",
            PaymentText("1,200", "金条", "Oct 20"),
            date(2026, 10, 20),
        ),
        ("10月20号还了500", PaymentText("500", None, "10月20号"), date(2026, 10, 20)),
        ("上个月20号还了500", PaymentText("500", None, "上个月20号"), date(2026, 11, 20)),
        ("前天还了300", PaymentText("300", None, "前天"), date(2026, 11, 29)),
        ("paid 500 on Oct 20", PaymentText("500", None, "Oct 20"), date(2026, 10, 20)),
        ("paid 500 last Friday", PaymentText("500", None, "last Friday"), date(2026, 11, 27)),
        ("paid 500 on the 20th", PaymentText("500", None, "the 20th"), date(2026, 11, 20)),
        ("paid 500 3 days ago", PaymentText("500", None, "3 days ago"), date(2026, 11, 28)),
        ("3天前还了500", PaymentText("500", None, "3天前"), date(2026, 11, 28)),
        ("三天前还了500", PaymentText("500", None, "三天前"), date(2026, 11, 28)),
        ("paid 500 on 20/10", PaymentText("500", None, "20/10"), date(2026, 10, 20)),
        ("paid 500 on 10/20", PaymentText("500", None, "10/20"), date(2026, 10, 20)),
        # more ways to write them
        ("金条10月20日还了500", PaymentText("500", "金条", "10月20日"), date(2026, 10, 20)),
        ("10月20日给金条还了500", PaymentText("500", "金条", "10月20日"), date(2026, 10, 20)),
        ("我上周五给金条还了800", PaymentText("800", "金条", "上周五"), date(2026, 11, 27)),
        ("2026年10月20日还了500", PaymentText("500", None, "2026年10月20日"), date(2026, 10, 20)),
        ("2026-10-20还了500", PaymentText("500", None, "2026-10-20"), date(2026, 10, 20)),
        ("10.20还了500", PaymentText("500", None, "10.20"), date(2026, 10, 20)),
        ("20号还了500", PaymentText("500", None, "20号"), date(2026, 11, 20)),
        ("周五还了500", PaymentText("500", None, "周五"), date(2026, 11, 27)),
        ("大前天还了500", PaymentText("500", None, "大前天"), date(2026, 11, 28)),
        (
            "Yesterday I paid 500 to 金条",
            PaymentText("500", "金条", "Yesterday"),
            date(2026, 11, 30),
        ),
        ("On 30 Oct, I paid 500.", PaymentText("500", None, "30 Oct"), date(2026, 10, 30)),
        ("paid 500 on Oct 20 to 金条", PaymentText("500", "金条", "Oct 20"), date(2026, 10, 20)),
        ("I paid 500 to 金条 on Oct 20.", PaymentText("500", "金条", "Oct 20"), date(2026, 10, 20)),
        (
            "I paid 200 for 白条 2 days ago",
            PaymentText("200", "白条", "2 days ago"),
            date(2026, 11, 29),
        ),
        ("paid 500 on 10月20日", PaymentText("500", None, "10月20日"), date(2026, 10, 20)),
        ("paid 500 on Friday", PaymentText("500", None, "Friday"), date(2026, 11, 27)),
        ("paid 500 a week ago", PaymentText("500", None, "a week ago"), date(2026, 11, 24)),
    ],
)
def test_payments_on_past_dates(text: str, found: PaymentText, paid_on: date) -> None:
    assert recognise_payment(text) == found
    # The English speaker's reading (day/month asked when unclear) and the Chinese one agree.
    for month_first in (True, False):
        request = resolve(found, today=TODAY, month_first=month_first)
        assert request == PaymentRequest(found.amount_text, found.debt_name, paid_on)


@pytest.mark.parametrize(
    "text",
    [
        "上周还了800",  # which day of last week?
        "上个月还了500",
        "昨天10月20日还了500",  # two dates
        "Yesterday I paid 500 today",
        "paid 500 yesterday on Oct 20",
        "paid 500 next Friday",
        "下周五还了500",
        "下星期五还了500",
        "一周后还了500",
        "paid 500 on the card later",
    ],
)
def test_vague_or_doubled_dates_are_not_payments(text: str) -> None:
    found = recognise_payment(text)
    assert found is None or found.date_text is None, found


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["500", "2026-10-20"], PaymentRequest("500", None, date(2026, 10, 20))),
        (["500", "10月20日"], PaymentRequest("500", None, date(2026, 10, 20))),
        (["500", "金条", "上周五"], PaymentRequest("500", "金条", date(2026, 11, 27))),
        (["500", "金条", "on", "30", "Oct"], PaymentRequest("500", "金条", date(2026, 10, 30))),
        (["581.84", "30", "Oct"], PaymentRequest("581.84", None, date(2026, 10, 30))),
        (["500", "last", "friday"], PaymentRequest("500", None, date(2026, 11, 27))),
        (["500", "3", "days", "ago"], PaymentRequest("500", None, date(2026, 11, 28))),
        (["500", "3天前"], PaymentRequest("500", None, date(2026, 11, 28))),
        (["500", "上个月20号"], PaymentRequest("500", None, date(2026, 11, 20))),
        (
            ["500", "the", "20th", "of", "last", "month"],
            PaymentRequest("500", None, date(2026, 11, 20)),
        ),
        (["500", "on", "the", "20th"], PaymentRequest("500", None, date(2026, 11, 20))),
        (["500", "20/10"], PaymentRequest("500", None, date(2026, 10, 20))),
        # a date right after the amount, before the debt's name
        (["500", "10月20日", "金条"], PaymentRequest("500", "金条", date(2026, 10, 20))),
        (["500", "on", "30", "Oct", "金条"], PaymentRequest("500", "金条", date(2026, 10, 30))),
        # …but a name that starts like a weekday stays a name
        (["500", "Sun", "Life"], PaymentRequest("500", "Sun Life", TODAY)),
    ],
)
def test_paid_command_dates(args: list[str], expected: PaymentRequest) -> None:
    assert parse_paid_command(args, today=TODAY, month_first=False) == expected


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["500", "这周五"], "paydate_future"),  # Friday 12-04
        (["500", "本月20号"], "paydate_future"),
        (["500", "上个月31号"], "date_impossible"),  # November has 30 days
        (["500", "30", "Feb"], "date_impossible"),
    ],
)
def test_paid_command_past_date_errors(args: list[str], code: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_paid_command(args, today=TODAY)
    assert info.value.code == code


def test_day_and_month_in_digits_are_asked_of_an_english_speaker() -> None:
    # 5/10 is 10 May the American way and 5 October the British way: neither is guessed.
    with pytest.raises(InvalidDate) as info:
        parse_paid_command(["500", "5/10"], today=TODAY, month_first=False)
    assert info.value.code == "paydate_ambiguous"
    assert info.value.params == {
        "text": "5/10",
        "first": date(2026, 5, 10),
        "second": date(2026, 10, 5),
    }
    found = recognise_payment("paid 500 on 5/10")
    assert found == PaymentText("500", None, "5/10")
    with pytest.raises(InvalidDate) as info:
        resolve(found, today=TODAY, month_first=False)
    assert info.value.code == "paydate_ambiguous"


def test_day_and_month_in_digits_are_month_first_in_chinese() -> None:
    found = recognise_payment("5/10还了500")
    assert found == PaymentText("500", None, "5/10")
    assert resolve(found, today=TODAY).paid_on == date(2026, 5, 10)  # 5月10日


def test_a_future_date_names_the_date_read() -> None:
    with pytest.raises(InvalidDate) as info:
        parse_paid_on("这周五", today=TODAY)
    assert info.value.code == "paydate_future"
    assert info.value.params["date"] == date(2026, 12, 4)
    assert info.value.params["today"] == TODAY
