"""/hardship through the real Application, the jobs and the local Bot API, in both languages:
the report, the options, the pack (chat, PDF, plain text), the proposal, confirming what the
lender agreed, and the next reminder following it; "I can't pay", free text, nothing fits,
/cancel."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

import jobs
from bot.clock import Clock
from bot.localapi import EmulatorState, SimUser
from bot.localapi.models import ChatMessage
from tracker.rates import Rate, RateUnit
from tracker.services.debts import position
from tracker.storage.enums import BudgetSource, Channel, PlanOrigin, PlanStatus
from tracker.storage.models import Budget, Debt, HardshipReport, PlanVersion
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
TODAY = date(2026, 12, 1)
#: 2026-12-12 09:00 in Shanghai: the "3 days before" reminder of the 15 December installment.
THREE_DAYS_BEFORE = timedelta(days=11)

ZH = {
    "job_loss": "失业",
    "no_new_cost": "没有新增支出",
    "months_6": "6 个月",
    "for_good": "长期 / 说不准",
    "plain": "📋 复制纯文本",
    "agreed": "✅ 已和贷款机构谈妥",
    "refused": "✖️ 贷款机构拒绝了",
    "yes": "是的，继续",
    "today": "今天",
    "hotline": "客服电话",
    "skip": "跳过",
    "save": "保存",
    "get_options": "看看有哪些办法",
    "avalanche": "利率最高的先还",
    "saved": "✅ 已保存",
}
EN = {
    "job_loss": "Lost my job",
    "no_new_cost": "No new cost",
    "months_6": "6 months",
    "for_good": "For good / I don't know",
    "plain": "📋 Plain text to copy",
    "agreed": "✅ I agreed a plan",
    "refused": "✖️ The lender said no",
    "yes": "Yes, continue",
    "today": "Today",
    "hotline": "Hotline",
    "skip": "Skip",
    "save": "Save",
    "get_options": "Get options",
    "avalanche": "Highest rate first",
    "saved": "✅ Saved.",
}


@pytest.fixture
def app(app_with_jobs: Any) -> Any:
    """The real Application with the jobs registered (the tests run them with jobs.run_now)."""
    return app_with_jobs


# ---- helpers ---------------------------------------------------------------------------------


async def say(user: SimUser, text: str) -> ChatMessage:
    user.send_text(text)
    return await user.next_message()


async def press(user: SimUser, message: ChatMessage, label: str) -> ChatMessage:
    user.press_button(message, text=label)
    return await user.next_message()


def labels(message: ChatMessage) -> list[str]:
    return [label for row in message.button_texts for label in row]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def plans_of(make_uow: MakeUow, debt_id: int) -> list[tuple[int, PlanStatus, PlanOrigin]]:
    with make_uow() as uow:
        return [(p.version, p.status, p.origin) for p in uow.plans.list_for_debt(debt_id)]


def stored(make_uow: MakeUow) -> tuple[int, int]:
    """How many hardship reports and hardship budget snapshots there are."""
    with make_uow() as uow:
        reports = uow.session.exec(select(HardshipReport)).all()
        budgets = uow.session.exec(
            select(Budget).where(col(Budget.source) == BudgetSource.HARDSHIP)
        ).all()
        return len(reports), len(budgets)


async def until_buttons(user: SimUser) -> ChatMessage:
    """The next message with buttons (a long list may come in two parts)."""
    while True:
        message = await user.next_message()
        if message.button_texts:
            return message


async def report(
    user: SimUser, words: dict[str, str], *, income: str, expenses: str = "1500"
) -> tuple[ChatMessage, ChatMessage]:
    """/hardship answered through: lost job since 2026-11-20, no budget yet; the options."""
    question = await say(user, "/hardship")
    await press(user, question, words["job_loss"])
    await say(user, "2026-11-20")  # the income question
    await say(user, income)  # the expenses question: no /budget yet
    new_cost = await say(user, expenses)
    await press(user, new_cost, words["no_new_cost"])  # the one-off question
    duration = await say(user, "0")
    await press(user, duration, words["months_6"])  # the savings question
    user.send_text("0")
    saved, summary = await user.next_messages(2)
    assert (saved.text or "").startswith(words["saved"])
    return summary, await until_buttons(user)


# ---- the whole way, in Chinese: report → options → pack → proposal → agreed → reminder -------


async def test_from_hardship_to_an_agreed_plan_the_reminders_follow_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: MakeUow, clock: Clock
) -> None:
    debt_id = given_debt(zh_user)
    question = await say(zh_user, "/hardship")
    assert "<b>" not in (question.text or "")
    assert "发生了什么变化？" in (question.text or "")
    assert labels(question) == ["失业", "收入减少", "生病", "家里有急事", "其他原因"]
    since = await press(zh_user, question, ZH["job_loss"])
    assert "从什么时候开始的？" in (since.text or "")
    income = await say(zh_user, "11月20日")
    assert "现在每月收入多少" in (income.text or "")
    expenses = await say(zh_user, "2500")
    assert "必要开支" in (expenses.text or "")  # no /budget yet: asked once
    new_cost = await say(zh_user, "1500")
    one_off = await press(zh_user, new_cost, ZH["no_new_cost"])
    assert "一次性费用" in (one_off.text or "")
    duration = await say(zh_user, "0")
    assert "大概会持续几个月" in (duration.text or "")
    savings = await press(zh_user, duration, ZH["months_6"])
    assert "积蓄" in (savings.text or "")
    zh_user.send_text("0")
    saved, summary = await zh_user.next_messages(2)
    assert "✅ 已保存" in (saved.text or "")
    options = await until_buttons(zh_user)
    assert stored(make_uow) == (1, 1)
    # 2,500 − 1,500 − 250 reserve: 750 a month, against ¥1,101.59 asked.
    assert "每月可用于还这些债务的是 ¥750.00" in (summary.text or "")
    text = options.text or ""
    assert "你的选择" in text
    assert "征信" in text  # the waiver's honest note
    assert "不是法定权利" in text
    first = labels(options)[0]
    assert first.startswith("1. ")

    # Choose the best option: one message with the request, the letter to the lender and the
    # borrower's guide (two PDFs), the text to send as a file, then next steps — two messages
    # and three files, not a stream (issue 10).
    zh_user.press_button(options, text=first)
    # Issue 10: the pack is addressed to the lender, which this debt does not name yet: asked
    # first; "就是金条" (the name itself) keeps the pack addressed to 金条.
    asked = await zh_user.next_message()
    assert "金条的贷款机构是哪家？" in (asked.text or "")
    assert labels(asked) == ["就是金条"]
    saved = await press(zh_user, asked, "就是金条")
    assert "✅ 已保存：金条的贷款机构是金条。" in (saved.text or "")
    intro = await zh_user.next_message()
    assert "这是给金条的材料包" in (intro.text or "")
    assert "· 金条：恳请" in (intro.text or "")  # exactly what the pack asks
    assert len((intro.text or "").splitlines()) <= 12
    letter = await zh_user.next_message()
    assert letter.document is not None
    assert letter.document["file_name"] == "给贷款机构的申请信-2026-12-01.pdf"
    assert "给金条的申请信" in (letter.caption or "")
    assert letter.file_bytes is not None
    content = pdf_text(letter.file_bytes)
    assert "还款协商申请" in content
    assert "致：金条客服" in content
    assert "个人财务情况说明" in content
    assert "受理编号" in content
    for borrower_only in ("12378", "话术", "代理协商", "/plan"):
        assert borrower_only not in content
    guide = await zh_user.next_message()
    assert guide.document is not None
    assert guide.document["file_name"] == "协商指南-2026-12-01.pdf"
    assert "不要发给金条" in (guide.caption or "")
    assert guide.file_bytes is not None
    content = pdf_text(guide.file_bytes)
    assert "电话或在线沟通话术" in content
    assert "12378" in content
    assert "代理协商" in content
    txt = await zh_user.next_message()
    assert txt.document is not None
    assert txt.document["file_name"] == "给贷款机构的申请-2026-12-01.txt"
    assert txt.file_bytes is not None
    assert txt.file_bytes.decode("utf-8").startswith("您好，我想就我在金条的借款与您沟通。")
    steps = await zh_user.next_message()
    assert "下一步" in (steps.text or "")
    assert labels(steps) == [ZH["plain"], ZH["agreed"], ZH["refused"]]

    plain = await press(zh_user, steps, ZH["plain"])
    assert "复制" in (plain.text or "")
    copy = await zh_user.next_message()
    assert (copy.text or "").startswith("您好，我想就我在金条的借款与您沟通。")
    assert "<b>" not in (copy.text or "")

    # A proposal is stored; the active plan is still the original one.
    assert plans_of(make_uow, debt_id) == [
        (1, PlanStatus.ACTIVE, PlanOrigin.ORIGINAL),
        (2, PlanStatus.PROPOSED, PlanOrigin.PROPOSAL),
    ]

    # The lender agreed: confirm from the proposal, with the reference number.
    review = await press(zh_user, steps, ZH["agreed"])
    assert "你在 2026年12月1日 提出的方案" in (review.text or "")
    assert "这是贷款机构同意的计划吗？" in (review.text or "")
    confirmed = await press(zh_user, review, ZH["yes"])
    channel = await press(zh_user, confirmed, ZH["today"])
    reference = await press(zh_user, channel, ZH["hotline"])
    assert "工单号" in (reference.text or "")
    agent = await say(zh_user, "JD20261201-7781")
    document = await press(zh_user, agent, ZH["skip"])
    summary = await press(zh_user, document, ZH["skip"])
    assert "JD20261201-7781" in (summary.text or "")
    done = await press(zh_user, summary, ZH["save"])
    assert "新计划已生效" in (done.text or "")

    assert plans_of(make_uow, debt_id) == [
        (1, PlanStatus.SUPERSEDED, PlanOrigin.ORIGINAL),
        (2, PlanStatus.SUPERSEDED, PlanOrigin.PROPOSAL),
        (3, PlanStatus.ACTIVE, PlanOrigin.RENEGOTIATED),
    ]
    with make_uow() as uow:
        debt = uow.session.get(Debt, debt_id)
        assert debt is not None
        pos = position(uow, user_id=debt.user_id, debt_id=debt_id, today=TODAY)
        assert (pos.plan.reference, pos.plan.channel) == ("JD20261201-7781", Channel.HOTLINE)
        first_row = pos.rows[0]
    assert first_row.payment != Decimal("1101.59")

    # The next reminder follows the new schedule.
    clock.advance(THREE_DAYS_BEFORE)
    _, sent = await jobs.run_now(app)
    # The reminder, and a risk warning (a hardship was reported): both about the new amount.
    sent_texts = [m.text or "" for m in await zh_user.next_messages(sent.sent)]
    assert any(f"¥{first_row.payment:,.2f}" in text for text in sent_texts)
    assert not any("1,101.59" in text for text in sent_texts)


# ---- the same in English, confirming through /plan ------------------------------------------


async def test_from_hardship_to_an_agreed_plan_in_english_through_plan(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow, clock: Clock
) -> None:
    debt_id = given_debt(en_user)
    summary, options = await report(en_user, EN, income="2500")
    assert "you can afford CN¥750.00 a month for these debts" in (summary.text or "")
    assert "Not a legal right" in (options.text or "")
    first = labels(options)[0]
    en_user.press_button(options, text=first)
    # Issue 10: asked for the lender first (not named yet); the name itself is the answer here.
    asked = await en_user.next_message()
    assert "Who is the lender of 金条?" in (asked.text or "")
    await press(en_user, asked, "It's 金条 itself")
    intro = await en_user.next_message()
    assert "here is your pack for 金条" in (intro.text or "")
    letter = await en_user.next_message()
    assert letter.document is not None
    assert letter.document["file_name"] == "repaybot-letter-to-lender-2026-12-01.pdf"
    assert "The letter to 金条" in (letter.caption or "")
    assert letter.file_bytes is not None
    content = pdf_text(letter.file_bytes)
    assert "Requestforarepaymentarrangement" in content
    assert "Financialsituationstatement" in content
    assert "IlostmyjobonNov20,2026." in content
    assert "12378" not in content
    guide = await en_user.next_message()
    assert guide.document is not None
    assert guide.document["file_name"] == "repaybot-negotiation-guide-2026-12-01.pdf"
    assert guide.file_bytes is not None
    content = pdf_text(guide.file_bytes)
    assert "Callorchatscript" in content
    assert "12378" in content
    txt = await en_user.next_message()
    assert txt.document is not None
    assert txt.document["file_name"] == "repaybot-request-2026-12-01.txt"
    steps = await en_user.next_message()
    assert labels(steps) == [EN["plain"], EN["agreed"], EN["refused"]]
    assert plans_of(make_uow, debt_id)[-1] == (2, PlanStatus.PROPOSED, PlanOrigin.PROPOSAL)

    # /plan offers the open proposal as the starting point.
    how = await say(en_user, "/plan")
    start = labels(how)[0]
    assert start == "Start from my proposal of Dec 1, 2026"
    review = await press(en_user, how, start)
    assert "your proposal of Dec 1, 2026, as the starting point" in (review.text or "")
    assert "No, enter what was agreed" in labels(review)
    confirmed = await press(en_user, review, EN["yes"])
    channel = await press(en_user, confirmed, EN["today"])
    reference = await press(en_user, channel, EN["hotline"])
    agent = await say(en_user, "KF-2026-0042")
    document = await say(en_user, "Ms Wang")
    summary = await press(en_user, document, EN["skip"])
    done = await press(en_user, summary, EN["save"])
    assert "The new plan is active" in (done.text or "")
    assert reference.text is not None
    assert agent.text is not None
    assert [s for _, s, _ in plans_of(make_uow, debt_id)] == [
        PlanStatus.SUPERSEDED,
        PlanStatus.SUPERSEDED,
        PlanStatus.ACTIVE,
    ]
    with make_uow() as uow:
        new = uow.plans.active_for_debt(debt_id)
        assert new is not None
        assert (new.reference, new.agent) == ("KF-2026-0042", "Ms Wang")
        assert new.id is not None
        first_amount = Decimal(uow.installments.for_plan(new.id)[0].total_minor) / 100

    clock.advance(THREE_DAYS_BEFORE)
    _, sent = await jobs.run_now(app)
    # The reminder, and a risk warning (a hardship was reported): both about the new amount.
    sent_texts = [m.text or "" for m in await en_user.next_messages(sent.sent)]
    reminder = next(text for text in sent_texts if text.startswith("🔔 Reminder"))
    assert f"CN¥{first_amount:,.2f} to 金条 is due on Dec 15" in reminder
    assert not any("1,101.59" in text for text in sent_texts)


# ---- "I can't pay" and free text -------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh", ("已记下：金条 2026年12月15日到期的这一期你还不上。", "发生了什么变化？", "12378")),
        ("en", ("Noted: you can't pay 金条 due Dec 15, 2026.", "What changed?", "12378")),
    ],
)
async def test_i_cant_pay_starts_the_hardship_flow(
    app: Any,
    state: EmulatorState,
    given_debt: Any,
    make_uow: MakeUow,
    clock: Clock,
    language: str,
    expected: tuple[str, ...],
) -> None:
    user = state.create_user("小明", language_code="zh-hans" if language == "zh" else "en")
    given_debt(user)
    clock.advance(THREE_DAYS_BEFORE)
    await jobs.run_now(app)
    reminder = await user.next_message()
    data = next(
        b["callback_data"]
        for row in reminder.raw["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("rc:")
    )
    user.press_button(reminder, data=data)
    reply = await user.next_message()
    for fragment in expected:
        assert fragment in (reply.text or "")
    assert len(labels(reply)) == 5
    assert stored(make_uow) == (1, 0)  # the reminder's note; the flow has not saved yet
    since = await press(user, reply, labels(reply)[1])
    assert since.text is not None


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_i_cant_pay_after_a_recent_report_continues_from_it(
    app: Any, state: EmulatorState, given_debt: Any, clock: Clock, language: str
) -> None:
    """Issue 10: with a report from the last 30 days, "I can't pay" shows its options."""
    user = state.create_user("小明", language_code="zh-hans" if language == "zh" else "en")
    words = ZH if language == "zh" else EN
    given_debt(user)
    await report(user, words, income="2500")
    clock.advance(THREE_DAYS_BEFORE)
    await jobs.run_now(app)
    sent = [await user.next_message()]
    with contextlib.suppress(TimeoutError):  # a risk warning may come with the reminder
        while True:
            sent.append(await user.next_message(timeout=1.0))
    reminder = [m for m in sent if "rc:" in str(m.raw.get("reply_markup"))][-1]
    data = next(
        b["callback_data"]
        for row in reminder.raw["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("rc:")
    )
    user.press_button(reminder, data=data)
    noted = await user.next_message()
    said = "你在 2026年12月1日 告诉过我：失业" if language == "zh" else "You told me on Dec 1, 2026"
    assert said in (noted.text or "")
    assert labels(noted) == []  # not "what changed?" again
    options = await until_buttons(user)
    assert labels(options)[0].startswith("1. ")


@pytest.mark.parametrize(
    ("language", "words", "text", "reply"),
    [
        ("zh", ZH, "我失业了", "听到这个消息很难过"),
        ("zh", ZH, "生病住院了", "听到这个消息很难过"),
        ("en", EN, "I lost my job", "I'm sorry to hear that"),
    ],
)
async def test_free_text_that_reads_like_hardship_gets_a_suggestion(
    app: Any,
    state: EmulatorState,
    given_debt: Any,
    language: str,
    words: dict[str, str],
    text: str,
    reply: str,
) -> None:
    user = state.create_user("小明", language_code="zh-hans" if language == "zh" else "en")
    given_debt(user)
    suggestion = await say(user, text)
    assert reply in (suggestion.text or "")
    assert labels(suggestion) == [words["get_options"]]
    # What the message said is kept: "what changed?" is not asked again (issue 10); the
    # flow goes on with "since when?".
    intro = await press(user, suggestion, words["get_options"])
    assert labels(intro) == []
    since = await user.next_message()
    assert labels(since) == [words["today"]]
    await press(user, since, words["today"])  # answered: the income question comes next
    # Text that reads like nothing passes through to the other handlers.
    other = await say(user, "hello there" if language == "en" else "你好")
    assert words["get_options"] not in labels(other)


# ---- nothing fits, several debts, a refusal, /cancel ----------------------------------------


async def test_nothing_fits_shows_the_shortfall_and_free_help_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any
) -> None:
    given_debt(zh_user)
    summary, options = await report(zh_user, ZH, income="0", expenses="800")
    text = summary.text or ""
    assert options.button_texts
    assert "⚠️ 这些方案都超出了你的承受能力。" in text
    assert "每月还差 ¥" in text
    assert "12378" in text
    assert "代理协商" in text
    assert "免费" in text


async def test_nothing_fits_in_english_and_the_split_rules(
    app: Any, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user)
    given_debt(
        en_user,
        name="白条",
        principal=Decimal(3000),
        term=6,
        rate=Rate(Decimal("0.24"), RateUnit.YEAR),
    )
    summary, options = await report(en_user, EN, income="1000", expenses="800")
    text = summary.text or ""
    assert "None of the options fits your budget." in text
    assert "a month short" in text
    assert "12378" in text
    assert "negotiation agent" in text
    assert "pro rata" in (options.text or "")
    assert "✓ Pro rata" in labels(options)
    en_user.press_button(options, text=EN["avalanche"])
    switched = await until_buttons(en_user)
    assert "highest rate first" in (switched.text or "")
    assert "✓ Highest rate first" in labels(switched)


async def test_the_lender_said_no_keeps_the_current_plan(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    # Its lender is said (issue 10), so no question comes before the pack.
    debt_id = given_debt(en_user, lender="金条")
    _, options = await report(en_user, EN, income="2500")
    en_user.press_button(options, text=labels(options)[0])
    messages = await en_user.next_messages(5)  # request, letter, guide, text file, next steps
    steps = messages[-1]
    refused = await press(en_user, steps, EN["refused"])
    assert "said no to this proposal" in (refused.text or "")
    assert "12378" in (refused.text or "")
    assert plans_of(make_uow, debt_id) == [
        (1, PlanStatus.ACTIVE, PlanOrigin.ORIGINAL),
        (2, PlanStatus.REJECTED, PlanOrigin.PROPOSAL),
    ]


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_cancel_mid_way_saves_nothing(
    app: Any, state: EmulatorState, given_debt: Any, make_uow: MakeUow, language: str
) -> None:
    user = state.create_user("小明", language_code="zh-hans" if language == "zh" else "en")
    words = ZH if language == "zh" else EN
    given_debt(user)
    question = await say(user, "/hardship")
    since = await press(user, question, words["job_loss"])
    assert since.text is not None
    await say(user, "2026-11-20")
    await say(user, "2500")
    cancelled = await say(user, "/cancel")
    assert ("已取消" if language == "zh" else "Cancelled. Nothing was saved.") in (
        cancelled.text or ""
    )
    assert stored(make_uow) == (0, 0)
    # The flow is over: a number is no answer to it any more.
    after = await say(user, "3000")
    assert "现在每月" not in (after.text or "")


async def test_hardship_without_debts_points_to_adddebt(app: Any, en_user: SimUser) -> None:
    reply = await say(en_user, "/hardship")
    assert "/adddebt" in (reply.text or "")


async def test_plan_stores_the_proposal_json(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    # Its lender is said (issue 10), so no question comes before the pack.
    debt_id = given_debt(en_user, lender="金条")
    _, options = await report(en_user, EN, income="2500")
    en_user.press_button(options, text=labels(options)[0])
    await en_user.next_messages(5)  # request, letter, guide, text file, next steps
    with make_uow() as uow:
        proposals = uow.session.exec(
            select(PlanVersion).where(
                col(PlanVersion.debt_id) == debt_id,
                col(PlanVersion.origin) == PlanOrigin.PROPOSAL,
            )
        ).all()
        assert len(proposals) == 1
        assert '"cause": "job_loss"' in (proposals[0].proposal_json or "")
