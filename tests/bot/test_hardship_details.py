"""Issue 10, /hardship's options: each option has a "Details" screen, in both languages, that
fits a phone (≤ 12 lines), speaks one language, re-derives to the cent, goes back to the list
and chooses the option as the list's button does; the summary says what a regular month asks
and, apart from it, what is overdue now."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest

from bot.localapi import EmulatorState, SimUser
from bot.localapi.models import ChatMessage
from tests.bot.test_hardship_options import WORDS, check_screen, data_of, labels, press, say
from tests.bot.test_phone_budget import chinese, english_words

#: 金条 (conftest): ¥12,000 at 0.05 % a day (18.25 % a year), 12 annuity installments.
MONTHLY_RATE = Fraction(5, 10000) * 365 / 12
CENT = Fraction(1, 100)


def cents(x: Fraction) -> Fraction:
    return Fraction(int(x / CENT + Fraction(1, 2)), 100)


def annuity(principal: int, months: int) -> list[Fraction]:
    """Each payment of an annuity at MONTHLY_RATE: the level payment rounded half up, each
    month's interest rounded, the last payment clearing what is left."""
    i = MONTHLY_RATE
    growth = (1 + i) ** months
    level = cents(principal * i * growth / (growth - 1))
    balance, out = Fraction(principal), []
    for k in range(months):
        interest = cents(balance * i)
        pay = balance + interest if k == months - 1 else level
        balance -= pay - interest
        out.append(pay)
    return out


def yuan(x: Fraction, language: str) -> str:
    """Money as the bot writes it: ¥1,234.56 in Chinese, CN¥1,234.56 in English."""
    amount = (Decimal(x.numerator) / Decimal(x.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return f"{'¥' if language == 'zh' else 'CN¥'}{amount:,}"


# The budget: 2,500 − 1,500 − a 250 reserve leaves 750 a month; no savings.
BUDGET = 750
#: The shortest annuity of the 12,000 whose every payment fits 750 (the lower payment option).
LOWER = next(n for n in range(13, 37) if max(annuity(12000, n)) <= BUDGET)
CURRENT = annuity(12000, 12)
#: One installment 16 days overdue (15 Nov to 1 Dec): its payment, and penalty interest at
#: 1.5 × the 0.05 % a day on its principal (the payment less a month's interest on 12,000).
OVERDUE_PRINCIPAL = CURRENT[0] - cents(12000 * MONTHLY_RATE)
ARREARS = CURRENT[0] + cents(OVERDUE_PRINCIPAL * Fraction(75, 100000) * 16)

#: The lower payment option's payments, total and peak; the current plan's regular month.
ROWS = annuity(12000, LOWER)
TOTAL, PEAK = sum(ROWS, Fraction(0)), max(ROWS)


def expected(language: str) -> dict[str, str]:
    """The details screen of the lower payment option, figured by hand, and the buttons."""
    y = {
        "first": yuan(ROWS[0], language),
        "peak": yuan(PEAK, language),
        "total": yuan(TOTAL, language),
        "cost": yuan(TOTAL - 12000, language),
        "more": yuan(TOTAL - sum(CURRENT, Fraction(0)), language),
        "less": yuan(CURRENT[0] - PEAK, language),
    }
    if language == "zh":
        return {
            "title": "1. 延长期限、降低月供",
            "terms": f"分 {LOWER} 个月还清全部欠款，每月最多 {y['peak']}。",
            "first": f"共还 {LOWER} 次，第一次 2026年12月15日 还 {y['first']}。",
            "total": f"共还 {y['total']}，其中利息和费用 {y['cost']}，比现在的计划多 {y['more']}。",
            "monthly": f"每月最多 {y['peak']}，比现在的计划少 {y['less']}。",
            "caveat": "需要贷款机构同意",
            "details": "详情",
            "choose": "就选这个",
            "back": "◀ 返回方案列表",
            "pack": "延长期限、降低月供：这是给金条的材料包",
            "list": "你的选择，最合适的排在前面：",
        }
    return {
        "title": "1. Lower payment over a longer term",
        "terms": f"Repay everything over {LOWER} months, at most {y['peak']} a month.",
        "first": f"Number of payments: {LOWER}, the first of {y['first']} on Dec 15, 2026.",
        "total": f"Total {y['total']}, of which interest and fees {y['cost']}: "
        f"{y['more']} more than the current plan.",
        "monthly": f"At most {y['peak']} a month: {y['less']} less than the current plan.",
        "caveat": "Each ask needs the lender's consent.",
        "details": "Details",
        "choose": "Choose this",
        "back": "◀ Back to options",
        "pack": "Lower payment over a longer term: here is your pack for 金条",
        "list": "Your options, best first:",
    }


async def options_after(
    user: SimUser, words: dict[str, str], savings: str = "0"
) -> tuple[ChatMessage, str]:
    """/hardship: lost job since 2026-11-20, income 2,500, essential expenses 1,500, 6 months,
    no savings unless said; (the options, the summary's text)."""
    question = await say(user, "/hardship")
    await press(user, question, words["job_loss"])
    await say(user, "2026-11-20")
    await say(user, "2500")
    new_cost = await say(user, "1500")
    await press(user, new_cost, words["no_new_cost"])
    duration = await say(user, "0")
    await press(user, duration, words["months_6"])
    user.send_text(savings)
    _saved, summary = await user.next_messages(2)
    return await user.next_message(), summary.text or ""


def one_language(message: ChatMessage, language: str) -> None:
    if language == "zh":
        assert not english_words(message), message.text
    else:
        assert not chinese(message), message.text


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_the_details_of_an_option_re_derive_and_lead_back_or_to_the_pack(
    state: EmulatorState, app: Any, given_debt: Any, language: str
) -> None:
    # Nothing is overdue on 1 December; the 1,101.59 installments do not fit 750, so the
    # first option is the shortest longer term whose every payment fits.
    user = state.create_user("小明", language_code="zh-hans" if language == "zh" else "en")
    given_debt(user, lender="金条")
    want = expected(language)
    first, _summary = await options_after(user, WORDS[language])
    row = first.button_texts[0]
    assert row == [want["title"], want["details"]]  # the choice and its details
    details_data = data_of(first)[1]
    user.press_button(first, data=details_data)
    details = await user.next_message()
    text = check_screen(details)
    one_language(details, language)
    lines = text.splitlines()
    assert lines[0] == want["title"]
    assert lines[1] == want["terms"]
    assert want["first"] in lines
    assert want["total"] in lines
    assert want["monthly"] in lines
    assert want["caveat"] in text
    assert labels(details) == [want["choose"], want["back"]]
    # The choice is the list's own button: the same callback.
    assert data_of(details)[0] == data_of(first)[0]

    back = await press(user, details, want["back"])
    assert (back.text or "") == (first.text or "")
    assert (back.text or "").startswith(want["list"])
    assert data_of(back) == data_of(first)

    chosen = await press(user, details, want["choose"])
    assert (chosen.text or "").startswith(want["pack"])


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_every_option_on_every_page_has_details_within_a_phone_screen(
    state: EmulatorState, app: Any, given_debt: Any, language: str
) -> None:
    # 金条 a month behind (its 15 November installment unpaid) and 20,000 saved: every kind of
    # option exists, combined or not; each details screen fits and speaks one language.
    user = state.create_user("小明", language_code="zh-hans" if language == "zh" else "en")
    given_debt(user, first_due=date(2026, 11, 15), start_date=date(2026, 10, 15), lender="金条")
    first, _summary = await options_after(user, WORDS[language], savings="20000")
    screens = [first]
    more = [label for label in labels(first) if label.startswith(("More options", "更多方案"))]
    if more:
        screens.append(await press(user, first, more[0]))
    seen = 0
    for screen in screens:
        for data in data_of(screen):
            if not data.startswith("hsdt:"):
                continue
            user.press_button(screen, data=data)
            details = await user.next_message()
            check_screen(details)
            one_language(details, language)
            seen += 1
    assert seen == 8  # every kind for one debt


@pytest.mark.parametrize(
    ("language", "overdue", "line"),
    [
        ("zh", False, f"按现在的计划，每月要还 {yuan(CURRENT[0], 'zh')}。"),
        ("en", False, f"Your current plans ask {yuan(CURRENT[0], 'en')} a month."),
        (
            "zh",
            True,
            f"按现在的计划，每月要还 {yuan(CURRENT[1], 'zh')}，另有 {yuan(ARREARS, 'zh')} "
            "已逾期、现在就该还。",
        ),
        (
            "en",
            True,
            f"Your current plans ask {yuan(CURRENT[1], 'en')} a month, plus "
            f"{yuan(ARREARS, 'en')} overdue now.",
        ),
    ],
)
async def test_the_summary_says_a_regular_month_and_the_overdue_apart(
    state: EmulatorState, app: Any, given_debt: Any, language: str, overdue: bool, line: str
) -> None:
    # Overdue: the schedule began a month earlier, so the 15 November installment is unpaid on
    # 1 December; the next, on 15 December, is the regular month.
    user = state.create_user("小明", language_code="zh-hans" if language == "zh" else "en")
    if overdue:
        given_debt(user, first_due=date(2026, 11, 15), start_date=date(2026, 10, 15))
    else:
        given_debt(user)
    _options, summary = await options_after(user, WORDS[language])
    assert line in summary.splitlines()
    assert "this month" not in summary
    assert "本月" not in summary
