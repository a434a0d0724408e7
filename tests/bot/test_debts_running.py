"""Issue 9: adding a loan that is already running, through the real Application and the jobs.

Every scenario is the same 金条 as the borrower describes it on 1 December 2026 (the tests'
frozen today): ¥12,000 at 0.05 % a day, 12 equal monthly installments (等额本息), the money
paid out on 20 July 2026 and the first installment due on 20 August 2026. By today four
installments were due (20 Aug, 20 Sep, 20 Oct, 20 Nov); the fifth is due on 20 December.

The expected figures are worked out here from the textbook formulas, not read from the bot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Any

import pytest
from sqlmodel import col, select

import jobs
from bot.clock import Clock
from bot.features.debts_steps import draft_of, spec_of
from bot.localapi import SimUser
from bot.localapi.models import ChatMessage
from tracker.parsing.debt_line import parse_debt_line
from tracker.storage.models import Debt, Installment, Outbox, Payment
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
D = Decimal

ZH_LINE = "/adddebt 金条 1.2万 日息万五 12 等额本息 8月20日 放款 7月20日"
EN_LINE = "/adddebt Jintiao 12000 0.05%/day 12 annuity 2026-08-20 loan 2026-07-20"
#: 0.05 % a day on a 365-day year, as an exact monthly rate; penalty is 1.5 × the daily rate.
DAILY = Fraction(5, 10000)
MONTHLY = DAILY * 365 / 12
PENALTY_DAILY = DAILY * Fraction(3, 2)
#: Days from the fourth due date (20 Nov) to today (1 Dec).
DAYS_SINCE_NOV_20 = 11
#: Words that may appear in a Chinese reply: commands, and the IRR abbreviation.
ZH_ALLOWED_LATIN = {"adddebt", "schedule", "status", "cancel", "IRR"}


@pytest.fixture
def app(app_with_jobs: Any) -> Any:
    """The real Application with the jobs registered (run here with jobs.run_now)."""
    return app_with_jobs


def cents(value: Fraction) -> Decimal:
    """A non-negative amount rounded half up to cents."""
    return Decimal(floor(value * 100 + Fraction(1, 2))) / 100


@dataclass(frozen=True)
class Row:
    payment: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal  # after this installment


def annuity_rows(principal: int, monthly: Fraction, months: int) -> list[Row]:
    """Level payments P·i(1+i)^n / ((1+i)^n − 1) rounded to cents; each row's interest is the
    balance × i rounded half up, and the last row repays whatever balance is left."""
    growth = (1 + monthly) ** months
    payment = cents(principal * monthly * growth / (growth - 1))
    balance = Decimal(principal)
    rows = []
    for number in range(1, months + 1):
        interest = cents(Fraction(balance) * monthly)
        repaid = balance if number == months else payment - interest
        balance -= repaid
        rows.append(Row(repaid + interest, interest, repaid, balance))
    return rows


ROWS = annuity_rows(12000, MONTHLY, 12)


def yuan(amount: Decimal) -> str:
    """An amount as the bot writes it (¥ in Chinese; English writes CN¥, which contains it)."""
    return f"¥{amount:,.2f}"


async def say(sim: SimUser, text: str) -> ChatMessage:
    sim.send_text(text)
    return await sim.next_message()


async def press(sim: SimUser, message: ChatMessage, text: str) -> ChatMessage:
    sim.press_button(message, text=text)
    return await sim.next_message()


def lines(message: ChatMessage) -> list[str]:
    return (message.text or "").splitlines()


def latin_words(message: ChatMessage) -> set[str]:
    texts = [message.text or "", *(label for row in message.button_texts for label in row)]
    return {word for text in texts for word in re.findall(r"[A-Za-z]{3,}", text)}


def han(message: ChatMessage) -> str:
    texts = [message.text or "", *(label for row in message.button_texts for label in row)]
    return "".join(ch for text in texts for ch in text if "\u4e00" <= ch <= "\u9fff")


def stored(make_uow: MakeUow, sim: SimUser) -> list[tuple[Debt, list[Installment], int]]:
    """The user's debts, each with its installments and how many payments were recorded."""
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        if user is None:
            return []
        assert user.id is not None
        found = []
        for debt in uow.debts.list_for_user(user.id):
            assert debt.id is not None
            installments = [
                Installment(**i.model_dump()) for i in uow.installments.for_debt(user.id, debt.id)
            ]
            paid = uow.session.exec(select(Payment).where(col(Payment.debt_id) == debt.id)).all()
            found.append((Debt(**debt.model_dump()), installments, len(paid)))
        return found


def overdue_keys(make_uow: MakeUow) -> list[tuple[str, str]]:
    with make_uow() as uow:
        rows = uow.session.exec(select(Outbox).where(col(Outbox.kind) == "overdue")).all()
        return [(row.key, row.status.value) for row in rows]


# ---- the question, and "all paid" / "some paid" ----------------------------------------------


async def test_zh_four_of_four_paid_leaves_nothing_overdue_and_the_right_balance(
    app: Any, zh_user: SimUser, make_uow: MakeUow, clock: Clock
) -> None:
    asked = await say(zh_user, ZH_LINE)
    text = asked.text or ""
    assert "截至今天已到期（2026年7月20日 放款）：" in text
    assert f"1. 2026年8月20日：{yuan(ROWS[0].payment)}（其中利息 {yuan(ROWS[0].interest)}）" in text
    assert "4. 2026年11月20日" in text  # the last installment due so far
    assert "5. " not in text
    assert "首个还款日已经过了" in text
    assert asked.button_texts == [
        ["✅ 到期的都已还"],
        ["🔢 还了一部分（几期？）"],
        ["⚠️ 我逾期了"],
        ["📱 按借款平台显示的填写"],
        ["✖️ 取消"],
    ]
    assert len(lines(asked)) <= 12
    assert latin_words(asked) <= ZH_ALLOWED_LATIN
    assert not stored(make_uow, zh_user)  # nothing is saved before the answer

    count = await press(zh_user, asked, "🔢 还了一部分（几期？）")
    assert "截至今天共有 4 期到期，最后一期在2026年11月20日" in (count.text or "")
    saved = await say(zh_user, "前4期已经还了")

    # Four installments paid: the balance is what the schedule leaves after the fourth, and
    # settling today adds the fifth period's interest for the 11 days since 20 November.
    balance = ROWS[3].balance
    accrued = cents(Fraction(balance) * DAILY * DAYS_SINCE_NOV_20)
    text = saved.text or ""
    assert "已保存" in text
    assert "第 1–4 期：开始记账前已还。" in text
    assert f"尚欠本金：{yuan(balance)}；今天结清需还：{yuan(balance + accrued)}。" in text
    assert "逾期" not in text
    assert f"下一期：2026年12月20日 应还 {yuan(ROWS[4].payment)}" in text
    assert len(lines(saved)) <= 12
    assert latin_words(saved) <= ZH_ALLOWED_LATIN

    [(debt, installments, payments)] = stored(make_uow, zh_user)
    assert (debt.paid_before_tracking, debt.principal_minor, debt.term_months) == (4, 1_200_000, 12)
    assert (debt.first_due, debt.start_date) == (date(2026, 8, 20), date(2026, 7, 20))
    assert len(installments) == 12
    assert payments == 0  # paid before tracking: no payments are invented

    page = await say(zh_user, "/schedule")
    schedule = page.text or ""
    assert "▫️ 5. 2026年12月20日" in schedule  # opens at the first installment still to pay
    assert "第 1–4 期：开始记账前已还。" in schedule
    edits = zh_user.message(page.message_id).edit_count
    zh_user.press_button(page, text="◀ 前几期")
    earlier = (await zh_user.wait_for_edit(page.message_id, after=edits)).text or ""
    assert f"✅ 1. 2026年8月20日 {yuan(ROWS[0].payment)} — 开始记账前已还" in earlier
    assert f"✅ 4. 2026年11月20日 {yuan(ROWS[3].payment)} — 开始记账前已还" in earlier
    history = (await say(zh_user, "/history")).text or ""
    assert "第 1–4 期：开始记账前已还。" in history

    # Logging one of those again (10月20日 is installment 3's date) is held for installment 5,
    # never lost, and the reply points at /undo in case it was a double report.
    again = (await say(zh_user, f"10月20日还了{ROWS[2].payment}")).text or ""
    assert "2026年10月20日" in again
    assert "如果这笔还款就是其中一期，请用 /undo 撤销。" in again
    assert f"今天结清需还：{yuan(balance + accrued - ROWS[2].payment)}" in again

    # Nothing is overdue, so no overdue alert comes, today or at the next send slots.
    for _ in range(3):
        await jobs.run_now(app)
        clock.advance(timedelta(days=1))
    assert overdue_keys(make_uow) == []


async def test_en_all_paid_so_far_in_the_guided_flow(
    app: Any, en_user: SimUser, make_uow: MakeUow
) -> None:
    await say(en_user, "/adddebt")
    for answer in ("Jintiao", "12000", "0.05%/day", "12"):
        methods = await say(en_user, answer)
    await press(en_user, methods, "annuity (equal payments)")
    summary = await say(en_user, "2026-08-20")
    asked = await press(en_user, summary, "💾 Save")  # asked before anything is saved
    assert "Due by today:" in (asked.text or "")
    assert f"1. Aug 20, 2026: CN{yuan(ROWS[0].payment)}" in (asked.text or "")
    assert "…" in (asked.text or "")
    assert "4. Nov 20, 2026" in (asked.text or "")
    assert not han(asked)
    assert not stored(make_uow, en_user)

    saved = await press(en_user, asked, "✅ All paid so far")
    text = saved.text or ""
    balance = ROWS[3].balance
    # No loan date given: the first period is the month before 20 Aug, as in the schedule.
    accrued = cents(Fraction(balance) * DAILY * DAYS_SINCE_NOV_20)
    assert "Installments 1–4: paid before tracking." in text
    assert (
        f"Principal still owed: CN{yuan(balance)}; to settle today: CN{yuan(balance + accrued)}."
        in text
    )
    assert "Overdue" not in text
    assert f"Next: CN{yuan(ROWS[4].payment)} due Dec 20, 2026" in text
    assert not han(saved)
    [(debt, _, payments)] = stored(make_uow, en_user)
    assert (debt.paid_before_tracking, payments) == (4, 0)


# ---- "I'm behind": overdue in the confirmation, and alerted at the next send slot -------------


async def test_en_three_paid_one_overdue_stated_and_alerted_at_the_next_slot(
    app: Any, en_user: SimUser, make_uow: MakeUow, clock: Clock
) -> None:
    asked = await say(en_user, EN_LINE)
    assert "Due by today (loan paid out Jul 20, 2026):" in (asked.text or "")
    count = await press(en_user, asked, "⚠️ I'm behind")
    assert "By today 4 were due, the last on Nov 20, 2026" in (count.text or "")
    saved = await say(en_user, "3 paid")

    # The fourth installment (20 Nov) is unpaid: 11 days late today. Penalty interest runs at
    # 1.5 × the contract's 0.05 % a day on its principal part.
    fourth = ROWS[3]
    penalty = cents(Fraction(fourth.principal) * PENALTY_DAILY * DAYS_SINCE_NOV_20)
    per_day = cents(Fraction(fourth.principal) * PENALTY_DAILY)
    # Settling today: the principal after the third installment, the fourth's interest, the
    # penalty, and the fifth period's interest for 11 days on the balance after the fourth.
    owed_principal = ROWS[2].balance
    current = cents(Fraction(fourth.balance) * DAILY * DAYS_SINCE_NOV_20)
    total = owed_principal + fourth.interest + penalty + current
    text = saved.text or ""
    assert "Installments 1–3: paid before tracking." in text
    assert (
        f"⚠️ Overdue: CN{yuan(fourth.payment)} since Nov 20, 2026 (11 days); "
        f"penalty so far CN{yuan(penalty)}, growing by CN{yuan(per_day)} a day."
    ) in text
    assert (
        f"Principal still owed: CN{yuan(owed_principal)}; to settle today: CN{yuan(total)}." in text
    )
    assert f"Next: CN{yuan(ROWS[4].payment)} due Dec 20, 2026" in text
    assert len(lines(saved)) <= 12
    assert not han(saved)
    [(debt, installments, payments)] = stored(make_uow, en_user)
    assert (debt.paid_before_tracking, payments) == (3, 0)
    fourth_id = next(i.id for i in installments if i.seq == 4)

    # Saved at 09:00, today's send slot: the first alert waits for the next one, tomorrow 09:00
    # (the day the overdue was found is its occasion, not only days 1, 3, 7 and 30).
    _, sent = await jobs.run_now(app)
    assert sent.sent == 0
    clock.advance(timedelta(hours=23, minutes=59))  # 2 Dec, 08:59
    _, sent = await jobs.run_now(app)
    assert sent.sent == 0
    clock.advance(timedelta(minutes=1))  # 2 Dec, 09:00
    _, sent = await jobs.run_now(app)
    assert sent.sent == 1
    alert = await en_user.next_message()
    assert "<b>" not in (alert.text or "")
    assert "Jintiao: CN" in (alert.text or "")
    assert f"{yuan(fourth.payment)} is overdue since Nov 20 (12 days)." in (alert.text or "")
    twelve_days = cents(Fraction(fourth.principal) * PENALTY_DAILY * 12)
    assert f"Penalty interest so far: CN{yuan(twelve_days)}; about CN{yuan(per_day)} more" in (
        alert.text or ""
    )
    assert overdue_keys(make_uow) == [(f"overdue:{fourth_id}:12", "sent")]
    # Later scans that day send nothing more; the next alert is day 30 (20 December).
    clock.advance(timedelta(hours=5))
    _, sent = await jobs.run_now(app)
    assert sent.sent == 0


async def test_zh_behind_with_nothing_paid_in_chinese_only(
    app: Any, zh_user: SimUser, make_uow: MakeUow
) -> None:
    asked = await say(zh_user, ZH_LINE)
    count = await press(zh_user, asked, "⚠️ 我逾期了")
    assert "请输入 0 到 4 之间的数字" in (count.text or "")
    saved = await say(zh_user, "0")
    text = saved.text or ""
    # All four installments overdue, the oldest since 20 August (103 days).
    overdue = sum((row.payment for row in ROWS[:4]), D(0))
    assert f"⚠️ 已逾期：{yuan(overdue)}，自 2026年8月20日 起（103 天）" in text
    assert "开始记账前已还" not in text
    assert latin_words(saved) <= ZH_ALLOWED_LATIN
    [(debt, _, _)] = stored(make_uow, zh_user)
    assert debt.paid_before_tracking == 0


# ---- what the lender's app shows -------------------------------------------------------------


async def test_en_remaining_principal_entry_builds_the_remaining_schedule(
    app: Any, en_user: SimUser, make_uow: MakeUow
) -> None:
    asked = await say(en_user, EN_LINE)
    principal_q = await press(en_user, asked, "📱 Enter what my app shows")
    # The example is the balance the original plan leaves after the four due installments.
    assert f"For example {ROWS[3].balance}." in (principal_q.text or "")
    wrong = await say(en_user, "13000")
    assert (
        "The remaining principal (CN¥13,000.00) can't be more than "
        "the amount borrowed (CN¥12,000.00)." in (wrong.text or "")
    )
    assert "At most the amount borrowed, CN¥12,000.00" in (wrong.text or "")  # asked again
    assert not stored(make_uow, en_user)
    term_q = await say(en_user, "8000")
    assert "How many installments are left" in (term_q.text or "")
    due_q = await say(en_user, "8")
    assert due_q.button_texts == [["Dec 20, 2026"]]  # the original plan's next due date
    saved = await press(en_user, due_q, "Dec 20, 2026")

    rows = annuity_rows(8000, MONTHLY, 8)
    # The new plan's first period is the month before 20 December: 11 days of it have run.
    accrued = cents(Fraction(8000) * DAILY * DAYS_SINCE_NOV_20)
    text = saved.text or ""
    assert (
        "Built from what your app shows: CN¥8,000.00 of principal left, 8 installments to go, "
        "the next due Dec 20, 2026 (the loan was CN¥12,000.00)."
    ) in text
    assert "8 monthly installments" in text
    assert (
        f"Principal still owed: CN{yuan(D(8000))}; to settle today: CN{yuan(8000 + accrued)}."
        in text
    )
    assert f"Next: CN{yuan(rows[0].payment)} due Dec 20, 2026" in text
    assert "Overdue" not in text
    assert len(lines(saved)) <= 12
    [(debt, installments, payments)] = stored(make_uow, en_user)
    assert (debt.principal_minor, debt.term_months, debt.first_due) == (
        800_000,
        8,
        date(2026, 12, 20),
    )
    assert (debt.paid_before_tracking, payments) == (0, 0)
    assert [i.total_minor for i in installments] == [int(row.payment * 100) for row in rows]


async def test_zh_remaining_principal_entry_typed_date(
    app: Any, zh_user: SimUser, make_uow: MakeUow
) -> None:
    asked = await say(zh_user, ZH_LINE)
    await press(zh_user, asked, "📱 按借款平台显示的填写")
    wrong = await say(zh_user, "1.3万")
    assert "剩余本金（¥13,000.00）不能多于借款本金（¥12,000.00）。" in (wrong.text or "")
    assert latin_words(wrong) <= ZH_ALLOWED_LATIN
    await say(zh_user, "8000")
    await say(zh_user, "8期")
    saved = await say(zh_user, "12月20日")
    assert "已按借款平台显示的数字重建还款计划：剩余本金 ¥8,000.00，还剩 8 期" in (saved.text or "")
    assert latin_words(saved) <= ZH_ALLOWED_LATIN
    [(debt, _, _)] = stored(make_uow, zh_user)
    assert (debt.principal_minor, debt.term_months) == (800_000, 8)


# ---- bad input: a clear reply with an example, and nothing half-saved --------------------------


async def test_zh_more_installments_paid_than_were_due_is_refused(
    app: Any, zh_user: SimUser, make_uow: MakeUow
) -> None:
    asked = await say(zh_user, ZH_LINE)
    count = await press(zh_user, asked, "🔢 还了一部分（几期？）")
    assert count.button_texts == []
    wrong = await say(zh_user, "前5期")
    text = wrong.text or ""
    assert "您说已还 5 期，但截至今天只有 4 期到期。" in text
    assert "例如 3、前3期 或 前3期已经还了" in text  # the question again, with its example
    assert not stored(make_uow, zh_user)
    garbled = await say(zh_user, "还了好多")
    assert "无法把“还了好多”识别为期数。" in (garbled.text or "")
    assert not stored(make_uow, zh_user)
    saved = await say(zh_user, "四期")
    assert "第 1–4 期：开始记账前已还。" in (saved.text or "")
    [(debt, _, _)] = stored(make_uow, zh_user)
    assert debt.paid_before_tracking == 4


async def test_en_count_typed_at_the_question_and_too_many(
    app: Any, en_user: SimUser, make_uow: MakeUow
) -> None:
    asked = await say(en_user, EN_LINE)
    assert asked.button_texts[0] == ["✅ All paid so far"]
    wrong = await say(en_user, "I've paid 7")  # a count instead of a button is understood
    assert "You said 7 installments were paid, but only 4 were due by today." in (wrong.text or "")
    assert ["✅ All paid so far"] in wrong.button_texts  # the same question again
    assert not stored(make_uow, en_user)
    words = await say(en_user, "what?")
    assert "Please choose with the buttons below." in (words.text or "")
    saved = await say(en_user, "2 paid")
    assert "Installments 1–2: paid before tracking." in (saved.text or "")
    # Installments 3 and 4 are overdue, the older since 20 October (42 days).
    assert (
        f"⚠️ Overdue: CN{yuan(ROWS[2].payment + ROWS[3].payment)} since Oct 20, 2026 (42 days)"
        in (saved.text or "")
    )
    [(debt, _, payments)] = stored(make_uow, en_user)
    assert (debt.paid_before_tracking, payments) == (2, 0)


async def test_cancel_at_the_question_saves_nothing(
    app: Any, en_user: SimUser, make_uow: MakeUow
) -> None:
    asked = await say(en_user, EN_LINE)
    cancelled = await press(en_user, asked, "✖️ Cancel")
    assert "Nothing was saved" in (cancelled.text or "")
    count = await press(en_user, await say(en_user, EN_LINE), "🔢 Some paid: how many?")
    assert "How many installments have you paid?" in (count.text or "")
    cancelled = await say(en_user, "/cancel")
    assert "Nothing was saved" in (cancelled.text or "")
    assert not stored(make_uow, en_user)


@pytest.mark.parametrize(
    "line",
    [
        "金条 1.2万 日息万五 12 等额本息 8月20日 放款 7月20日",
        "白条 6000 0.5%/期 12 分期手续费 2026-09-05",
        "Card 20000 18% 24 equal_principal 2026-10-01",
    ],
)
def test_a_one_line_debt_asked_about_keeps_every_term(line: str) -> None:
    """The one-line form's debt waits in the draft while the question is asked: unchanged."""
    spec = parse_debt_line(line, today=date(2026, 12, 1), currency="CNY")
    assert spec_of(draft_of(spec)) == spec
