"""The one-line ``/adddebt`` form and the short ``<name> [principal]`` line (tracker.parsing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.errors import DomainError, InvalidTerms
from tracker.ledger import PenaltyMode
from tracker.parsing.debt_line import parse_debt_line, partial_debt_line, take_loan_date
from tracker.parsing.debt_terms import DebtSpec, default_penalty
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import Method
from tracker.services.debts import check_spec

D = Decimal
TODAY = date(2026, 12, 1)


def line(text: str, currency: str = "CNY") -> DebtSpec:
    return parse_debt_line(text, today=TODAY, currency=currency)


def failure(text: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        line(text)
    return info.value


# ---- the one-line form ----------------------------------------------------------------------


def test_one_line_reads_every_part() -> None:
    spec = line("金条 10000 0.05%/day 12 annuity 2026-12-15")
    terms = spec.terms
    assert spec.name == "金条"
    assert (terms.principal, terms.currency, terms.rate) == (
        D(10000),
        "CNY",
        Rate(D("0.0005"), RateUnit.DAY),
    )
    assert (terms.term, terms.method, terms.first_due) == (12, Method.ANNUITY, date(2026, 12, 15))
    assert spec.penalty == default_penalty(Method.ANNUITY)


@pytest.mark.parametrize(
    ("text", "name", "rate", "method", "first_due"),
    [
        (
            "信用卡 20000 年化18% 24 等额本息 2026-12-05",
            "信用卡",
            Rate(D("0.18"), RateUnit.YEAR),
            Method.ANNUITY,
            date(2026, 12, 5),
        ),
        (
            "金条 10000 日利率0.05% 12",
            "金条",
            Rate(D("0.0005"), RateUnit.DAY),
            Method.ANNUITY,
            None,
        ),
        (
            "京东 金条 1.2万 18% a year 12 equal principal 1月15日",
            "京东 金条",
            Rate(D("0.18"), RateUnit.YEAR),
            Method.EQUAL_PRINCIPAL,
            date(2027, 1, 15),
        ),
        (
            "Card 2 5000 1.5%/month 6 先息后本",
            "Card 2",
            Rate(D("0.015"), RateUnit.MONTH),
            Method.INTEREST_ONLY,
            None,
        ),
        (
            "借呗 8000 日息万五 3 15号",
            "借呗",
            Rate(D("0.0005"), RateUnit.DAY),
            Method.ANNUITY,
            date(2026, 12, 15),
        ),
    ],
)
def test_one_line_variants(
    text: str, name: str, rate: Rate, method: Method, first_due: date | None
) -> None:
    spec = line(text)
    assert (spec.name, spec.terms.rate, spec.terms.method) == (name, rate, method)
    assert spec.terms.first_due == (first_due or date(2027, 1, 1))  # default: a month on


def test_one_line_currency_is_the_users_unless_named() -> None:
    assert line("Loan 500 18% 12", currency="HKD").terms.currency == "HKD"
    assert line("Loan USD500 18% 12", currency="HKD").terms.currency == "USD"


@pytest.mark.parametrize("rate", ["0.5%/month", "0.5%", "0.5%/期", "每期0.5%", "月费率0.5%"])
def test_one_line_flat_fee_reads_the_rate_as_the_fee_per_installment(rate: str) -> None:
    spec = line(f"白条 6000 {rate} 12 flat_fee")
    assert (spec.terms.fee_rate, spec.terms.rate.value) == (D("0.005"), D(0))
    assert spec.penalty.mode is PenaltyMode.DAILY_RATE_ON_OVERDUE
    check_spec(spec)  # a valid flat-fee plan


@pytest.mark.parametrize(
    ("text", "code", "part"),
    [
        ("金条 10000 abc 12", "rate_garbage", "rate"),
        ("金条 abc 18% 12", "amount_garbage", "principal"),
        ("金条 1o000 18% 12 annuity", "amount_garbage", "principal"),
        ("金条 10000 18% x12", "term_garbage", "term"),
        ("金条 10000 18% 12 weekly", "method_unknown", "method"),
        ("金条 10000 18% 12 custom", "method_unknown", "method"),
        ("金条 10000 18% 12 annuity 2026-13-01", "date_impossible", "first_due"),
        ("金条 10000 18%/day 12", "rate_too_high", "rate"),
        ("白条 6000 年化18% 12 flat_fee", "fee_rate_period", "rate"),
    ],
)
def test_one_line_mistakes_name_their_part(text: str, code: str, part: str) -> None:
    error = failure(text)
    assert (error.code, error.params.get("part")) == (code, part)


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("", ("principal", "rate", "term")),
        ("金条", ("principal", "rate", "term")),
        ("金条 10000", ("rate", "term")),
        ("金条 10000 18%", ("term",)),
        ("10000 18% 12", ("name",)),
    ],
)
def test_one_line_missing_parts_are_listed(text: str, missing: tuple[str, ...]) -> None:
    error = failure(text)
    assert error.code == "debt_line_missing"
    assert error.params["missing"] == missing


def test_one_line_refuses_a_wall_of_words() -> None:
    assert failure(" ".join(["x"] * 40)).code == "debt_line_long"


# ---- a rate without its period, Chinese words (issue 8) -------------------------------------


def test_issue_8_a_bare_small_percentage_is_asked_for_its_period() -> None:
    error = failure("金条 20000 0.05% 12")
    assert (error.code, error.params["part"], error.params["text"]) == (
        "rate_unit_missing",
        "rate",
        "0.05%",
    )
    spec = parse_debt_line(
        "金条 20000 0.05% 12", today=TODAY, currency="CNY", rate_unit=RateUnit.DAY
    )
    assert spec.terms.rate == Rate(D("0.0005"), RateUnit.DAY)
    assert line("金条 20000 18% 12").terms.rate == Rate(D("0.18"), RateUnit.YEAR)  # plain


def test_the_chosen_period_does_not_override_a_stated_one() -> None:
    spec = parse_debt_line(
        "卡 6000 1.5%/month 12", today=TODAY, currency="CNY", rate_unit=RateUnit.DAY
    )
    assert spec.terms.rate == Rate(D("0.015"), RateUnit.MONTH)


def test_a_bare_fee_needs_no_period_with_flat_fee() -> None:
    assert line("白条 6000 0.6% 12 flat_fee").terms.fee_rate == D("0.006")


@pytest.mark.parametrize(
    ("text", "principal", "rate"),
    [
        ("借呗 一万二千 月息1分 12", 12000, Rate(D("0.01"), RateUnit.MONTH)),
        ("借呗 1万2 2分利 12", 12000, Rate(D("0.02"), RateUnit.MONTH)),
        ("借呗 3千5 日息5厘 12", 3500, Rate(D("0.0005"), RateUnit.DAY)),
        ("借呗 两万 年息一分八 12", 20000, Rate(D("0.18"), RateUnit.YEAR)),
        ("借呗 五百 3分息 3", 500, Rate(D("0.03"), RateUnit.MONTH)),
        ("借呗 一千二 月息8厘 6", 1200, Rate(D("0.008"), RateUnit.MONTH)),
    ],
)
def test_one_line_reads_chinese_words(text: str, principal: int, rate: Rate) -> None:
    terms = line(text).terms
    assert (terms.principal, terms.rate) == (D(principal), rate)


# ---- the loan date and a first due date without a year ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "金条 10000 18% 12 2026-12-15 放款日2026-11-01",
        "金条 10000 18% 12 2026-12-15 放款 11月1日",
        "金条 10000 18% 12 2026-12-15 放款日：11月1日",
        "金条 10000 18% 12 2026-12-15 loan 2026-11-01",
        "金条 10000 18% 12 2026-12-15 from 2026-11-01",
        "金条 10000 18% 12 2026-12-15 loan date 2026-11-01",
        "金条 放款日2026-11-01 10000 18% 12 2026-12-15",  # anywhere after the name
    ],
)
def test_one_line_loan_date_keywords(text: str) -> None:
    terms = line(text).terms
    assert (terms.start_date, terms.first_due) == (date(2026, 11, 1), date(2026, 12, 15))


def test_without_a_first_due_date_it_is_a_month_after_the_loan_date() -> None:
    terms = line("金条 10000 18% 12 放款日2026-10-20").terms
    assert (terms.start_date, terms.first_due) == (date(2026, 10, 20), date(2026, 11, 20))
    check_spec(line("金条 10000 18% 12 放款日2026-10-20"))


def test_english_keywords_inside_a_name_are_name_words() -> None:
    spec = line("car loan 10000 18% 12")
    assert (spec.name, spec.terms.start_date) == ("car loan", None)
    spec = line("money from mom 5000 18% 12 from 2026-11-01")
    assert (spec.name, spec.terms.start_date) == ("money from mom", date(2026, 11, 1))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("金条 10000 18% 12 放款日2026-12-02", "loan_date_future"),
        ("金条 10000 18% 12 2026-11-15 loan 2026-11-15", "loan_date_order"),
        ("金条 10000 18% 12 2026-11-20 放款日11月25日", "loan_date_order"),
        ("金条 10000 18% 12 放款日", "loan_date_empty"),
        ("金条 10000 18% 12 放款日abc", "date_garbage"),
        ("金条 10000 18% 12 from 2026-13-01", "date_impossible"),
    ],
)
def test_loan_date_mistakes_name_their_part(text: str, code: str) -> None:
    error = failure(text)
    assert (error.code, error.params.get("part")) == (code, "start_date")


def test_issue_9_a_month_and_day_months_ago_is_this_year() -> None:
    assert line("金条 10000 18% 12 8月20日").terms.first_due == date(2026, 8, 20)
    assert line("金条 10000 18% 12 1月15日").terms.first_due == date(2027, 1, 15)
    assert line("金条 10000 18% 12 2027-08-20").terms.first_due == date(2027, 8, 20)


@pytest.mark.parametrize(
    ("words", "rest", "start"),
    [
        (["金条", "20000", "放款日2026-11-01", "18%"], ["金条", "20000", "18%"], date(2026, 11, 1)),
        (["金条", "放款", "11月", "1日", "18%"], ["金条", "18%"], date(2026, 11, 1)),
        (["phone", "from", "2026-11-01", "5000"], ["phone", "5000"], date(2026, 11, 1)),
        (["phone", "loan", "date", "2026-11-01"], ["phone"], date(2026, 11, 1)),
        (["car", "loan", "20000"], ["car", "loan", "20000"], None),  # a name word
        (["money", "from"], ["money", "from"], None),
        (["放款日2026-11-01"], ["放款日2026-11-01"], None),  # the first word is the name
    ],
)
def test_a_keyword_announces_the_loan_date(
    words: list[str], rest: list[str], start: date | None
) -> None:
    assert take_loan_date(words, TODAY) == (rest, start)


def test_a_chinese_loan_keyword_needs_a_date_after_it() -> None:
    with pytest.raises(InvalidTerms) as info:
        take_loan_date(["金条", "放款"], TODAY)
    assert (info.value.code, info.value.params) == ("loan_date_empty", {"part": "start_date"})
    with pytest.raises(DomainError) as info:
        take_loan_date(["金条", "放款日", "abc"], TODAY)
    assert (info.value.code, info.value.params["part"]) == ("date_garbage", "start_date")


# ---- a line with only some parts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name", "principal", "card"),
    [
        ("信用卡 15000", "信用卡", "15000", True),
        ("招行信用卡 1.5万", "招行信用卡", "15000", True),
        ("Visa card 8000", "Visa card", "8000", True),
        ("招行信用卡", "招行信用卡", None, True),
        ("Car loan 50000", "Car loan", "50000", False),
        ("金条", "金条", None, False),
    ],
)
def test_a_short_line_gives_a_name_and_perhaps_a_principal(
    line: str, name: str, principal: str | None, card: bool
) -> None:
    partial = partial_debt_line(line, currency="CNY")
    assert partial is not None
    assert partial.name == name
    assert (partial.principal.amount if partial.principal else None) == (
        Decimal(principal) if principal else None
    )
    assert partial.is_card is card


@pytest.mark.parametrize("line", ["15000", "金条 20000 0.05%", "金条 20000 18% 12"])
def test_a_line_with_more_than_a_name_and_principal_is_not_short(line: str) -> None:
    assert partial_debt_line(line, currency="CNY") is None
