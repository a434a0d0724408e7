"""The pack's content: sections, the request sentence, the checklist, honest wording."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.i18n import translator
from bot.pack import Change, OptionInput, OptionKind, Pack, build_pack, plain_text, texts
from bot.pack.content import (
    MAX_SCHEDULE_ROWS,
    Bullets,
    Caution,
    Installment,
    Paragraph,
    Steps,
    Table,
    shown_lines,
)
from tests.pack.conftest import make_input, schedule


def _all_text(pack: Pack) -> str:
    return plain_text(pack, full=True)


def test_sections_come_in_order_and_the_first_two_are_for_the_lender(language: str) -> None:
    pack = build_pack(make_input(language))
    assert [s.key for s in pack.sections] == [
        "statement",
        "plan",
        "script",
        "evidence",
        "records",
        "refused",
        "help",
    ]
    assert [s.for_lender for s in pack.sections] == [True, True, False, False, False, False, False]
    assert pack.language == language


def test_chinese_pack_is_in_chinese_and_english_in_english() -> None:
    zh, en = build_pack(make_input("zh")), build_pack(make_input("en"))
    assert zh.title == "向金条申请还款协商：给你自己的指南"
    assert zh.letter_title == "还款协商申请"
    assert zh.letterhead[0] == "致：金条客服"
    assert zh.section("statement").title == "1. 个人财务情况说明"
    assert zh.section("script").title == "1. 电话或在线沟通话术"
    assert zh.request.startswith("恳请金条为我办理展期")
    assert "24 个月" in zh.request
    assert "¥1,050.00" in zh.request
    assert "2027年1月15日" in zh.request
    assert en.title == "Your guide to asking 金条 for a new arrangement"
    assert en.letter_title == "Request for a repayment arrangement"
    assert en.request == (
        "I would like to ask 金条 to extend my loan so that the balance is repaid over "
        "24 months, at CN¥1,050.00 a month from Jan 15, 2027."
    )


def test_the_plan_leads_with_the_request_and_says_the_lender_decides(language: str) -> None:
    pack = build_pack(make_input(language))
    plan = pack.section("plan")
    assert plan.blocks[0] == Paragraph(pack.request, key=True)
    t = translator(language)
    assert t(texts.NEEDS_APPROVAL, lender="金条") in _all_text(pack)
    assert t(texts.HONEST, lender="金条") in pack.intro


@pytest.mark.parametrize("kind", list(OptionKind))
def test_every_option_has_its_own_request(kind: OptionKind, language: str) -> None:
    data = make_input(language)
    pack = build_pack(replace(data, option=replace(data.option, kind=kind)))
    others = {
        build_pack(replace(data, option=replace(data.option, kind=other))).request
        for other in OptionKind
        if other is not kind
    }
    assert pack.request not in others
    money = "¥1,050.00"
    assert money in pack.request


def test_a_one_off_settlement_asks_for_a_single_payment(language: str) -> None:
    data = make_input(language)
    option = OptionInput(
        kind=OptionKind.SETTLEMENT,
        monthly_payment=Decimal("15000"),
        months=1,
        first_payment=date(2027, 1, 15),
        total_paid=Decimal("15000"),
        interest_and_fees=Decimal("0"),
        difference=Decimal("-10200"),
        schedule=(Installment(date(2027, 1, 15), Decimal("15000")),),
    )
    pack = build_pack(replace(data, option=option))
    expected = {"zh": "一次性还款 ¥15,000.00", "en": "a one-off payment of CN¥15,000.00"}
    assert expected[language] in pack.request
    text = _all_text(pack)
    assert {"zh": "总共少付 ¥10,200.00", "en": "CN¥10,200.00 less in total"}[language] in text


def test_the_script_walks_through_the_call(language: str) -> None:
    pack = build_pack(make_input(language))
    t = translator(language)
    steps = next(b for b in pack.section("script").blocks if isinstance(b, Steps))
    said = dict(steps.steps)
    assert said[t(texts.STEP_REQUEST)] == pack.request
    written = said[t(texts.STEP_WRITING)]
    assert t(texts.WRITTEN) in written
    assert t(texts.REFERENCE) in written
    assert "张小明" in said[t(texts.STEP_GREETING)]
    assert "尾号 4821" in said[t(texts.STEP_GREETING)]
    assert {"zh": "2026年12月1日", "en": "Dec 1, 2026"}[language] in said[t(texts.STEP_AGENT)]


def test_the_script_warns_when_the_plan_costs_more_than_the_borrower_can_afford() -> None:
    data = make_input("en")
    assert "more than the" not in _all_text(build_pack(data))
    squeezed = build_pack(replace(data, affordable_per_month=Decimal("800")))
    assert (
        "This plan asks for CN¥1,050.00 a month, more than the CN¥800.00 you said you can "
        "afford." in _all_text(squeezed)
    )


def test_the_greeting_leaves_out_what_the_borrower_did_not_give() -> None:
    pack = build_pack(make_input("en", borrower_name=None, account_hint=None))
    steps = next(b for b in pack.section("script").blocks if isinstance(b, Steps))
    assert steps.steps[0][1] == (
        "Hello, I am calling about my 金条 account. I can verify my identity."
    )
    assert pack.identity == ()


def _evidence(change: Change, language: str = "en") -> tuple[str, ...]:
    pack = build_pack(make_input(language, what_changed=change))
    return next(b for b in pack.section("evidence").blocks if isinstance(b, Bullets)).items


def test_the_checklist_fits_what_changed() -> None:
    job, illness, family = (
        _evidence(Change.JOB_LOSS),
        _evidence(Change.ILLNESS),
        _evidence(Change.FAMILY),
    )
    assert any("termination notice" in item for item in job)
    assert not any("Medical" in item for item in job)
    assert illness[0].startswith("Medical documents")
    assert not any("termination" in item for item in illness)
    assert family[0].startswith("Documents about the family emergency")
    for items in (job, illness, family, _evidence(Change.INCOME_DROP), _evidence(Change.OTHER)):
        assert "Bank statements for the last 3–6 months" in items
        assert "Your ID card (both sides)" in items
        assert "The letter to 金条, signed and dated" in items
    assert len({job, illness, family}) == 3
    assert any("诊断证明" in item for item in _evidence(Change.ILLNESS, "zh"))


def test_what_changed_accepts_the_plain_code() -> None:
    data = make_input("zh", what_changed="illness", since=date(2026, 8, 1))
    assert data.what_changed is Change.ILLNESS
    pack = build_pack(data)
    assert "自2026年8月1日起，我因病无法像以前一样工作。" in _all_text(pack)


def test_the_statement_states_income_expenses_and_what_is_affordable() -> None:
    text = _all_text(build_pack(make_input("en")))
    for line in (
        "Monthly income before the change: CN¥9,000.00",
        "Monthly income now: CN¥3,200.00",
        "Left each month after expenses and other debts: CN¥1,100.00",
        "What I can pay 金条 each month: CN¥1,100.00",
        "I lost my job on Sep 30, 2026.",
        "I expect this to last about 6 months.",
        "Total: CN¥28,000.00 outstanding, CN¥2,400.00 a month, CN¥2,100.00 overdue",
        "金条: CN¥22,000.00 outstanding, CN¥2,100.00 a month, CN¥2,100.00 overdue; rate 年化 18%",
    ):
        assert line in text
    unknown = _all_text(build_pack(make_input("en", duration_months=None, income_before=None)))
    assert "I cannot yet say how long this will last." in unknown
    assert "Monthly income before" not in unknown


def test_the_borrowers_note_becomes_a_sentence() -> None:
    zh = _all_text(build_pack(make_input("zh", what_changed_note="  公司裁员 ")))
    assert "具体情况：公司裁员。预计" in zh
    en = _all_text(build_pack(make_input("en", what_changed_note="Laid off!")))
    assert "In my own words: Laid off! I expect" in en


def test_long_user_text_is_clipped() -> None:
    data = make_input("en", lender="L" * 500, what_changed_note="x " * 2000)
    assert len(data.lender) == 80
    assert data.lender.endswith("…")
    assert data.what_changed_note is not None
    assert len(data.what_changed_note) == 600


def test_help_covers_refusal_missed_payments_credit_report_and_scams(language: str) -> None:
    pack = build_pack(make_input(language))
    text = _all_text(pack)
    assert "12378" in text
    assert {"zh": "中国人民银行征信中心", "en": "People's Bank of China"}[language] in text
    assert {"zh": "5 年", "en": "5 years"}[language] in text
    caution = next(b for b in pack.section("help").blocks if isinstance(b, Caution))
    for word in {"zh": ("代理协商", "反催收"), "en": ("negotiation agents",)}[language]:
        assert word in caution.text
    if language == "en":
        assert not any("\u4e00" <= char <= "\u9fff" for char in caution.text)  # no Chinese
    assert {"zh": "修复", "en": "repair"}[language] in caution.text
    assert "/plan" in text


def test_a_schedule_holds_at_most_sixty_rows() -> None:
    data = make_input("en")
    long = schedule(date(2027, 1, 15), MAX_SCHEDULE_ROWS + 1, Decimal(100))
    with pytest.raises(ValueError, match="at most 60"):
        replace(data.option, schedule=long)
    with pytest.raises(ValueError, match="at least one"):
        replace(data.option, months=0)


def test_long_tables_show_their_ends() -> None:
    data = make_input("en")
    option = replace(data.option, months=60, schedule=schedule(date(2027, 1, 15), 60, Decimal(500)))
    pack = build_pack(replace(data, option=option))
    table = next(b for b in pack.section("plan").blocks if isinstance(b, Table))
    head, tail, hidden = shown_lines(table)
    assert len(table.rows) == 60
    assert hidden == 52
    assert head[0].startswith("1. Jan 15, 2027")
    assert tail[-1].startswith("60. Dec 15, 2031")
    short = next(b for b in pack.section("statement").blocks if isinstance(b, Table))
    assert shown_lines(short) == (short.lines, (), 0)
