"""parse_amount: what people type for money, in Chinese and English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import DomainError, InvalidAmount
from tracker.money import MAX_AMOUNT
from tracker.parsing import ParsedAmount, parse_amount

D = Decimal


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("1234.5", "1234.50", "CNY"),
        ("1234", "1234.00", "CNY"),
        ("0.5", "0.50", "CNY"),
        (".5", "0.50", "CNY"),
        ("5.", "5.00", "CNY"),
        ("+5", "5.00", "CNY"),
        ("1,234.50", "1234.50", "CNY"),
        ("1,234", "1234.00", "CNY"),
        ("1,234,567.89", "1234567.89", "CNY"),
        ("1，234.5", "1234.50", "CNY"),
        ("１２３４", "1234.00", "CNY"),
        ("１２３４．５６", "1234.56", "CNY"),
        ("  1234.5  ", "1234.50", "CNY"),
        ("1.230", "1.23", "CNY"),  # trailing zeros lose nothing
        ("¥1234.5", "1234.50", "CNY"),
        ("￥1234.5", "1234.50", "CNY"),
        ("¥ 1,234.50", "1234.50", "CNY"),
        ("1234.5元", "1234.50", "CNY"),
        ("1234.5 元", "1234.50", "CNY"),
        ("1234.5块", "1234.50", "CNY"),
        ("50块钱", "50.00", "CNY"),
        ("人民币500元", "500.00", "CNY"),
        ("RMB 500", "500.00", "CNY"),
        ("rmb500", "500.00", "CNY"),
        ("CNY 500", "500.00", "CNY"),
        ("500 CNY", "500.00", "CNY"),
        ("500cny", "500.00", "CNY"),
        ("¥500 CNY", "500.00", "CNY"),
        ("500 yuan", "500.00", "CNY"),
        ("$20", "20.00", "USD"),
        ("US$20", "20.00", "USD"),
        ("USD 20", "20.00", "USD"),
        ("20 usd", "20.00", "USD"),
        ("$20 USD", "20.00", "USD"),
        ("20美元", "20.00", "USD"),
        ("20 dollars", "20.00", "USD"),
        ("HK$100", "100.00", "HKD"),
        ("$100 HKD", "100.00", "HKD"),
        ("100港币", "100.00", "HKD"),
        ("€5", "5.00", "EUR"),
        ("5 €", "5.00", "EUR"),
        ("5欧元", "5.00", "EUR"),
        ("£7.5", "7.50", "GBP"),
        ("¥500 JPY", "500", "JPY"),
        ("1000日元", "1000", "JPY"),
        ("KWD 1.234", "1.234", "KWD"),  # three minor digits
        ("1.2万", "12000.00", "CNY"),
        ("1.5万元", "15000.00", "CNY"),
        ("3千", "3000.00", "CNY"),
        ("3千块", "3000.00", "CNY"),
        ("5百", "500.00", "CNY"),
        ("1亿", "100000000.00", "CNY"),
        ("2w", "20000.00", "CNY"),
        ("2W", "20000.00", "CNY"),
        ("2k", "2000.00", "CNY"),
        ("2.5K", "2500.00", "CNY"),
        ("2 k", "2000.00", "CNY"),
        ("¥1.5万", "15000.00", "CNY"),
        ("$2k", "2000.00", "USD"),
        ("1.2345678万", "12345.68", "CNY"),  # a multiplier result is rounded half up
        ("1.2345675万", "12345.68", "CNY"),
        ("\u200b1234\u200b", "1234.00", "CNY"),  # zero-width spaces from pasted text
    ],
)
def test_parses(text: str, amount: str, currency: str) -> None:
    assert parse_amount(text) == ParsedAmount(D(amount), currency)


@pytest.mark.parametrize(
    ("text", "default", "amount", "currency"),
    [
        ("500", "JPY", "500", "JPY"),
        ("¥500", "JPY", "500", "JPY"),  # ¥ is yen when the loan is in yen
        ("¥500", "USD", "500.00", "CNY"),
        ("$20", "HKD", "20.00", "HKD"),  # $ is the loan's own dollar when it has one
        ("$20", "CNY", "20.00", "USD"),
        ("1.5k", "JPY", "1500", "JPY"),
        ("500元", "usd", "500.00", "USD"),  # 元 is a unit word, not a currency
        ("1.234", "KWD", "1.234", "KWD"),
    ],
)
def test_default_currency(text: str, default: str, amount: str, currency: str) -> None:
    assert parse_amount(text, default) == ParsedAmount(D(amount), currency)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount_empty"),
        ("   ", "amount_empty"),
        ("¥", "amount_empty"),
        ("元", "amount_empty"),
        ("USD", "amount_empty"),
        ("abc", "amount_garbage"),
        ("hello 5", "amount_garbage"),
        ("五百五百", "amount_garbage"),  # the 百 place twice
        ("千", "amount_garbage"),  # a unit with no digit
        ("一千二千", "amount_garbage"),
        ("1万25", "amount_garbage"),  # 10025 or 12500: not guessed
        ("3千50", "amount_garbage"),
        ("二〇二六", "amount_garbage"),  # digits without units are a year, not money
        ("一半", "amount_garbage"),
        ("1e5", "amount_garbage"),
        ("1_000", "amount_garbage"),
        ("1 234", "amount_garbage"),
        ("1万2k", "amount_garbage"),
        ("--5", "amount_garbage"),
        ("5-", "amount_garbage"),
        ("12abcd", "amount_garbage"),
        ("1" * 200, "amount_garbage"),
        ("1.234,5", "amount_separators"),
        ("1,23", "amount_separators"),
        ("1,2345", "amount_separators"),
        ("1234,5", "amount_separators"),
        ("1.234.567", "amount_separators"),
        ("12,34,567", "amount_separators"),
        (",5", "amount_separators"),
        ("1,", "amount_separators"),
        ("1..2", "amount_separators"),
        ("-5", "amount_negative"),
        ("−5", "amount_negative"),  # U+2212 minus sign
        ("－５", "amount_negative"),
        ("¥-5", "amount_negative"),
        ("-¥5", "amount_negative"),
        ("-1万", "amount_negative"),
        ("0", "amount_zero"),
        ("0.00", "amount_zero"),
        ("-0", "amount_zero"),
        ("¥0元", "amount_zero"),
        ("1000000000000.01", "amount_too_large"),
        ("1亿亿", "amount_garbage"),
        ("10001亿", "amount_too_large"),
        ("9" * 60, "amount_too_large"),
        ("1.234", "amount_too_precise"),
        ("0.001", "amount_too_precise"),
        ("1,234.567", "amount_too_precise"),
        ("¥5 USD", "amount_currency_conflict"),
        ("CNY 5 USD", "amount_currency_conflict"),
        ("€5 GBP", "amount_currency_conflict"),
        ("$5美元 HKD", "amount_currency_conflict"),
        ("XYZ 5", "amount_currency_unknown"),
        ("5 abc", "amount_currency_unknown"),
    ],
)
def test_errors(text: str, code: str) -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_amount(text)
    assert info.value.code == code
    assert info.value.params["text"] == text


def test_zero_allowed() -> None:
    assert parse_amount("0", allow_zero=True) == ParsedAmount(D("0.00"), "CNY")
    assert str(parse_amount("-0", allow_zero=True).amount) == "0.00"


def test_multiplier_rounds_to_zero() -> None:
    assert parse_amount("0.000001万") == ParsedAmount(D("0.01"), "CNY")
    with pytest.raises(InvalidAmount) as info:
        parse_amount("0.0000001万")
    assert info.value.code == "amount_zero"


def test_too_precise_in_yen() -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_amount("10.5", "JPY")
    assert info.value.code == "amount_too_precise"
    assert info.value.params == {"text": "10.5", "currency": "JPY", "digits": 0}


def test_error_params() -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_amount("¥5 USD")
    assert info.value.params["currencies"] == ["¥", "USD"]
    with pytest.raises(InvalidAmount) as info:
        parse_amount("xyz 5")
    assert info.value.params["currency"] == "XYZ"
    with pytest.raises(InvalidAmount) as info:
        parse_amount("2000000000000")
    assert info.value.params["limit"] == MAX_AMOUNT


def test_amount_is_decimal_with_minor_digits() -> None:
    parsed = parse_amount("¥12")
    assert type(parsed.amount) is Decimal
    assert parsed.amount.as_tuple().exponent == -2


def test_bad_default_currency_is_a_bug() -> None:
    with pytest.raises(ValueError, match="unknown default currency"):
        parse_amount("5", "XYZ")


_money = st.decimals(min_value=D("0.01"), max_value=MAX_AMOUNT, places=2).map(
    lambda x: x.quantize(D("0.01"))
)


@settings(max_examples=150, deadline=None)
@given(_money)
def test_round_trip(x: Decimal) -> None:
    for text in (f"{x:,}", f"¥{x}", f"{x}元", f"{x:,} CNY", f"RMB{x}"):
        assert parse_amount(text) == ParsedAmount(x, "CNY"), text


_AMOUNTISH = st.text(alphabet="0123456789.,，¥$€-+ 万千kwK元块USDCNYJPRMB人民币１２", max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), _AMOUNTISH), st.sampled_from(["CNY", "JPY", "KWD"]))
def test_never_crashes(text: str, currency: str) -> None:
    try:
        parsed = parse_amount(text, currency)
    except DomainError:
        return
    assert isinstance(parsed.amount, Decimal)
    assert D(0) < parsed.amount <= MAX_AMOUNT
