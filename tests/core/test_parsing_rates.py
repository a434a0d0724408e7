"""parse_rate: rates keep the period the lender quoted them for."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import DomainError, InvalidRate
from tracker.parsing import parse_rate
from tracker.rates import Rate, RateUnit

D = Decimal
Y, M, DAY = RateUnit.YEAR, RateUnit.MONTH, RateUnit.DAY


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("18%", "0.18", Y),
        ("18 %", "0.18", Y),
        ("18％", "0.18", Y),
        ("１８％", "0.18", Y),
        ("+18%", "0.18", Y),
        ("17.99%", "0.1799", Y),
        (".5% a year", "0.005", Y),  # a bare .5% is asked about (test_bare_percent_below_4)
        ("4%", "0.04", Y),  # from 4 % up a bare percentage is plainly yearly
        ("百分之五", "0.05", Y),
        ("0%", "0", Y),
        ("18%/year", "0.18", Y),
        ("18%/yr", "0.18", Y),
        ("18% per year", "0.18", Y),
        ("18% p.a.", "0.18", Y),
        ("18% P.A.", "0.18", Y),
        ("18% pa", "0.18", Y),
        ("18% per annum", "0.18", Y),
        ("18% a year", "0.18", Y),
        ("18% yearly", "0.18", Y),
        ("18% annually", "0.18", Y),
        ("18% APR", "0.18", Y),
        ("APR 18%", "0.18", Y),
        ("annual rate: 18%", "0.18", Y),
        ("interest rate 18%", "0.18", Y),
        ("年化18%", "0.18", Y),
        ("年化利率18%", "0.18", Y),
        ("年化利率是18%", "0.18", Y),
        ("年化利率：18%", "0.18", Y),
        ("年利率18%", "0.18", Y),
        ("年息18%", "0.18", Y),
        ("利率18%", "0.18", Y),
        ("18%/年", "0.18", Y),
        ("18%每年", "0.18", Y),
        ("18%年化", "0.18", Y),
        ("百分之十八", "0.18", Y),
        ("百分之24", "0.24", Y),
        ("年化百分之二十四点五", "0.245", Y),
        ("1.5%/month", "0.015", M),
        ("1.5%/mo", "0.015", M),
        ("1.5% monthly", "0.015", M),
        ("1.5% a month", "0.015", M),
        ("1.5% per month", "0.015", M),
        ("monthly 1.5%", "0.015", M),
        ("月利率1.5%", "0.015", M),
        ("月息1.5%", "0.015", M),
        ("月费率0.6%", "0.006", M),
        ("1.5%/月", "0.015", M),
        ("1.5%每月", "0.015", M),
        ("1.5%/个月", "0.015", M),
        ("月息千分之五", "0.005", M),
        ("月息5‰", "0.005", M),
        ("0.05%/day", "0.0005", DAY),
        ("0.05%/d", "0.0005", DAY),
        ("0.05% daily", "0.0005", DAY),
        ("0.05% a day", "0.0005", DAY),
        ("0.05% per day", "0.0005", DAY),
        ("daily rate 0.05%", "0.0005", DAY),
        ("日利率0.05%", "0.0005", DAY),
        ("日息0.05%", "0.0005", DAY),
        ("0.05%/天", "0.0005", DAY),
        ("0.05%每天", "0.0005", DAY),
        ("0.05%/日", "0.0005", DAY),
        ("日息万五", "0.0005", DAY),
        ("日利率万五", "0.0005", DAY),
        ("日息万三点五", "0.00035", DAY),
        ("日息万3.5", "0.00035", DAY),
        ("万五", "0.0005", DAY),  # 万X alone is a daily quote by convention
        ("万5", "0.0005", DAY),
        ("万分之五", "0.0005", DAY),
        ("万零点五", "0.00005", DAY),
        ("5‱", "0.0005", DAY),
        ("日0.5‰", "0.0005", DAY),
        ("月息万五", "0.0005", M),  # an explicit period wins over the convention
        ("0", "0", Y),  # zero reads the same as a fraction or a percentage
        ("0/month", "0", M),
        ("-0%", "0", Y),
    ],
)
def test_parses(text: str, value: str, unit: RateUnit) -> None:
    assert parse_rate(text) == Rate(D(value), unit)


def test_value_is_exact_decimal() -> None:
    rate = parse_rate("17.99%")
    assert type(rate.value) is Decimal
    assert str(rate.value) == "0.1799"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "rate_empty"),
        ("  ", "rate_empty"),
        ("%", "rate_empty"),
        ("年化", "rate_empty"),
        ("日息", "rate_empty"),
        ("rate", "rate_empty"),
        ("/year", "rate_empty"),
        ("abc", "rate_garbage"),
        ("18%%", "rate_garbage"),
        ("18%abc", "rate_garbage"),
        ("1.2.3%", "rate_garbage"),
        ("1,5%", "rate_garbage"),
        ("1e2%", "rate_garbage"),
        ("万", "rate_garbage"),
        ("万x", "rate_garbage"),
        ("百分之", "rate_empty"),
        ("x" * 200, "rate_garbage"),
        ("-18%", "rate_negative"),
        ("−0.05%/day", "rate_negative"),
        ("2000%", "rate_too_high"),
        ("1001%", "rate_too_high"),
        ("100%/month", "rate_too_high"),
        ("3%/day", "rate_too_high"),
        ("日息万三百", "rate_garbage"),
        ("5000", "rate_too_high"),
        ("年化1.5%/month", "rate_unit_conflict"),
        ("日息1.5%/year", "rate_unit_conflict"),
        ("0.5‰", "rate_unit_missing"),
        ("千分之五", "rate_unit_missing"),
        ("18", "rate_ambiguous"),
        ("0.18", "rate_ambiguous"),
        ("0.0005/day", "rate_ambiguous"),
        ("日息0.05", "rate_ambiguous"),
        ("1.5/month", "rate_ambiguous"),
    ],
)
def test_errors(text: str, code: str) -> None:
    with pytest.raises(InvalidRate) as info:
        parse_rate(text)
    assert info.value.code == code
    assert info.value.params["text"] == text


@pytest.mark.parametrize(
    ("text", "choices"),
    [
        ("18", ["18%/year"]),  # 1800 % a year is not a reading worth offering
        ("0.18", ["0.18%/year", "18%/year"]),
        ("0.0005/day", ["0.0005%/day", "0.05%/day"]),
        ("日息0.05", ["0.05%/day"]),
        ("1.5/month", ["1.5%/month"]),
    ],
)
def test_ambiguous_offers_readings(text: str, choices: list[str]) -> None:
    with pytest.raises(InvalidRate) as info:
        parse_rate(text)
    assert info.value.params["choices"] == choices


def test_unit_missing_offers_periods() -> None:
    with pytest.raises(InvalidRate) as info:
        parse_rate("0.5‰")
    assert info.value.params["choices"] == ["0.05%/day", "0.05%/month", "0.05%/year"]


def test_unit_conflict_names_units() -> None:
    with pytest.raises(InvalidRate) as info:
        parse_rate("年化1.5%/month")
    assert info.value.params["units"] == ["month", "year"]


_percent = st.decimals(min_value=0, max_value=100, places=4)


@settings(max_examples=100, deadline=None)
@given(_percent, st.sampled_from([("{}%", Y), ("月息{}%", M), ("{}%/day", DAY)]))
def test_percent_round_trip(p: Decimal, form: tuple[str, RateUnit]) -> None:
    template, unit = form
    if Rate(p / 100, unit).annual() > 10:  # above 1000 % a year is refused (tested above)
        return
    if template == "{}%" and 0 < p < 4:  # no period and not plainly yearly: asked about
        with pytest.raises(InvalidRate) as info:
            parse_rate(template.format(p))
        assert info.value.code == "rate_unit_missing"
        assert f"{(p / 100 * 100).normalize():f}%/year" in info.value.params["choices"]
        return
    assert parse_rate(template.format(p)) == Rate(p / 100, unit)


_RATEISH = st.text(
    alphabet="0123456789.%‰‱ -+/年月日天息利率化万分之千百五三点十ydmap", max_size=16
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), _RATEISH))
def test_never_crashes(text: str) -> None:
    try:
        rate = parse_rate(text)
    except DomainError:
        return
    assert rate.annual() <= 10
