"""Chinese amount and rate words (issue 8): 一千二, 3千5, 1万2; 月息1分, 2分利, 日息5厘, 年息一分八;
and a percentage without its period, which is asked about below 4 %."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import InvalidAmount, InvalidRate
from tracker.parsing import ParsedAmount, parse_amount, parse_rate
from tracker.parsing.rates import rate_readings, unstated_percent_unit
from tracker.parsing.text import cn_amount
from tracker.parsing.words import parse_date_near
from tracker.rates import Rate, RateUnit

D = Decimal
Y, M, DAY = RateUnit.YEAR, RateUnit.MONTH, RateUnit.DAY

# ---- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("一千二", 1200),  # a lone digit after a unit counts the next unit down
        ("三千", 3000),
        ("两万", 20000),
        ("五百", 500),
        ("一万", 10000),
        ("一万二千", 12000),
        ("3千5", 3500),
        ("1万2", 12000),
        ("一万二", 12000),
        ("两万五", 25000),
        ("二百五", 250),
        ("十", 10),
        ("十五", 15),
        ("一百一十", 110),
        ("一千零五", 1005),
        ("一万零五百", 10500),
        ("十二万五", 125000),
        ("一百二十万", 1200000),
        ("1万2500", 12500),  # Arabic digits filling every place below 万
        ("1万2千5", 12500),
        ("一亿零五万", 100050000),
        ("一千二百元", 1200),
        ("两千块", 2000),
        ("¥一千二", 1200),
        ("五块钱", 5),
    ],
)
def test_chinese_amount_words(text: str, amount: int) -> None:
    assert parse_amount(text) == ParsedAmount(D(amount).quantize(D("0.01")), "CNY")


def test_chinese_words_with_a_point() -> None:
    assert parse_amount("三点五万").amount == D(35000)
    assert parse_amount("一点五").amount == D("1.5")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("千", "amount_garbage"),
        ("一千二千", "amount_garbage"),
        ("1万25", "amount_garbage"),  # 10025 or 12500?
        ("一半", "amount_garbage"),
        ("二〇二六", "amount_garbage"),
        ("零", "amount_zero"),
        ("-一千", "amount_negative"),
        ("一万亿零一", "amount_too_large"),
    ],
)
def test_chinese_amount_mistakes(text: str, code: str) -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_amount(text)
    assert info.value.code == code


_DIGITS = "零一二三四五六七八九"


def _section(value: int) -> str:
    """0 < value < 10000 in formal Chinese, 一 before 十 kept (一十二)."""
    out, zero = "", False
    for power, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // power % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + unit
    return out


def formal_chinese(n: int) -> str:
    """1 <= n < 10**12 as written formally: 12000 一万二千, 10005 一万零五, 15 十五."""
    out, gap = "", False
    for value, unit in ((n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")):
        if value == 0:
            gap = bool(out)
            continue
        if out and (gap or value < 1000):
            out += "零"
        out += _section(value) + unit
        gap = False
    return out[1:] if out.startswith("一十") else out


def test_the_formal_converter_itself() -> None:
    assert [formal_chinese(n) for n in (15, 110, 1005, 12000, 10500, 100000005)] == [
        "十五",
        "一百一十",
        "一千零五",
        "一万二千",
        "一万零五百",
        "一亿零五",
    ]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**12 - 1))
def test_formal_chinese_words_read_as_their_number(n: int) -> None:
    assert cn_amount(formal_chinese(n)) == n


_UNITS = {2: "百", 3: "千", 4: "万"}


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=9),
    st.integers(min_value=1, max_value=9),
    st.sampled_from([2, 3, 4]),
    st.booleans(),
    st.booleans(),
)
def test_spoken_short_forms(a: int, b: int, power: int, arabic_a: bool, arabic_b: bool) -> None:
    # 一千二, 3千5, 1万2, 两万五: the trailing digit counts the unit below.
    head = str(a) if arabic_a else "两" if a == 2 and power == 4 else _DIGITS[a]
    tail = str(b) if arabic_b else _DIGITS[b]
    text = f"{head}{_UNITS[power]}{tail}"
    assert parse_amount(text).amount == a * 10**power + b * 10 ** (power - 1)


# ---- rates: 分 and 厘 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("月息1分", "0.01", M),
        ("一分利", "0.01", M),  # no period: 分 quotes are monthly
        ("2分利", "0.02", M),
        ("3分息", "0.03", M),
        ("两分利", "0.02", M),
        ("日息5厘", "0.0005", DAY),  # 日息 1 厘 is 0.01 % a day (万分之一)
        ("月息8厘", "0.008", M),
        ("年息一分八", "0.18", Y),  # 年息 1 分 is 10 %, 1 厘 1 %
        ("日息万五", "0.0005", DAY),
        ("月息一分五", "0.015", M),
        ("一分半", "0.015", M),
        ("1.5分", "0.015", M),
        ("1分2厘", "0.012", M),
        ("年息8厘", "0.08", Y),
        ("日息一分", "0.001", DAY),
        ("5厘/天", "0.0005", DAY),
        ("1分/月", "0.01", M),
    ],
)
def test_fen_and_li(text: str, value: str, unit: RateUnit) -> None:
    assert parse_rate(text) == Rate(D(value), unit)


def test_li_without_a_period_is_asked_with_each_reading() -> None:
    with pytest.raises(InvalidRate) as info:
        parse_rate("8厘")
    assert info.value.code == "rate_unit_missing"
    # 日 8 厘 = 0.08 %, 月 8 厘 = 0.8 %, 年 8 厘 = 8 %.
    assert info.value.params["choices"] == ["0.08%/day", "0.8%/month", "8%/year"]


@pytest.mark.parametrize("text", ["分", "1.5分2", "分利", "十八分八八"])
def test_fen_garbage(text: str) -> None:
    with pytest.raises(InvalidRate) as info:
        parse_rate(text)
    assert info.value.code == "rate_garbage"


_WHOLE = {"年息": (Y, Fraction(1)), "月息": (M, Fraction(1, 10)), "日息": (DAY, Fraction(1, 100))}


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(_WHOLE)),
    st.integers(min_value=1, max_value=9),
    st.integers(min_value=0, max_value=9),
    st.booleans(),
)
def test_fen_li_scale_with_the_period(prefix: str, fen: int, li: int, chinese: bool) -> None:
    # X分Y: X tenths and Y hundredths of the period's whole (100 %, 10 %, 1 %).
    unit, whole = _WHOLE[prefix]
    digits = _DIGITS if chinese else "0123456789"
    text = f"{prefix}{digits[fen]}分" + (f"{digits[li]}厘" if li else "")
    expected = whole * (Fraction(fen, 10) + Fraction(li, 100))
    rate = parse_rate(text)
    assert rate.unit is unit
    assert Fraction(rate.value) == expected


# ---- a percentage without its period ---------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "unit"),
    [("0", Y), ("0.05", None), ("0.6", None), ("1.5", None), ("3.99", None), ("4", Y), ("18", Y)],
)
def test_unstated_percent_unit(percent: str, unit: RateUnit | None) -> None:
    assert unstated_percent_unit(D(percent) / 100) is unit


def test_issue_8_bare_005_percent_is_not_a_yearly_rate() -> None:
    with pytest.raises(InvalidRate) as info:
        parse_rate("0.05%")
    assert info.value.code == "rate_unit_missing"
    assert rate_readings("0.05%") == (
        Rate(D("0.0005"), DAY),
        Rate(D("0.0005"), M),
        Rate(D("0.0005"), Y),
    )


def test_readings_leave_out_the_implausible() -> None:
    # 3 % a day is 1095 % a year: not offered.
    assert rate_readings("3%") == (Rate(D("0.03"), M), Rate(D("0.03"), Y))
    assert rate_readings("18%") == ()  # plainly yearly: nothing to ask
    assert rate_readings("0.05%/day") == ()
    assert rate_readings("abc") == ()


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=D("0.01"), max_value=D("3.99"), places=2))
def test_every_bare_percentage_below_4_is_asked(p: Decimal) -> None:
    for text in (f"{p}%", f"利率{p}%"):
        with pytest.raises(InvalidRate) as info:
            parse_rate(text)
        assert info.value.code == "rate_unit_missing"
        readings = rate_readings(text)
        assert Rate(p / 100, Y) in readings
        assert Rate(p / 100, M) in readings


# ---- dates near today --------------------------------------------------------------------------

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "months_ahead", "expected"),
    [
        ("8月20日", 2, date(2026, 8, 20)),  # issue 9: not next August
        ("1月15日", 2, date(2027, 1, 15)),  # next month is next year
        ("2月1日", 2, date(2027, 2, 1)),  # exactly two months ahead
        ("2月2日", 2, date(2026, 2, 2)),
        ("11月20日", 2, date(2026, 11, 20)),
        ("2027-08-20", 2, date(2027, 8, 20)),  # a year is kept as typed
        ("15号", 2, date(2026, 12, 15)),
        ("11月1日", 0, date(2026, 11, 1)),
        ("12月5日", 0, date(2025, 12, 5)),
        ("5号", 0, date(2026, 11, 5)),
        ("明天", 0, date(2026, 12, 2)),  # a word, not a number: kept
    ],
)
def test_parse_date_near(text: str, months_ahead: int, expected: date) -> None:
    assert parse_date_near(text, today=TODAY, months_ahead=months_ahead) == expected
