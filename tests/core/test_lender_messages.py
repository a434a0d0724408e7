"""Reading lender notices (issue 14): real-world formats, years, and what is not a notice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.parsing.lender_messages import (
    Kind,
    LenderMessage,
    digest,
    is_lender_message,
    lender_score,
    recognise_lender_message,
)

TODAY = date(2026, 12, 8)
D = Decimal

# Formats as lenders send them (personal data replaced): text, kind, amount, currency, date,
# lender hints, penalty.
FIXTURES = [
    (
        "【京东金融】尊敬的用户，您的金条借款本期应还款1,835.98元，最后还款日12月20日，"
        "请确保还款账户资金充足。退订回T",
        Kind.DUE,
        D("1835.98"),
        "CNY",
        date(2026, 12, 20),
        ("京东金融", "金条"),
        None,
    ),
    (
        "【招商银行】您账户1234于12月05日成功还款1,835.98元，当前可用额度50,000.00元。",
        Kind.CONFIRMATION,
        D("1835.98"),
        "CNY",
        date(2026, 12, 5),
        ("招商银行",),
        None,
    ),
    (
        "【京东金融】您的白条已逾期3天，逾期金额1,835.98元，已产生违约金12.85元，"
        "请尽快还款，以免影响您的个人征信。",
        Kind.OVERDUE,
        D("1835.98"),
        "CNY",
        None,
        ("京东金融", "白条"),
        D("12.85"),
    ),
    (
        "【建设银行】您尾号5678的龙卡信用卡本期账单金额RMB 5,000.00，最低还款额RMB 500.00，"
        "到期还款日12/25。",
        Kind.DUE,
        D("5000.00"),
        "CNY",
        date(2026, 12, 25),
        ("建设银行",),
        None,
    ),
    (
        "【花呗】您本月应还¥1,835.98，还款日2027年1月10日，若您已还款请忽略。逾期将影响信用。",
        Kind.DUE,
        D("1835.98"),
        "CNY",
        date(2027, 1, 10),
        ("花呗",),
        None,
    ),
    (
        "【工商银行】尊敬的客户：您于2026年11月28日通过自动还款成功扣款CNY 1835.98。",
        Kind.CONFIRMATION,
        D("1835.98"),
        "CNY",
        date(2026, 11, 28),
        ("工商银行",),
        None,
    ),
    (
        "【微粒贷】您的借款已逾期，逾期本息1,835.98元，罚息3.67元，请于今日还款。",
        Kind.OVERDUE,
        D("1835.98"),
        "CNY",
        None,
        ("微粒贷",),
        D("3.67"),
    ),
    (
        "Chase: Your payment of $1,835.98 was received on Dec 5, 2026. Thank you.",
        Kind.CONFIRMATION,
        D("1835.98"),
        "USD",
        date(2026, 12, 5),
        ("Chase",),
        None,
    ),
    (
        "Citi Alert: Your card payment of $1,835.98 is due on 12/20. "
        "Pay on time to avoid late fees.",
        Kind.DUE,
        D("1835.98"),
        "USD",
        date(2026, 12, 20),
        ("Citi",),
        None,
    ),
    (
        "Your account is past due. A payment of $1,835.98 was due on Nov 15. "
        "A late fee of $40.00 has been charged.",
        Kind.OVERDUE,
        D("1835.98"),
        "USD",
        date(2026, 11, 15),
        (),
        D("40.00"),
    ),
]


@pytest.mark.parametrize(
    ("text", "kind", "amount", "currency", "on", "lenders", "penalty"), FIXTURES
)
def test_real_world_formats(
    text: str,
    kind: Kind,
    amount: Decimal,
    currency: str,
    on: date | None,
    lenders: tuple[str, ...],
    penalty: Decimal | None,
) -> None:
    found = recognise_lender_message(text, today=TODAY)
    assert found is not None
    assert (found.kind, found.amount, found.currency, found.on) == (kind, amount, currency, on)
    assert found.lenders == lenders
    assert found.penalty == penalty
    assert is_lender_message(text)


@pytest.mark.parametrize(
    "text",
    [
        "还了500",
        "已还款500",
        "金条还了800",
        "I paid 500 to Chase",
        "paid 500 yesterday",
        "我失业了，还不上",
        "你好",
        "Dear bot, your buttons are nice.",
        "您好，请问怎么用？",  # the notice voice, but no kind and no amount
        "【京东金融】您的账户登录验证码为123456，请勿泄露。",  # a code, no amount of money
        "/paid 500",
        "",
    ],
)
def test_what_a_borrower_writes_is_no_lender_message(text: str) -> None:
    assert recognise_lender_message(text, today=TODAY) is None
    assert not is_lender_message(text)


def test_a_warning_does_not_make_a_due_notice_overdue_or_a_receipt() -> None:
    text = (
        "【京东金融】您的金条本期应还1,000.00元，为避免逾期请按时还款。如您已还款，请忽略本短信。"
    )
    found = recognise_lender_message(text, today=TODAY)
    assert found is not None
    assert found.kind is Kind.DUE


def test_a_receipt_for_an_overdue_installment_is_a_receipt() -> None:
    found = recognise_lender_message("【京东金融】您已成功还款逾期款项1,000.00元。", today=TODAY)
    assert found is not None
    assert found.kind is Kind.CONFIRMATION


def test_account_digits_and_counts_are_not_amounts() -> None:
    found = recognise_lender_message(
        "【招商银行】您尾号8888的账户已逾期15天，逾期金额800.00元。", today=TODAY
    )
    assert found is not None
    assert found.amount == D("800.00")


# ---- years ---------------------------------------------------------------------------------


@given(
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    month=st.integers(1, 12),
    day=st.integers(1, 28),
)
def test_a_due_date_without_a_year_is_the_nearest_such_day(
    today: date, month: int, day: int
) -> None:
    text = f"【京东金融】您的借款本期应还1,000.00元，最后还款日{month}月{day}日。"
    found = recognise_lender_message(text, today=today)
    assert found is not None
    assert found.on is not None
    assert (found.on.month, found.on.day) == (month, day)
    # No other year's same day is nearer to today.
    for year in (found.on.year - 1, found.on.year + 1):
        assert abs((found.on - today).days) <= abs((date(year, month, day) - today).days)


@given(
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    month=st.integers(1, 12),
    day=st.integers(1, 28),
)
def test_a_receipt_date_without_a_year_is_the_latest_such_day_up_to_today(
    today: date, month: int, day: int
) -> None:
    text = f"Dear customer, your payment of $1,000.00 was received on {month}/{day}."
    found = recognise_lender_message(text, today=today)
    assert found is not None
    assert found.on is not None
    assert (found.on.month, found.on.day) == (month, day)
    assert today - timedelta(days=366) < found.on <= today


def test_an_impossible_date_is_no_date() -> None:
    found = recognise_lender_message("【花呗】您本月应还¥100.00，还款日2月30日。", today=TODAY)
    assert found is not None
    assert found.on is None


# ---- amounts, written as lenders write them -------------------------------------------------

_TEMPLATES = [
    ("【京东金融】尊敬的用户，您的金条借款本期应还款{zh}元，最后还款日12月20日。", Kind.DUE),
    ("【招商银行】您账户1234于12月05日成功还款¥{zh}。", Kind.CONFIRMATION),
    ("【微粒贷】您的借款已逾期，逾期金额RMB {zh}，请尽快还款。", Kind.OVERDUE),
    ("Your payment of ${en} was received on Dec 5. Thank you.", Kind.CONFIRMATION),
    ("Reminder: your minimum payment of CNY {en} is due on Dec 20.", Kind.DUE),
]


@given(
    cents=st.integers(min_value=1, max_value=99_999_999),
    template=st.sampled_from(_TEMPLATES),
    grouped=st.booleans(),
)
def test_the_amount_is_read_back(cents: int, template: tuple[str, Kind], grouped: bool) -> None:
    amount = D(cents) / 100
    written = f"{amount:,.2f}" if grouped else f"{amount:.2f}"
    text, kind = template
    found = recognise_lender_message(text.format(zh=written, en=written), today=TODAY)
    assert found is not None
    assert (found.kind, found.amount) == (kind, amount)


@given(st.text(max_size=200))
def test_any_text_is_read_or_refused_without_error(text: str) -> None:
    found = recognise_lender_message(text, today=TODAY)
    assert found is None or isinstance(found, LenderMessage)
    assert (found is not None) == is_lender_message(text)


# ---- the same message, the same digest ------------------------------------------------------


def test_the_digest_ignores_width_case_and_spacing_only() -> None:
    text = "【招商银行】您账户1234于12月05日成功还款1,835.98元。"
    wide = "【招商银行】 您账户１２３４于１２月０５日成功还款１，８３５．９８元。"
    assert digest(text) == digest(wide)
    assert digest(text) != digest(text.replace("1,835.98", "1,835.99"))
    found = recognise_lender_message(wide, today=TODAY)
    assert found is not None
    assert found.digest == digest(text)


# ---- which debt the lender means --------------------------------------------------------------


@pytest.mark.parametrize(
    ("hints", "name", "lender", "score"),
    [
        (("京东金融", "金条"), "金条", "京东金融", 2),
        (("京东金融", "金条"), "白条", "京东金融", 1),
        (("京东金融", "金条"), "房贷", None, 0),
        (("招商银行",), "招行信用卡", None, 1),  # 招行 is 招商银行
        (("招行",), "信用卡", "招商银行", 1),
        (("Chase",), "Card", "chase", 1),
        (("Chase",), "Card", "Citi", 0),
        ((), "金条", "京东金融", 0),
    ],
)
def test_lender_score(hints: tuple[str, ...], name: str, lender: str | None, score: int) -> None:
    assert lender_score(hints, (name, lender)) == score
