"""/debts, /schedule, /status and archiving, through the real Application and local Bot API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bot.clock import Clock
from bot.localapi import EmulatorState, SimUser
from bot.localapi.limits import MAX_TEXT
from bot.localapi.models import ChatMessage
from tests.bot.helpers import forge_press
from tests.bot.test_debts import DAILY_005_MONTHLY, annuity, press, say, yuan
from tracker.storage.enums import DebtStatus
from tracker.storage.models import Debt
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
#: The given_debt default: ¥12,000 at 0.05 % a day over 12 months, due on the 15th from Dec 15.
PAYMENT = annuity(D(12000), DAILY_005_MONTHLY, 12)


def status_of(make_uow: Callable[[], SqlUnitOfWork], debt_id: int) -> DebtStatus:
    with make_uow() as uow:
        debt = uow.session.get(Debt, debt_id)
        assert debt is not None
        return debt.status


async def test_debts_lists_what_each_owes_with_buttons(
    app: Any, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user, "金条")
    given_debt(en_user, "白条", principal=D(6000))
    reply = await say(en_user, "/debts")
    text = reply.text or ""
    assert "1. 金条 — owed today" in text
    assert f"next CN{yuan(PAYMENT)} on Dec 15, 2026" in text
    assert "2. 白条" in text
    # Two rows per debt, every button with a word.
    assert reply.button_texts == [
        ["📅 金条 schedule", "📊 status"],
        ["✏️ edit", "🗄 archive", "🗑 delete"],
        ["📅 白条 schedule", "📊 status"],
        ["✏️ edit", "🗄 archive", "🗑 delete"],
    ]
    status = await press(en_user, reply, "📊 status")  # the first row's: 金条
    assert (status.text or "").startswith("金条\nOwed today:")
    schedule = await press(en_user, reply, "📅 白条 schedule")
    assert (schedule.text or "").startswith("白条\n▫️ 1. Dec 15, 2026")


async def test_debts_without_any(app: Any, zh_user: SimUser) -> None:
    assert "/adddebt" in ((await say(zh_user, "/debts")).text or "")
    assert "/adddebt" in ((await say(zh_user, "/status")).text or "")
    assert "/adddebt" in ((await say(zh_user, "/schedule")).text or "")


async def turn_page(sim: SimUser, message: ChatMessage, text: str) -> ChatMessage:
    """Press a page button: the same message is edited to show the other page."""
    edits = sim.message(message.message_id).edit_count
    sim.press_button(message, text=text)
    return await sim.wait_for_edit(message.message_id, after=edits)


async def test_schedule_of_36_months_shows_six_at_a_time_with_pages(
    app: Any, zh_user: SimUser, given_debt: Any
) -> None:
    """Issue 10: /schedule shows the next 6 installments, the rest behind page buttons."""
    given_debt(zh_user, term=36)
    reply = await say(zh_user, "/schedule")  # the only debt: no need to pick
    text = reply.text or ""
    assert len(text.splitlines()) <= 12
    payment = annuity(D(12000), DAILY_005_MONTHLY, 36)
    assert f"▫️ 1. 2026年12月15日 {yuan(payment)} — 未到期" in text
    assert "▫️ 6. 2027年5月15日" in text
    assert "7. " not in text
    assert "第 1–6 期，共 36 期。" in text
    assert "合计" in text
    assert reply.button_texts == [["后几期 ▶", "36 ⏭"]]
    later = await turn_page(zh_user, reply, "后几期 ▶")
    assert "▫️ 7. 2027年6月15日" in (later.text or "")
    assert later.message_id == reply.message_id  # the same message turns the page
    last = await turn_page(zh_user, later, "36 ⏭")
    assert "▫️ 36. 2029年11月15日" in (last.text or "")
    assert "第 31–36 期，共 36 期。" in (last.text or "")


async def test_a_very_long_schedule_pages_to_its_end_and_opens_at_the_first_unpaid(
    app: Any, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user, term=360)
    en_user.send_text("/paid 250")  # covers installment 1 (183.30) and part of 2 ahead
    await en_user.next_message()
    reply = await say(en_user, "/schedule")
    assert len(reply.text or "") <= MAX_TEXT
    assert len((reply.text or "").splitlines()) <= 12
    rows = [line for line in (reply.text or "").splitlines() if " — " in line]
    assert len(rows) == 6
    assert " 2. Jan 15, 2027" in rows[0]  # opens at the first installment not yet paid
    assert "◀ Earlier" in reply.button_texts[0]
    last = await turn_page(en_user, reply, "360 ⏭")
    assert "360. Nov 15, 2056" in (last.text or "")
    assert "Installments 355–360 of 360." in (last.text or "")
    first = await turn_page(en_user, last, "⏮ 1")
    assert "1. Dec 15, 2026" in (first.text or "")


async def test_schedule_by_name_prefix_or_picker(
    app: Any, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user, "Jintiao")
    given_debt(en_user, "Baitiao", principal=D(6000))
    given_debt(en_user, "Bank card", principal=D(1000))
    assert ((await say(en_user, "/schedule jintiao")).text or "").startswith("Jintiao\n")
    assert ((await say(en_user, "/schedule BAI")).text or "").startswith("Baitiao\n")
    several = await say(en_user, "/schedule ba")
    assert "Several debts match “ba”" in (several.text or "")
    assert several.button_texts == [["Baitiao"], ["Bank card"]]
    assert ((await press(en_user, several, "Bank card")).text or "").startswith("Bank card\n")
    unknown = await say(en_user, "/schedule <b>x</b>")
    assert "You have no debt called “<b>x</b>”." in (unknown.text or "")  # escaped, not bold
    picker = await say(en_user, "/schedule")
    assert picker.text == "Which debt?"
    assert len(picker.button_texts) == 3


async def test_status_with_an_overdue_installment_advises_calling_the_lender(
    app: Any, zh_user: SimUser, given_debt: Any, clock: Clock
) -> None:
    given_debt(zh_user, "金条")
    given_debt(zh_user, "Visa", currency="USD", principal=D(1000), first_due=clock.now().date())
    calm = await say(zh_user, "/status")
    assert "征信" not in (calm.text or "")
    clock.advance(timedelta(days=10))  # 2026-12-11: 金条's first installment is 4 days away
    soon = (await say(zh_user, "/status")).text or ""
    assert "未来 7 天内到期：" in soon
    assert f"· 2026年12月15日 — 金条 {yuan(PAYMENT)}" in soon
    clock.advance(timedelta(days=10))  # 2026-12-21: six days late
    text = (await say(zh_user, "/status")).text or ""
    assert f"⚠️ 已逾期：{yuan(PAYMENT)}，自 2026年12月15日 起（6 天）" in text
    assert "罚息" in text
    assert "征信" in text
    assert "尽早" in text
    totals = text.split("合计", 1)[1]
    assert "今天结清需还：¥" in totals
    assert "今天结清需还：US$" in totals  # one total per currency, never mixed


async def test_archive_after_confirmation_hides_the_debt(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    jintiao = given_debt(en_user, "金条")
    given_debt(en_user, "白条", principal=D(6000))
    listing = await say(en_user, "/debts")
    archive = next(data for data in listing.callback_data if data.startswith("darc:"))
    en_user.press_button(listing, data=archive)
    question = await en_user.next_message()
    assert "Archive 金条?" in (question.text or "")
    kept = await press(en_user, question, "Keep it")
    assert "stays" in (kept.text or "")
    assert status_of(make_uow, jintiao) is DebtStatus.ACTIVE

    en_user.press_button(listing, data=archive)
    question = await en_user.next_message()
    done = await press(en_user, question, "🗄 Yes, archive")
    assert "Archived 金条" in (done.text or "")
    assert status_of(make_uow, jintiao) is DebtStatus.ARCHIVED
    status = (await say(en_user, "/status")).text or ""
    assert "金条" not in status
    assert "白条" in status
    listing = await say(en_user, "/debts")
    assert "Archived (hidden from /status): 金条" in (listing.text or "")
    assert listing.button_texts == [
        ["📅 白条 schedule", "📊 status"],
        ["✏️ edit", "🗄 archive", "🗑 delete"],
    ]


async def test_someone_elses_archive_button_changes_nothing(
    app: Any,
    state: EmulatorState,
    zh_user: SimUser,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    theirs = given_debt(zh_user, "金条")
    given_debt(en_user, "Card")
    listing = await say(en_user, "/debts")
    # Alice's own button, with Xiaoming's debt id put in: the id must be looked up as hers.
    forged = f"darcy:{en_user.id}:{theirs}"
    await en_user.wait_for_answer(forge_press(state, en_user, listing.raw, forged))
    assert "can't find that debt" in ((await en_user.next_message()).text or "")
    # Xiaoming's data pressed by Alice: refused before anything is read.
    xiaoming = f"darcy:{zh_user.id}:{theirs}"
    await en_user.wait_for_answer(forge_press(state, en_user, listing.raw, xiaoming))
    assert status_of(make_uow, theirs) is DebtStatus.ACTIVE


async def test_debts_buttons_have_words_in_chinese_and_long_names_are_cut(
    app: Any, zh_user: SimUser, given_debt: Any
) -> None:
    given_debt(zh_user, "招商银行信用卡分期还款")  # 11 characters: cut to 7 and "…"
    reply = await say(zh_user, "/debts")
    assert reply.button_texts == [
        ["📅 招商银行信用卡… 还款计划", "📊 状况"],
        ["✏️ 修改", "🗄 归档", "🗑 删除"],
    ]
    assert "📅" not in (reply.text or "")  # no legend of icons needed any more
    schedule = await press(zh_user, reply, "📅 招商银行信用卡… 还款计划")
    assert (schedule.text or "").startswith("招商银行信用卡分期还款\n")
