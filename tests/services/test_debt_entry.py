"""Services behind /adddebt, /debts, /schedule and /status: reading, finding, archiving, sums."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tracker.errors import DomainError, NotFound
from tracker.ledger import PenaltyMode
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import (
    DebtSpec,
    add_debt,
    archive_debt,
    check_spec,
    default_penalty,
    due_so_far,
    due_within,
    find_debts,
    from_app_figures,
    known_lenders,
    lender_of,
    owed_by_currency,
    paid_before_tracking,
    parse_daily_late_fee,
    parse_debt_line,
    parse_fee_rate,
    parse_grace_days,
    parse_paid_count,
    parse_penalty_multiplier,
    position,
    positions,
    remaining_principal,
    set_lender,
)
from tracker.storage.enums import DebtStatus
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


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


# ---- optional terms -------------------------------------------------------------------------


def test_fee_rates() -> None:
    assert parse_fee_rate("0.6%") == D("0.006")
    assert parse_fee_rate("手续费率 0.6%") == D("0.006")
    for text, code in (("0.05%/day", "fee_rate_period"), ("abc", "rate_garbage")):
        with pytest.raises(DomainError) as info:
            parse_fee_rate(text)
        assert (info.value.code, info.value.params["text"]) == (code, text)


def test_daily_late_fee_is_per_day_unless_it_says_otherwise() -> None:
    assert parse_daily_late_fee("0.05%") == D("0.0005")
    assert parse_daily_late_fee("万五") == D("0.0005")
    assert parse_daily_late_fee("18.25%/year") == D("0.0005")


@pytest.mark.parametrize(("text", "days"), [("3", 3), ("3天", 3), ("三天", 3), ("无", 0), ("0", 0)])
def test_grace_days(text: str, days: int) -> None:
    assert parse_grace_days(text) == days


@pytest.mark.parametrize(("text", "code"), [("61", "grace_range"), ("soon", "grace_garbage")])
def test_bad_grace_days(text: str, code: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_grace_days(text)
    assert info.value.code == code


def test_penalty_multipliers() -> None:
    assert parse_penalty_multiplier("1.5倍") == D("1.5")
    assert parse_penalty_multiplier("x1.3") == D("1.3")
    for text, code in (("5", "penalty_multiplier_range"), ("half", "penalty_multiplier_garbage")):
        with pytest.raises(DomainError) as info:
            parse_penalty_multiplier(text)
        assert info.value.code == code


# ---- finding, archiving, sums ---------------------------------------------------------------


def _spec(name: str, **terms: Any) -> DebtSpec:
    fields: dict[str, Any] = {
        "principal": D(12000),
        "rate": Rate(D("0.0005"), RateUnit.DAY),
        "term": 12,
        "method": Method.ANNUITY,
        "first_due": date(2026, 12, 5),
    }
    fields.update(terms)
    return DebtSpec(name=name, terms=LoanTerms(**fields))


@pytest.fixture
def user_with_debts(make_uow: Callable[[], SqlUnitOfWork]) -> tuple[int, list[int]]:
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=7, chat_id=7))
        assert user.id is not None
        ids = []
        for spec in (
            _spec("Jintiao"),
            _spec("Baitiao", first_due=date(2026, 12, 20)),
            _spec("Bank card", currency="USD", principal=D(1000)),
        ):
            debt, _ = add_debt(uow, user.id, spec, NOW)
            assert debt.id is not None
            ids.append(debt.id)
        uow.commit()
        return user.id, ids


def test_find_debts_exact_then_unique_prefix(
    make_uow: Callable[[], SqlUnitOfWork], user_with_debts: tuple[int, list[int]]
) -> None:
    user_id, _ = user_with_debts
    with make_uow() as uow:
        assert [d.name for d in find_debts(uow, user_id, "JINTIAO")] == ["Jintiao"]
        assert [d.name for d in find_debts(uow, user_id, "bai")] == ["Baitiao"]
        assert [d.name for d in find_debts(uow, user_id, "ba")] == ["Baitiao", "Bank card"]
        assert find_debts(uow, user_id, "x") == []
        assert find_debts(uow, user_id, " ") == []
        assert find_debts(uow, user_id + 1, "Jintiao") == []


def test_archive_hides_a_debt_once_and_only_the_owners(
    make_uow: Callable[[], SqlUnitOfWork], user_with_debts: tuple[int, list[int]]
) -> None:
    user_id, ids = user_with_debts
    with make_uow() as uow:
        with pytest.raises(NotFound):
            archive_debt(uow, user_id + 1, ids[0], NOW)
        debt, changed = archive_debt(uow, user_id, ids[0], NOW)
        assert changed
        assert debt.status is DebtStatus.ARCHIVED
        uow.commit()
    with make_uow() as uow:
        assert not archive_debt(uow, user_id, ids[0], NOW)[1]
        assert [p.debt.name for p in positions(uow, user_id, TODAY)] == ["Baitiao", "Bank card"]
        assert find_debts(uow, user_id, "Jintiao") == []


def test_a_debts_lender_is_apart_from_its_name_and_stands_in_for_it_until_said(
    make_uow: Callable[[], SqlUnitOfWork], user_with_debts: tuple[int, list[int]]
) -> None:
    """Issue 10: the lender (the company repaid) is asked once; the name stands in till then."""
    user_id, ids = user_with_debts
    with make_uow() as uow:
        assert known_lenders(uow, user_id) == []
        card, _ = add_debt(uow, user_id, replace(_spec("信用卡"), lender=" 招商银行 "), NOW)
        assert (card.name, card.lender, lender_of(card)) == ("信用卡", "招商银行", "招商银行")
        jintiao = uow.debts.require_for_user(user_id, ids[0])
        assert (jintiao.lender, lender_of(jintiao)) == (None, "Jintiao")  # not said yet
        assert set_lender(uow, user_id, ids[0], "  JD   Finance ", now=NOW).lender == "JD Finance"
        set_lender(uow, user_id, ids[1], "jd finance", now=NOW)  # the same lender, once
        with pytest.raises(NotFound):
            set_lender(uow, user_id + 1, ids[2], "CMB", now=NOW)
        for bad, code in ((" ", "lender_empty"), ("x" * 41, "lender_too_long")):
            with pytest.raises(DomainError) as info:
                set_lender(uow, user_id, ids[2], bad, now=NOW)
            assert info.value.code == code
        uow.commit()
    with make_uow() as uow:
        # Each once, the most recently added debt's first.
        assert known_lenders(uow, user_id) == ["招商银行", "jd finance"]
        assert known_lenders(uow, user_id + 1) == []
    with pytest.raises(DomainError):
        check_spec(replace(_spec("信用卡"), lender=""))


def test_due_within_and_totals_per_currency(
    make_uow: Callable[[], SqlUnitOfWork], user_with_debts: tuple[int, list[int]]
) -> None:
    user_id, _ = user_with_debts
    with make_uow() as uow:
        current = positions(uow, user_id, TODAY)
        soon = due_within(current, TODAY, 7)
        assert [(s.debt.name, s.installment.due_date) for s in soon] == [
            ("Bank card", date(2026, 12, 5)),
            ("Jintiao", date(2026, 12, 5)),
        ]
        assert soon[1].amount == current[0].rows[0].payment
        assert len(due_within(current, TODAY, 19)) == 3
        totals = owed_by_currency(current)
        assert set(totals) == {"CNY", "USD"}
        assert totals["USD"] == current[2].state.owed_today.total
        assert totals["CNY"] == sum((p.state.owed_today.total for p in current[:2]), D(0))


# ---- a loan already running when it is added (issue 9) ---------------------------------------

#: Due on the 20th from August 2026: by 1 December, 20 Aug, 20 Sep, 20 Oct and 20 Nov were due.
RUNNING = _spec("Jintiao", first_due=date(2026, 8, 20), start_date=date(2026, 7, 20))


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("4", 4),
        ("4期", 4),
        ("前4期", 4),
        ("前4期已经还了", 4),
        ("前四期都按时还了", 4),
        ("已还4期", 4),
        ("还了两期", 2),
        ("十二期", 12),
        ("第4期", 4),
        ("４", 4),
        ("4 paid", 4),
        ("I've paid 4", 4),
        ("4 installments paid", 4),
        ("0", 0),
        ("none", 0),
        ("没有", 0),
        ("一期都没还", 0),
    ],
)
def test_paid_count_words(text: str, count: int) -> None:
    assert parse_paid_count(text) == count


@pytest.mark.parametrize(
    "text", ["", "abc", "4期没还", "paid 4 of 12", "4.5", "-1", "前期", "some", "还了好多"]
)
def test_paid_count_garbage(text: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_paid_count(text)
    assert info.value.code == "paid_count_garbage"


def test_installments_due_so_far_include_today() -> None:
    due = due_so_far(RUNNING, TODAY)
    assert [row.due_date for row in due] == [
        date(2026, 8, 20),
        date(2026, 9, 20),
        date(2026, 10, 20),
        date(2026, 11, 20),
    ]
    assert len(due_so_far(RUNNING, date(2026, 12, 20))) == 5  # due today counts as due
    assert due_so_far(RUNNING, date(2026, 8, 19)) == ()


def test_paid_before_tracking_is_at_most_what_was_due() -> None:
    assert paid_before_tracking(RUNNING, 4, TODAY).paid_before_tracking == 4
    assert paid_before_tracking(RUNNING, 0, TODAY).paid_before_tracking == 0
    with pytest.raises(DomainError) as info:
        paid_before_tracking(RUNNING, 5, TODAY)
    assert (info.value.code, info.value.params) == ("paid_count_too_many", {"count": 5, "due": 4})
    # Without a today, the count is only bounded by the installments there are.
    check_spec(replace(RUNNING, paid_before_tracking=12))
    with pytest.raises(DomainError):
        check_spec(replace(RUNNING, paid_before_tracking=13))


def test_add_debt_stores_installments_paid_before_tracking(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=9, chat_id=9))
        assert user.id is not None
        with pytest.raises(DomainError):  # nothing is stored for a count beyond what was due
            add_debt(uow, user.id, replace(RUNNING, paid_before_tracking=5), NOW, today=TODAY)
        assert uow.debts.list_for_user(user.id) == []
        debt, result = add_debt(
            uow, user.id, replace(RUNNING, paid_before_tracking=3), NOW, today=TODAY
        )
        assert debt.id is not None
        uow.commit()
        pos = position(uow, user.id, debt.id, TODAY)
        assert pos.debt.paid_before_tracking == 3
    states = pos.state.installments
    assert [s.before_tracking for s in states[:4]] == [True, True, True, False]
    assert [s.status.value for s in states[:5]] == ["paid", "paid", "paid", "overdue", "upcoming"]
    assert pos.state.total_paid == 0  # no payment was invented
    assert pos.state.overdue_amount == result.rows[3].payment


def test_remaining_principal_from_the_app_is_at_most_the_loan() -> None:
    assert remaining_principal("8000", RUNNING) == D(8000)
    assert remaining_principal("1.2万", RUNNING) == D(12000)
    with pytest.raises(DomainError) as info:
        remaining_principal("12000.01", RUNNING)
    assert info.value.code == "remaining_principal_above_loan"
    assert info.value.params == {"remaining": D("12000.01"), "principal": D(12000)}
    with pytest.raises(DomainError) as info:
        remaining_principal("USD500", RUNNING)
    assert info.value.code == "amount_currency_conflict"


def test_the_remaining_schedule_built_from_the_apps_figures() -> None:
    built = from_app_figures(RUNNING, D(8000), 8, date(2026, 12, 20))
    terms = built.terms
    assert (terms.principal, terms.term, terms.first_due) == (D(8000), 8, date(2026, 12, 20))
    assert (terms.rate, terms.method, terms.start_date) == (
        RUNNING.terms.rate,
        Method.ANNUITY,
        None,
    )
    assert (built.name, built.paid_before_tracking) == ("Jintiao", 0)
    with pytest.raises(DomainError) as info:
        from_app_figures(RUNNING, D(13000), 8, date(2026, 12, 20))
    assert info.value.code == "remaining_principal_above_loan"


def test_a_flat_fee_plan_built_from_the_app_keeps_its_fee_per_installment() -> None:
    # 白条: 0.5 % of the original ¥6,000 a period is ¥30, whatever principal is left.
    baitiao = _spec(
        "Baitiao",
        principal=D(6000),
        rate=Rate(D(0), RateUnit.MONTH),
        method=Method.FLAT_FEE,
        fee_rate=D("0.005"),
        first_due=date(2026, 8, 20),
        upfront_fee=D(50),
    )
    built = from_app_figures(baitiao, D(4000), 8, date(2026, 12, 20))
    rows = check_spec(built).rows
    assert [row.fee for row in rows] == [D(30)] * 8
    assert sum(row.principal for row in rows) == D(4000)
    assert built.terms.upfront_fee == 0  # taken when the money was paid out, not again


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
    from tracker.services.debts import partial_debt_line

    partial = partial_debt_line(line, currency="CNY")
    assert partial is not None
    assert partial.name == name
    assert (partial.principal.amount if partial.principal else None) == (
        Decimal(principal) if principal else None
    )
    assert partial.is_card is card


@pytest.mark.parametrize("line", ["15000", "金条 20000 0.05%", "金条 20000 18% 12"])
def test_a_line_with_more_than_a_name_and_principal_is_not_short(line: str) -> None:
    from tracker.services.debts import partial_debt_line

    assert partial_debt_line(line, currency="CNY") is None
