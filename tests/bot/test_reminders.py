"""Reminders through the real Application, the jobs and the local Bot API: /reminders, buttons."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

import jobs
from bot.clock import Clock
from bot.localapi import EmulatorState, SimUser
from bot.localapi.models import ChatMessage
from bot.runtime import Deps
from bot.sandbox import SANDBOX_USER_ID, Sandbox
from tests.bot.conftest import START
from tests.bot.helpers import forge_press
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt
from tracker.storage.enums import HardshipKind, Language, OutboxStatus, ReportSource
from tracker.storage.models import HardshipReport, Installment, Outbox, Payment, User
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
INSTALLMENT_MINOR = 110159  # the default 金条's monthly installment, ¥1,101.59
#: 2026-12-12 09:00 in Shanghai: the "3 days before" reminder of the 15 December installment.
THREE_DAYS_BEFORE = timedelta(days=11)


@pytest.fixture
def app(app_with_jobs: Any) -> Any:
    """The real Application with the jobs registered (the tests run them with jobs.run_now)."""
    return app_with_jobs


# ---- helpers ---------------------------------------------------------------------------------


def stored_user(make_uow: MakeUow, sim: SimUser) -> User:
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        assert user is not None
        uow.session.expunge(user)
        return user


def payments(make_uow: MakeUow, debt_id: int) -> list[tuple[int, str, date]]:
    with make_uow() as uow:
        rows = uow.session.exec(select(Payment).where(col(Payment.debt_id) == debt_id)).all()
        return [(p.amount_minor, p.idempotency_key, p.paid_on) for p in rows]


def first_installment(make_uow: MakeUow, debt_id: int) -> int:
    with make_uow() as uow:
        inst = uow.session.exec(
            select(Installment).where(
                col(Installment.debt_id) == debt_id, col(Installment.seq) == 1
            )
        ).one()
        assert inst.id is not None
        return inst.id


def outbox(make_uow: MakeUow, prefix: str) -> list[tuple[str, OutboxStatus, datetime]]:
    with make_uow() as uow:
        rows = uow.session.exec(
            select(Outbox).where(col(Outbox.key).startswith(prefix)).order_by(col(Outbox.id))
        ).all()
        return [(r.key, r.status, r.due_at) for r in rows]


def hardship(make_uow: MakeUow) -> list[tuple[HardshipKind, ReportSource, str | None, str]]:
    with make_uow() as uow:
        rows = uow.session.exec(select(HardshipReport)).all()
        return [(r.kind, r.source, r.text, r.currency) for r in rows]


async def reminder_arrives(
    app: Any, sim: SimUser, clock: Clock, delta: timedelta = THREE_DAYS_BEFORE
) -> ChatMessage:
    """Move time on, run one scan and send (as the jobs would), and return the reminder."""
    clock.advance(delta)
    _, sent = await jobs.run_now(app)
    assert sent.sent == 1
    return await sim.next_message()


def button(message: ChatMessage, prefix: str) -> str:
    markup = message.raw.get("reply_markup") or {}
    for line in markup.get("inline_keyboard", []):
        for b in line:
            if b["callback_data"].startswith(prefix):
                return str(b["callback_data"])
    raise AssertionError(f"no {prefix} button under {message.text!r}")


async def press(sim: SimUser, message: ChatMessage, data: str) -> None:
    sim.press_button(message, data=data)


# ---- /reminders ------------------------------------------------------------------------------


async def test_reminders_shows_the_settings_in_chinese(app: Any, zh_user: SimUser) -> None:
    zh_user.send_text("/reminders")
    reply = await zh_user.next_message()
    assert reply.text is not None
    assert "还款提醒：已开启 ✅" in reply.text
    assert "每期到期前：提前 3 天、提前 1 天和到期当天，09:00 提醒。" in reply.text
    assert "免打扰时段：22:00–08:00。" in reply.text  # a new user's default: no messages at night
    assert "每周摘要：每星期一 09:00。" in reply.text
    assert "Asia/Shanghai" in reply.text
    labels = [b["text"] for line in reply.raw["reply_markup"]["inline_keyboard"] for b in line]
    assert labels == ["🔕 关闭提醒", "提前几天", "提醒时间", "免打扰时段", "每周摘要"]


async def test_one_line_settings_in_english(app: Any, en_user: SimUser, make_uow: MakeUow) -> None:
    en_user.send_text("/reminders 5,2,0 20:00")
    reply = await en_user.next_message()
    assert reply.text is not None
    assert reply.text.startswith("Saved.")
    assert "Before each due date: 5 days before, 2 days before, and on the due day, at 20:00." in (
        reply.text
    )
    user = stored_user(make_uow, en_user)
    assert (user.reminder_lead_days, user.reminder_time) == ("5,2,0", time(20))

    en_user.send_text("/reminders quiet 22:00-08:00")
    assert "Quiet hours: 22:00–08:00." in ((await en_user.next_message()).text or "")
    en_user.send_text("/reminders digest sun 20:00")
    assert "Weekly summary: every Sunday at 20:00." in ((await en_user.next_message()).text or "")
    en_user.send_text("/reminders off")
    assert "Reminders: off 🔕" in ((await en_user.next_message()).text or "")
    user = stored_user(make_uow, en_user)
    assert not user.reminders_enabled
    assert (user.quiet_start, user.quiet_end) == (time(22), time(8))
    assert (user.digest_weekday, user.digest_time) == (6, time(20))

    en_user.send_text("/reminders on")
    await en_user.next_message()
    en_user.send_text("/reminders digest off")
    assert "Weekly summary: off." in ((await en_user.next_message()).text or "")
    en_user.send_text("/reminders quiet off")
    assert "Quiet hours: none." in ((await en_user.next_message()).text or "")
    user = stored_user(make_uow, en_user)
    assert user.reminders_enabled
    assert not user.digest_enabled
    assert user.quiet_start is None


async def test_one_line_settings_in_chinese_words(
    app: Any, zh_user: SimUser, make_uow: MakeUow
) -> None:
    zh_user.send_text("/reminders 3、1 9点半")
    assert "提前 3 天和提前 1 天，09:30 提醒" in ((await zh_user.next_message()).text or "")
    zh_user.send_text("/reminders 免打扰 23点到7点")
    assert "免打扰时段：23:00–07:00。" in ((await zh_user.next_message()).text or "")
    zh_user.send_text("/reminders 周报 周五 18:00")
    assert "每周摘要：每星期五 18:00。" in ((await zh_user.next_message()).text or "")
    zh_user.send_text("/reminders 关")
    assert "还款提醒：已关闭 🔕" in ((await zh_user.next_message()).text or "")
    user = stored_user(make_uow, zh_user)
    assert (user.reminder_lead_days, user.reminder_time) == ("3,1", time(9, 30))
    assert (user.digest_weekday, user.digest_time) == (4, time(18))
    assert not user.reminders_enabled


@pytest.mark.parametrize(
    ("sim", "line", "message", "example"),
    [
        (
            "zh_user",
            "/reminders 3,1,99",
            "最多填 5 个不同的天数，每个在 0（到期当天）到 30 之间。",
            "例如：<code>",
        ),
        ("zh_user", "/reminders 明天", "无法把“明天”识别为提前提醒的天数。", "例如："),
        ("zh_user", "/reminders 3,1,0 25:00", "无法把“25:00”识别为时间。", "例如："),
        (
            "en_user",
            "/reminders quiet 22:00",
            "I couldn't read “22:00” as quiet hours",
            "For example:",
        ),
        (
            "en_user",
            "/reminders quiet 8:00-8:00",
            "Quiet hours must end at another time",
            "For example:",
        ),
        ("en_user", "/reminders digest someday", "as a weekday and a time", "For example:"),
    ],
)
async def test_bad_settings_get_the_problem_and_an_example(
    app: Any,
    request: pytest.FixtureRequest,
    make_uow: MakeUow,
    sim: str,
    line: str,
    message: str,
    example: str,
) -> None:
    user: SimUser = request.getfixturevalue(sim)
    user.send_text(line)
    reply = await user.next_message()
    assert reply.text is not None
    assert message in reply.text
    assert example.replace("<code>", "") in reply.text
    assert "/reminders" in reply.text  # the example shows the command
    stored = stored_user(make_uow, user)
    # Nothing saved: the defaults stay.
    assert (stored.reminder_lead_days, stored.quiet_start, stored.quiet_end) == (
        "3,1,0",
        time(22),
        time(8),
    )


async def test_settings_buttons(app: Any, zh_user: SimUser, make_uow: MakeUow) -> None:
    zh_user.send_text("/reminders")
    settings = await zh_user.next_message()
    zh_user.press_button(settings, text="🔕 关闭提醒")
    edited = await zh_user.wait_for_edit(settings.message_id)
    assert "还款提醒：已关闭 🔕" in (edited.text or "")
    assert not stored_user(make_uow, zh_user).reminders_enabled

    zh_user.press_button(edited, text="🔔 开启提醒")
    edited = await zh_user.wait_for_edit(settings.message_id)
    zh_user.press_button(edited, text="提醒时间")
    menu = await zh_user.wait_for_edit(settings.message_id)
    assert "每天几点提醒？" in (menu.text or "")
    zh_user.press_button(menu, text="20:00")
    edited = await zh_user.wait_for_edit(settings.message_id)
    assert "20:00 提醒" in (edited.text or "")

    zh_user.press_button(edited, text="免打扰时段")
    menu = await zh_user.wait_for_edit(settings.message_id)
    zh_user.press_button(menu, text="22:00–08:00")
    edited = await zh_user.wait_for_edit(settings.message_id)
    zh_user.press_button(edited, text="每周摘要")
    menu = await zh_user.wait_for_edit(settings.message_id)
    zh_user.press_button(menu, text="关闭每周摘要")
    edited = await zh_user.wait_for_edit(settings.message_id)
    zh_user.press_button(edited, text="提前几天")
    menu = await zh_user.wait_for_edit(settings.message_id)
    zh_user.press_button(menu, text="7 · 3 · 1 · 0")
    edited = await zh_user.wait_for_edit(settings.message_id)
    assert "提前 7 天、提前 3 天、提前 1 天和到期当天" in (edited.text or "")

    user = stored_user(make_uow, zh_user)
    assert user.reminders_enabled
    assert user.reminder_time == time(20)
    assert (user.quiet_start, user.quiet_end) == (time(22), time(8))
    assert not user.digest_enabled
    assert user.reminder_lead_days == "7,3,1,0"


async def test_someone_elses_settings_button_does_nothing(
    app: Any, state: EmulatorState, zh_user: SimUser, en_user: SimUser, make_uow: MakeUow
) -> None:
    zh_user.send_text("/reminders")
    settings = await zh_user.next_message()
    data = button(settings, "rset:")
    update = forge_press(state, en_user, settings.raw, data)
    await en_user.wait_for_answer(update)
    assert stored_user(make_uow, zh_user).reminders_enabled


# ---- a reminder and its buttons --------------------------------------------------------------


async def test_reminder_arrives_and_paid_in_full_twice_records_once(
    app: Any,
    state: EmulatorState,
    zh_user: SimUser,
    given_debt: Any,
    make_uow: MakeUow,
    clock: Clock,
) -> None:
    debt_id = given_debt(zh_user)
    inst = first_installment(make_uow, debt_id)
    reminder = await reminder_arrives(app, zh_user, clock)
    assert "🔔 还款提醒：金条的 ¥1,101.59 将于12月15日到期（还有 3 天）。" in (reminder.text or "")
    data = button(reminder, "rp:")
    assert data == f"rp:{zh_user.id}:{inst}"

    zh_user.press_button(reminder, data=data)
    reply = await zh_user.next_message()
    assert "✅ 已记下" in (reply.text or "")
    assert "¥1,101.59" in (reply.text or "")
    # Paid three days before the due date: held, and counted towards it on Dec 15.
    assert "本期已够还" in (reply.text or "")
    # The buttons were taken off before the reply was sent.
    assert zh_user.message(reminder.message_id).raw.get("reply_markup") is None

    forge_press(state, zh_user, reminder.raw, data)  # a second tap (e.g. from another device)
    again = await zh_user.next_message()
    assert "已经记过" in (again.text or "")
    assert payments(make_uow, debt_id) == [
        (INSTALLMENT_MINOR, f"tg:full:{inst}", date(2026, 12, 12))
    ]

    # Nothing more is due for this installment: the "1 day before" reminder is not sent.
    clock.advance(timedelta(days=1))
    _, sent = await jobs.run_now(app)
    assert sent.sent == 0


async def test_paid_in_full_in_english_when_overdue_pays_the_penalty_too(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow, clock: Clock
) -> None:
    debt_id = given_debt(en_user)
    reminder = await reminder_arrives(app, en_user, clock, timedelta(days=17))  # 18 Dec
    assert "is overdue since Dec 15 (3 days)." in (reminder.text or "")
    en_user.press_button(reminder, text="✅ Paid in full")
    reply = await en_user.next_message()
    assert "✅ Recorded" in (reply.text or "")
    assert "now paid in full" in (reply.text or "")
    [(amount, _, _)] = payments(make_uow, debt_id)
    assert amount > INSTALLMENT_MINOR  # the installment and its penalty interest


async def test_remind_me_later_once_per_reminder(
    app: Any,
    state: EmulatorState,
    zh_user: SimUser,
    given_debt: Any,
    make_uow: MakeUow,
    clock: Clock,
) -> None:
    given_debt(zh_user)
    reminder = await reminder_arrives(app, zh_user, clock)
    data = button(reminder, "rl:")
    zh_user.press_button(reminder, data=data)
    reply = await zh_user.next_message()
    assert reply.text == "⏰ 好的，我会在今天 13:00 再提醒你。"
    forge_press(state, zh_user, reminder.raw, data)
    again = await zh_user.next_message()
    assert "已经安排好了：今天 13:00 会再提醒你。" in (again.text or "")
    [(_, status, due_at)] = outbox(make_uow, "later:")
    assert status is OutboxStatus.PENDING
    assert due_at == datetime(2026, 12, 12, 5, tzinfo=UTC)  # 13:00 in Shanghai

    clock.advance(timedelta(hours=4))
    _, sent = await jobs.run_now(app)
    assert sent.sent == 1
    later = await zh_user.next_message()
    assert (later.text or "").startswith("⏰ 按你的要求，再提醒你一次。")
    assert "将于12月15日到期（还有 3 天）" in (later.text or "")
    assert outbox(make_uow, "later:")[0][1] is OutboxStatus.SENT
    # The re-sent reminder has its own "later" button: once more for it, no more for the first.
    assert button(later, "rl:") != data


async def test_remind_me_later_skips_quiet_hours(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow, clock: Clock
) -> None:
    given_debt(en_user)
    en_user.send_text("/reminders 3,1,0 21:00")
    await en_user.next_message()
    en_user.send_text("/reminders quiet 22:00-08:00")
    await en_user.next_message()
    reminder = await reminder_arrives(app, en_user, clock, THREE_DAYS_BEFORE + timedelta(hours=12))
    en_user.press_button(reminder, text="⏰ Remind me later")
    reply = await en_user.next_message()
    assert reply.text == "⏰ OK, I'll remind you again tomorrow at 08:00."


async def test_turning_reminders_off_cancels_a_pending_later(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow, clock: Clock
) -> None:
    given_debt(en_user)
    reminder = await reminder_arrives(app, en_user, clock)
    en_user.press_button(reminder, text="⏰ Remind me later")
    await en_user.next_message()
    en_user.send_text("/reminders off")
    await en_user.next_message()
    assert outbox(make_uow, "later:")[0][1] is OutboxStatus.DROPPED


async def test_i_cant_pay_records_a_hardship_report(
    app: Any,
    state: EmulatorState,
    zh_user: SimUser,
    en_user: SimUser,
    given_debt: Any,
    make_uow: MakeUow,
    clock: Clock,
) -> None:
    given_debt(zh_user)
    reminder = await reminder_arrives(app, zh_user, clock)
    data = button(reminder, "rc:")
    zh_user.press_button(reminder, data=data)
    reply = await zh_user.next_message()
    text = reply.text or ""
    assert "已记下：金条 2026年12月15日到期的这一期你还不上。" in text
    assert "罚息" in text
    assert "征信" in text
    assert "保留五年" in text
    assert "到期日之前联系金条" in text
    assert "/hardship 会为你整理可选方案和一份协商材料" in text
    assert "/budget" in text
    assert "12378" in text
    assert "代理协商" in text
    assert hardship(make_uow) == [(HardshipKind.OTHER, ReportSource.REMINDER, None, "CNY")]
    forge_press(state, zh_user, reminder.raw, data)  # a second tap: one report
    await zh_user.next_message()
    assert len(hardship(make_uow)) == 1

    # The report counts for risk: 金条's installment now gets a warning (medium + hardship).
    given_debt(en_user)
    _, sent = await jobs.run_now(app)
    assert sent.sent == 2
    warning = await zh_user.next_message()
    assert "这笔还款可能有困难" in (warning.text or "")
    assert "你最近告诉过我，你的情况有变化" in (warning.text or "")
    en_reminder = await en_user.next_message()
    en_user.press_button(en_reminder, text="I can't pay")
    en_text = (await en_user.next_message()).text or ""
    assert "Noted: you can't pay 金条 due Dec 15, 2026." in en_text
    assert "credit reference centre" in en_text
    assert "negotiation agent" in en_text
    assert len(hardship(make_uow)) == 2


async def test_paid_part_then_500_records_500_once(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: MakeUow, clock: Clock
) -> None:
    debt_id = given_debt(zh_user)
    reminder = await reminder_arrives(app, zh_user, clock)
    zh_user.press_button(reminder, text="只还了一部分")
    question = await zh_user.next_message()
    assert "你向金条还了多少？2026年12月15日到期的这一期还剩 ¥1,101.59。" in (question.text or "")
    zh_user.send_text("很多")
    retry = await zh_user.next_message()
    # The amount is refused with examples, then the same question again: nothing was recorded.
    assert retry.text == (
        "无法把“很多”识别为金额。\n例如：500、1,234.50、¥800 或 1.2万。\n\n"
        "你向金条还了多少？2026年12月15日到期的这一期还剩 ¥1,101.59。"
        "请发送金额，例如 500；发送 /cancel 可以取消。"
    )
    update = zh_user.send_text("500")
    reply = await zh_user.next_message()
    assert "✅ 已记下：2026年12月12日 向金条还款 ¥500.00。" in (reply.text or "")
    zh_user.send_text("500")  # the flow is over: a bare number is not a payment
    await zh_user.next_message()
    assert payments(make_uow, debt_id) == [
        (50000, f"tg:update:{update['update_id']}", date(2026, 12, 12))
    ]


async def test_paid_part_in_english_with_a_payment_phrase_and_cancel(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow, clock: Clock
) -> None:
    debt_id = given_debt(en_user)
    reminder = await reminder_arrives(app, en_user, clock)
    en_user.press_button(reminder, text="Paid part")
    question = await en_user.next_message()
    assert "How much did you pay to 金条?" in (question.text or "")
    en_user.send_text("paid 300")  # also a free-text payment: recorded once, by the flow
    reply = await en_user.next_message()
    assert "✅ Recorded CN¥300.00 to 金条" in (reply.text or "")
    assert len(payments(make_uow, debt_id)) == 1

    en_user.press_button(reminder, text="Paid part")
    await en_user.next_message()
    en_user.send_text("/cancel")
    assert "Cancelled" in ((await en_user.next_message()).text or "")
    assert len(payments(make_uow, debt_id)) == 1


async def test_an_unanswered_paid_part_question_lapses(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow, clock: Clock
) -> None:
    debt_id = given_debt(en_user)
    reminder = await reminder_arrives(app, en_user, clock)
    en_user.press_button(reminder, text="Paid part")
    await en_user.next_message()
    clock.advance(timedelta(hours=3))
    en_user.send_text("500")
    reply = await en_user.next_message()
    assert "I asked how much you paid a while ago, so I didn't record this." in (reply.text or "")
    assert payments(make_uow, debt_id) == []


async def test_a_reminder_for_a_replaced_plan_is_out_of_date(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow, clock: Clock
) -> None:
    debt_id = given_debt(en_user)
    reminder = await reminder_arrives(app, en_user, clock)
    with make_uow() as uow:
        inst = uow.session.get(Installment, first_installment(make_uow, debt_id))
        assert inst is not None
        inst.is_active = False
        uow.commit()
    en_user.press_button(reminder, text="✅ Paid in full")
    reply = await en_user.next_message()
    assert "This reminder is out of date" in (reply.text or "")
    assert payments(make_uow, debt_id) == []


# ---- the sandbox -----------------------------------------------------------------------------


async def test_sandbox_skip_brings_the_reminder(deps: Deps, tmp_path: Path) -> None:
    with deps.uow() as uow:
        user = uow.users.add(
            User(telegram_user_id=SANDBOX_USER_ID, chat_id=SANDBOX_USER_ID, language=Language.EN)
        )
        assert user.id is not None
        terms = LoanTerms(
            principal=Decimal(12000),
            rate=Rate(Decimal("0.0005"), RateUnit.DAY),
            term=12,
            method=Method.ANNUITY,
            first_due=date(2026, 12, 15),
            start_date=date(2026, 11, 15),
        )
        add_debt(uow, user_id=user.id, spec=DebtSpec(name="金条", terms=terms), now=START)
        uow.commit()
    out = io.StringIO()
    sandbox = Sandbox(
        deps,
        stdin=io.StringIO(":scan\n:skip 11d\n"),
        stdout=out,
        user_name="Alice",
        language_code="en",
        downloads=tmp_path / "downloads",
        color=False,
        reply_timeout=10,
    )
    assert await asyncio.wait_for(sandbox.run(), 30) == 0
    output = out.getvalue()
    assert "(no reminders due · 暂无到期提醒)" in output
    assert "Reminder: CN¥1,101.59 to 金条 is due on Dec 15 (in 3 days)." in output
    assert "[1] ✅ Paid in full" in output
    assert "(reminders: 1 sent · 已发送 1 条提醒)" in output


async def test_remind_me_later_at_nine_in_the_evening_waits_for_the_morning_by_default(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: MakeUow, clock: Clock
) -> None:
    """A new user has quiet hours 22:00–08:00 without setting anything: 21:00 + 4 hours is
    01:00, inside them, so the reminder comes back at 08:00 the next morning."""
    given_debt(zh_user)
    zh_user.send_text("/reminders 3,1,0 21:00")
    await zh_user.next_message()
    evening = THREE_DAYS_BEFORE + timedelta(hours=12)  # 2026-12-12 21:00 in Shanghai
    reminder = await reminder_arrives(app, zh_user, clock, evening)
    zh_user.press_button(reminder, text="⏰ 稍后提醒")
    reply = await zh_user.next_message()
    assert reply.text == "⏰ 好的，我会在明天 08:00 再提醒你。"
    [(_, _, due_at)] = outbox(make_uow, "later:")
    assert due_at == datetime(2026, 12, 13, 0, tzinfo=UTC)  # 08:00 in Shanghai (UTC+8)

    clock.advance(timedelta(hours=10, minutes=59))  # 07:59: still quiet
    _, sent = await jobs.run_now(app)
    assert sent.sent == 0
    clock.advance(timedelta(minutes=1))
    _, sent = await jobs.run_now(app)
    assert sent.sent == 1
    assert ((await zh_user.next_message()).text or "").startswith("⏰ 按你的要求，再提醒你一次。")


async def test_with_quiet_hours_turned_off_later_may_come_at_night(
    app: Any, en_user: SimUser, given_debt: Any, clock: Clock
) -> None:
    given_debt(en_user)
    en_user.send_text("/reminders 3,1,0 21:00")
    await en_user.next_message()
    en_user.send_text("/reminders quiet off")
    assert "Quiet hours: none." in ((await en_user.next_message()).text or "")
    reminder = await reminder_arrives(app, en_user, clock, THREE_DAYS_BEFORE + timedelta(hours=12))
    en_user.press_button(reminder, text="⏰ Remind me later")
    reply = await en_user.next_message()
    assert reply.text == "⏰ OK, I'll remind you again tomorrow at 01:00."


async def test_a_reminder_time_inside_quiet_hours_says_when_they_really_come(
    app: Any, en_user: SimUser, zh_user: SimUser
) -> None:
    en_user.send_text("/reminders 3,1,0 23:00")
    text = (await en_user.next_message()).text or ""
    assert "at 23:00 — inside your quiet hours, so they wait until 08:00." in text
    assert "Quiet hours: 22:00–08:00." in text
    zh_user.send_text("/reminders 1,0 7:30")
    text = (await zh_user.next_message()).text or ""
    assert "07:30 提醒——这在免打扰时段内，所以会等到 08:00 再发。" in text
    zh_user.send_text("/reminders 免打扰 23点到7点")
    text = (await zh_user.next_message()).text or ""
    assert "每期到期前：提前 1 天和到期当天，07:30 提醒。" in text  # outside 23:00–07:00


@pytest.mark.parametrize("days", ["5,2,0", "5，2，0"])
async def test_reminder_days_with_a_chinese_or_english_comma(
    app: Any, zh_user: SimUser, make_uow: MakeUow, days: str
) -> None:
    zh_user.send_text(f"/reminders {days} 20:00")
    reply = (await zh_user.next_message()).text or ""
    assert "每期到期前：提前 5 天、提前 2 天和到期当天，20:00 提醒。" in reply
    user = stored_user(make_uow, zh_user)
    assert (user.reminder_lead_days, user.reminder_time) == ("5,2,0", time(20))


@pytest.mark.parametrize("word", ["不", "没有", "none", "skip"])
async def test_quiet_hours_off_with_any_none_word(
    app: Any, zh_user: SimUser, make_uow: MakeUow, word: str
) -> None:
    zh_user.send_text(f"/reminders 免打扰 {word}")
    assert "免打扰时段：无。" in ((await zh_user.next_message()).text or "")
    user = stored_user(make_uow, zh_user)
    assert (user.quiet_start, user.quiet_end) == (None, None)
