"""Payments through the real Application and local Bot API: /paid, free text, the debt picker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from bot.localapi import EmulatorState, SimUser
from tests.bot.helpers import forge_press
from tracker.services.payments import record_payment
from tracker.storage.enums import PaymentSource
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
TODAY = date(2026, 12, 1)  # the frozen clock's day in Shanghai
INSTALLMENT = D("1101.59")  # the default 金条's monthly installment (182.50 interest)
WHOLE_DEBT = D("13219.06")  # all twelve installments
UNDONE_TWICE = "这笔还款已经撤销过了。"


class Stored(NamedTuple):
    """A stored payment, read while its unit of work was open."""

    amount_minor: int
    paid_on: date
    source: PaymentSource
    idempotency_key: str
    undone: bool


def stored(
    make_uow: Callable[[], SqlUnitOfWork], sim: SimUser, debt_id: int, *, undone: bool = False
) -> list[Stored]:
    """The debt's payments as ``uow.payments.list_for_debt`` lists them."""
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        assert user is not None
        assert user.id is not None
        return [
            Stored(p.amount_minor, p.paid_on, p.source, p.idempotency_key, p.undone_at is not None)
            for p in uow.payments.list_for_debt(user.id, debt_id, include_undone=undone)
        ]


def amounts(payments: list[Stored]) -> list[int]:
    return [p.amount_minor for p in payments]


async def test_exact_payment_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(zh_user)
    update = zh_user.send_text("/paid 1101.59")
    reply = await zh_user.next_message()
    assert "✅ 已记下：2026年12月1日 向金条还款 ¥1,101.59。" in reply.text
    # Paid two weeks early: held, and counted towards installment 1 on Dec 15.
    assert "第 1 期（2026年12月15日 到期）：计入 ¥1,101.59——本期已够还。" in reply.text
    assert "下次还款：2027年1月15日 应还 ¥1,101.59（第 2 期）。" in reply.text
    assert "今天结清需还" in reply.text
    [payment] = stored(make_uow, zh_user, debt_id)
    assert (payment.amount_minor, payment.paid_on, payment.source) == (
        110159,
        TODAY,
        PaymentSource.COMMAND,
    )
    assert payment.idempotency_key == f"tg:update:{update['update_id']}"


async def test_partial_payment_in_english_with_debt_and_date(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user)
    given_debt(en_user, name="Credit card")
    en_user.send_text("/paid ¥500 金条 yesterday")
    reply = await en_user.next_message()
    assert "✅ Recorded CN¥500.00 to 金条, paid Nov 30, 2026." in reply.text
    # 1,101.59 − 500 = 601.59 left; no interest is taken before the due date.
    assert (
        "Installment 1 (due Dec 15, 2026): CN¥500.00 counts towards it"
        " — CN¥601.59 still to pay on it." in reply.text
    )
    assert "Next due: CN¥601.59 on Dec 15, 2026 (installment 1)." in reply.text
    [payment] = stored(make_uow, en_user, debt_id)
    assert (payment.amount_minor, payment.paid_on) == (50000, date(2026, 11, 30))


async def test_overpayment_pays_ahead_the_next_installments(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user)
    en_user.send_text("/paid 2500")
    reply = await en_user.next_message()
    # Nothing is due yet on Dec 1: the money is held and counted on each due date.
    assert "Installment 1 (due Dec 15, 2026): CN¥1,101.59 counts towards it — covered." in (
        reply.text
    )
    assert "Installment 2 (due Jan 15, 2027): CN¥1,101.59 counts towards it — covered." in (
        reply.text
    )
    # 2,500 − 2 × 1,101.59 = 296.82 counted; 1,101.59 − 296.82 = 804.77 still to pay.
    assert "Installment 3 (due Feb 15, 2027): CN¥296.82 counts towards it — CN¥804.77" in (
        reply.text
    )
    assert "CN¥2,500.00 of it is paid before the due date" in reply.text
    # Settling today: 12,000 + 16 days (Nov 15 → Dec 1) × 12,000 × 0.05 % = 12,096.00, less 2,500.
    assert "Owed today: CN¥9,596.00" in reply.text
    en_user.send_text("/status")
    status = (await en_user.next_message()).text or ""
    assert "· paid ahead CN¥2,500.00 (already taken off; counts on the due dates)" in status
    assert amounts(stored(make_uow, en_user, debt_id)) == [250000]


async def test_paying_beyond_the_whole_debt_is_a_credit(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(zh_user)
    zh_user.send_text("/paid 2万")
    reply = await zh_user.next_message()
    # Paid off on Dec 1, 16 days into the first period (from Nov 15): 12,000 principal and
    # 12,000 × 0.05 % × 16 = 96.00 interest; the schedule's 13,219.06 is never charged.
    settle = D("12096.00")  # 12,000 + 12,000 × 0.0005 × 16 = 12,000 + 96.00
    assert settle < WHOLE_DEBT
    extra = D(20000) - settle
    assert f"多出的 ¥{extra:,} 超过了全部欠款，是你的溢缴款" in reply.text
    assert "这笔还款提前结清了这笔欠款（利息 ¥96.00 · 本金 ¥12,000.00）" in reply.text
    assert "🎉 金条已全部还清。" in reply.text
    assert amounts(stored(make_uow, zh_user, debt_id)) == [2000000]


async def test_free_text_in_both_languages(
    app: Any,
    zh_user: SimUser,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    zh_debt = given_debt(zh_user)
    en_debt = given_debt(en_user)
    zh_user.send_text("还了500")
    assert "✅ 已记下：2026年12月1日 向金条还款 ¥500.00。" in (await zh_user.next_message()).text
    en_user.send_text("paid 500")
    assert "✅ Recorded CN¥500.00 to 金条" in (await en_user.next_message()).text
    zh_user.send_text("昨天金条还了800")
    assert "2026年11月30日 向金条还款 ¥800.00" in (await zh_user.next_message()).text
    zh_payments = stored(make_uow, zh_user, zh_debt)
    assert amounts(zh_payments) == [80000, 50000]  # in the order they were paid
    assert {p.source for p in zh_payments} == {PaymentSource.TEXT}
    assert amounts(stored(make_uow, en_user, en_debt)) == [50000]


async def test_text_that_is_not_a_payment_reaches_the_fallback(
    app: Any,
    zh_user: SimUser,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    zh_debt = given_debt(zh_user)
    en_debt = given_debt(en_user)
    zh_user.send_text("明天要还500")
    assert "没看懂这条消息" in (await zh_user.next_message()).text
    en_user.send_text("I will pay 500 tomorrow")
    assert (await en_user.next_message()).text.startswith("I didn't understand that.")
    assert stored(make_uow, zh_user, zh_debt) == []
    assert stored(make_uow, en_user, en_debt) == []


async def test_several_debts_ask_which_then_record_once(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    jd = given_debt(en_user)
    card = given_debt(en_user, name="Credit card")
    update = en_user.send_text("I paid 800 to the bank yesterday")
    picker = await en_user.next_message()
    assert "You have no debt called “bank”." in picker.text
    assert "Which debt is this payment of CN¥800.00 for?" in picker.text
    assert all(len(data.encode()) <= 64 for data in picker.callback_data)
    # Two quick taps before the bot answers, and a redelivered first tap.
    first = en_user.press_button(picker, text="Credit card")
    en_user.press_button(picker, text="Credit card")
    recorded, again = await en_user.next_messages(2)
    assert "✅ Recorded CN¥800.00 to Credit card, paid Nov 30, 2026." in recorded.text
    assert "This payment was already recorded" in again.text
    assert en_user.message(picker.message_id).reply_markup is None
    with app.bot_data["deps"].uow() as uow:
        assert uow.processed_updates.is_processed(first["update_id"])
    [payment] = stored(make_uow, en_user, card)
    assert payment.idempotency_key == f"tg:update:{update['update_id']}"
    assert payment.source is PaymentSource.BUTTON
    assert stored(make_uow, en_user, jd) == []


async def test_choosing_another_debt_after_recording_adds_nothing(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    jd = given_debt(zh_user)
    card = given_debt(zh_user, name="信用卡")
    zh_user.send_text("还了300")
    picker = await zh_user.next_message()
    assert "这笔 ¥300.00 的还款是还哪笔欠款的？" in picker.text
    jd_data, card_data = picker.callback_data
    zh_user.press_button(picker, data=jd_data)
    zh_user.press_button(picker, data=card_data)  # a second tap, on the other debt
    recorded, again = await zh_user.next_messages(2)
    assert "向金条还款 ¥300.00" in recorded.text
    assert "这笔还款之前已经记过了" in again.text
    assert amounts(stored(make_uow, zh_user, jd)) == [30000]
    assert stored(make_uow, zh_user, card) == []


async def test_a_named_debt_is_paid_directly(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    given_debt(zh_user)
    # The card's money arrived Nov 1, so a payment on Nov 10 is after the loan began.
    card = given_debt(zh_user, name="招行信用卡", start_date=date(2026, 11, 1))
    zh_user.send_text("/paid 1.2万 招行 2026-11-10")
    reply = await zh_user.next_message()
    assert "2026年11月10日 向招行信用卡还款 ¥12,000.00" in reply.text
    assert amounts(stored(make_uow, zh_user, card)) == [1200000]


async def test_a_redelivered_update_records_one_payment_and_replies_once(
    app: Any,
    state: EmulatorState,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(en_user)
    update = en_user.send_text("paid 500")
    await en_user.next_message()
    state.redeliver(update["update_id"])
    en_user.send_text("/history")  # handled after the redelivered update
    history = await en_user.next_message()
    assert history.text.startswith("Payments, newest first:")
    assert amounts(stored(make_uow, en_user, debt_id)) == [50000]
    assert len(en_user.bot_messages()) == 2


async def test_a_future_date_is_refused_with_an_example(
    app: Any,
    zh_user: SimUser,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    zh_debt = given_debt(zh_user)
    en_debt = given_debt(en_user)
    en_user.send_text("/paid 500 2026-12-02")
    reply = await en_user.next_message()
    assert "A payment can't be dated after today (2026-12-01)." in reply.text
    assert "For example: /paid 500 yesterday" in reply.text
    zh_user.send_text("/paid 500 明天")
    reply = await zh_user.next_message()
    assert "还款日期不能晚于今天（2026-12-01）。" in reply.text
    assert "例如：/paid 500 昨天" in reply.text
    assert stored(make_uow, zh_user, zh_debt) == []
    assert stored(make_uow, en_user, en_debt) == []


async def test_a_garbage_amount_is_refused_with_an_example(
    app: Any,
    zh_user: SimUser,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    zh_debt = given_debt(zh_user)
    en_debt = given_debt(en_user)
    en_user.send_text("/paid lots")
    reply = await en_user.next_message()
    assert "I couldn't read “lots” as an amount." in reply.text
    assert "12k" in reply.text  # an English example for an English reader (issue 10)
    assert "万" not in reply.text
    zh_user.send_text("/paid 0")
    reply = await zh_user.next_message()
    assert "1.2万" in reply.text
    assert stored(make_uow, zh_user, zh_debt) == []
    assert stored(make_uow, en_user, en_debt) == []


async def test_paid_without_arguments_explains_and_without_debts_points_to_adddebt(
    app: Any, en_user: SimUser, zh_user: SimUser, given_debt: Any
) -> None:
    en_user.send_text("/paid")
    assert "\n/paid 500 金条\n" in (await en_user.next_message()).text
    en_user.send_text("/paid 500")
    assert "/adddebt" in (await en_user.next_message()).text
    zh_user.send_text("还了500")
    assert "/adddebt" in (await zh_user.next_message()).text


async def test_another_currency_is_refused(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user)
    en_user.send_text("/paid €50")
    reply = await en_user.next_message()
    assert "“€50” is in EUR, but this debt is in CNY" in reply.text
    assert stored(make_uow, en_user, debt_id) == []


async def test_undo_confirm_and_double_tap(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(zh_user)
    zh_user.send_text("还了500")
    await zh_user.next_message()
    zh_user.send_text("/undo")
    question = await zh_user.next_message()
    assert "要撤销这笔还款吗？\n2026年12月1日 向金条还款 ¥500.00（通过消息记录）。" in question.text
    zh_user.press_button(question, text="↩️ 撤销")
    zh_user.press_button(question, text="↩️ 撤销")
    done, again = await zh_user.next_messages(2)
    assert "↩️ 已撤销：2026年12月1日 向金条还款 ¥500.00。" in done.text
    assert "今天结清需还" in done.text
    assert again.text == UNDONE_TWICE
    assert zh_user.message(question.message_id).reply_markup is None
    assert stored(make_uow, zh_user, debt_id) == []
    [kept] = stored(make_uow, zh_user, debt_id, undone=True)
    assert kept.undone


async def test_undo_keep_changes_nothing(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user)
    en_user.send_text("/undo")
    assert "There is no payment to undo." in (await en_user.next_message()).text
    en_user.send_text("/paid 500")
    await en_user.next_message()
    en_user.send_text("/undo")
    question = await en_user.next_message()
    assert "Undo this payment?\nCN¥500.00 to 金条, paid Dec 1, 2026 (via /paid)." in question.text
    en_user.press_button(question, text="Keep it")
    assert "Kept" in (await en_user.next_message()).text
    assert en_user.message(question.message_id).reply_markup is None
    assert amounts(stored(make_uow, en_user, debt_id)) == [50000]


async def test_history_newest_first_with_undone_marked(
    app: Any, en_user: SimUser, zh_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user)
    given_debt(en_user, name="Credit card")
    en_user.send_text("/history")
    assert "No payments yet." in (await en_user.next_message()).text
    en_user.send_text("/paid 100 金条 2026-11-20")
    await en_user.next_message()
    en_user.send_text("I paid 200 to credit card")
    await en_user.next_message()
    en_user.send_text("/undo")
    question = await en_user.next_message()
    en_user.press_button(question, text="↩️ Undo it")
    await en_user.next_message()
    en_user.send_text("/history")
    listing = await en_user.next_message()
    assert listing.text.splitlines() == [
        "Payments, newest first:",
        "Dec 1, 2026 · CN¥200.00 · Credit card · message (undone)",
        "Nov 20, 2026 · CN¥100.00 · 金条 · /paid",
    ]
    struck = [e for e in listing.entities if e["type"] == "strikethrough"]
    assert len(struck) == 1
    en_user.send_text("/history 金")
    lines = (await en_user.next_message()).text.splitlines()
    assert lines == [
        "Payments to 金条, newest first:",
        "Nov 20, 2026 · CN¥100.00 · 金条 · /paid",
    ]
    given_debt(zh_user)
    zh_user.send_text("/history")
    assert "还没有还款记录" in (await zh_user.next_message()).text


async def test_history_shows_at_most_fifty(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(zh_user)
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(zh_user.id)
        assert user is not None
        assert user.id is not None
        for index in range(53):
            record_payment(
                uow,
                user_id=user.id,
                debt_id=debt_id,
                amount=D(10),
                paid_on=TODAY,
                today=TODAY,
                idempotency_key=f"test:{index}",
                now=app.bot_data["deps"].clock.now(),
            )
        uow.commit()
    zh_user.send_text("/history")
    lines = (await zh_user.next_message()).text.splitlines()
    assert len(lines) == 52  # the title, 50 payments, the note
    assert lines[-1] == "共 53 笔还款，这里显示最近的 50 笔。"


async def test_editing_a_payment_message_records_nothing_more(
    app: Any,
    state: EmulatorState,
    zh_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(zh_user)
    update = zh_user.send_text("还了500")
    await zh_user.next_message()
    edited = {**update["message"], "text": "还了600", "edit_date": state.date()}
    state.enqueue_update("edited_message", edited)
    reply = await zh_user.next_message()
    assert "/undo" in reply.text
    assert amounts(stored(make_uow, zh_user, debt_id)) == [50000]


async def test_forged_or_malformed_buttons_record_nothing(
    app: Any,
    state: EmulatorState,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(en_user)
    en_user.send_text("/paid")
    message = (await en_user.next_message()).raw
    stranger = en_user.id + 1
    for data in (
        f"pay:{stranger}:{debt_id}:dw:20261201:1",  # someone else's button
        f"pay:{en_user.id}:{debt_id}:dw:20261301:1",  # no such date
        f"pay:{en_user.id}:{debt_id}:-1:20261201:1",  # not an amount
        f"pay:{en_user.id}:{debt_id}",  # arguments missing
        f"payundo:{en_user.id}:x",
        f"paykeep:{stranger}:1",
        f"payhist:{en_user.id}:",
    ):
        answer = await en_user.wait_for_answer(forge_press(state, en_user, message, data))
        assert answer.get("text") == "This button no longer works. /help shows what you can do."
    assert stored(make_uow, en_user, debt_id) == []


# ---- payments on past dates (issue 9) ----------------------------------------------------------
# Today is Tuesday 2026-12-01. Penalty interest: 1.5 × 0.05 % = 0.075 % of overdue principal a day.


async def test_a_payment_on_a_past_date_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    # ¥20,000 at 0.05 %/day over 12 months from 2026-09-20: installments of 1,835.98.
    # Installment 1: interest 20,000 × 0.05 % × 365 / 12 = 304.1667 → 304.17,
    # principal 1,835.98 − 304.17 = 1,531.81.
    debt_id = given_debt(
        zh_user,
        principal=D(20000),
        first_due=date(2026, 10, 20),
        start_date=date(2026, 9, 20),
    )
    zh_user.send_text("10月20日还了1835.98")
    reply = (await zh_user.next_message()).text
    assert "✅ 已记下：2026年10月20日 向金条还款 ¥1,835.98。" in reply
    # Paid on its due date, so no penalty although it is logged 42 days later.
    assert "第 1 期（2026年10月20日 到期）：利息 ¥304.17 · 本金 ¥1,531.81——本期已还清。" in reply
    # Installment 2 (due Nov 20) is overdue: interest 18,468.19 × 0.05 % × 365 / 12 =
    # 280.8704 → 280.87, principal 1,835.98 − 280.87 = 1,555.11; 11 days' penalty
    # 1,555.11 × 0.075 % × 11 = 12.8297 → 12.83.
    assert "⚠️ 仍有逾期：¥1,835.98。" in reply
    assert "· 罚息 ¥12.83" in reply
    assert len(reply.splitlines()) <= 12
    [payment] = stored(make_uow, zh_user, debt_id)
    assert (payment.amount_minor, payment.paid_on, payment.source) == (
        183598,
        date(2026, 10, 20),
        PaymentSource.TEXT,
    )


async def test_a_payment_on_a_past_date_in_english(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    # The default ¥12,000 at 0.05 %/day, first due 2026-10-25 (money from 2026-09-25):
    # installment 1 is 1,101.59 = 182.50 interest + 919.09 principal; installment 2 is
    # 168.52 interest + 933.07 principal, due Nov 25.
    debt_id = given_debt(en_user, first_due=date(2026, 10, 25), start_date=date(2026, 9, 25))
    en_user.send_text("paid 581.84 on 30 Oct")
    reply = (await en_user.next_message()).text
    assert "✅ Recorded CN¥581.84 to 金条, paid Oct 30, 2026." in reply
    # As of Oct 30, five days late: penalty 919.09 × 0.075 % × 5 = 3.4466 → 3.45, then the
    # interest 182.50, and 581.84 − 3.45 − 182.50 = 395.89 of principal (919.09 − 395.89 =
    # 523.20 left). Penalty since, on that 523.20: Oct 30 → Nov 25, 26 days = 10.2024 → 10.20,
    # then Nov 25 → Dec 1, 6 days = 2.3544 → 2.35: 523.20 + 10.20 + 2.35 = 535.75 to pay on it.
    assert (
        "Installment 1 (due Oct 25, 2026): penalty interest CN¥3.45 · interest CN¥182.50"
        " · principal CN¥395.89 — CN¥535.75 still to pay on it." in reply
    )
    # Overdue: 523.20 + 1,101.59 = 1,624.79; installment 2's penalty 933.07 × 0.075 % × 6 =
    # 4.1988 → 4.20, so 12.55 + 4.20 = 16.75 in all.
    assert "⚠️ Still overdue: CN¥1,624.79." in reply
    assert "· penalty interest CN¥16.75" in reply
    assert len(reply.splitlines()) <= 12
    [payment] = stored(make_uow, en_user, debt_id)
    assert (payment.amount_minor, payment.paid_on) == (58184, date(2026, 10, 30))


async def test_dated_commands_and_more_phrasings_name_the_date_with_its_year(
    app: Any,
    zh_user: SimUser,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    zh_debt = given_debt(zh_user)  # the money arrived 2026-11-15
    en_debt = given_debt(en_user)
    zh_user.send_text("上周五还了800")
    assert "✅ 已记下：2026年11月27日 向金条还款 ¥800.00。" in (await zh_user.next_message()).text
    zh_user.send_text("/paid 300 11/20")  # in Chinese, 11/20 is 11月20日
    assert "✅ 已记下：2026年11月20日 向金条还款 ¥300.00。" in (await zh_user.next_message()).text
    en_user.send_text("/paid 500 2026-11-20")
    assert (
        "✅ Recorded CN¥500.00 to 金条, paid Nov 20, 2026." in (await en_user.next_message()).text
    )
    en_user.send_text("I paid 1,200 to 金条 3 days ago")
    assert "paid Nov 28, 2026." in (await en_user.next_message()).text
    assert [(p.amount_minor, p.paid_on) for p in stored(make_uow, zh_user, zh_debt)] == [
        (30000, date(2026, 11, 20)),
        (80000, date(2026, 11, 27)),
    ]
    assert [(p.amount_minor, p.paid_on) for p in stored(make_uow, en_user, en_debt)] == [
        (50000, date(2026, 11, 20)),
        (120000, date(2026, 11, 28)),
    ]


async def test_a_future_date_in_free_text_is_refused_with_an_example(
    app: Any,
    zh_user: SimUser,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    zh_debt = given_debt(zh_user)
    en_debt = given_debt(en_user)
    zh_user.send_text("这周五还了500")  # Friday 2026-12-04
    reply = (await zh_user.next_message()).text
    assert "还款日期不能晚于今天（2026-12-01）。" in reply
    assert "例如：/paid 500 昨天" in reply
    en_user.send_text("paid 500 on 2027-01-05")
    reply = (await en_user.next_message()).text
    assert "A payment can't be dated after today (2026-12-01)." in reply
    assert "For example: /paid 500 yesterday, /paid 500 30 Nov or /paid 500 2026-11-30." in reply
    assert stored(make_uow, zh_user, zh_debt) == []
    assert stored(make_uow, en_user, en_debt) == []


async def test_a_date_before_the_loan_began_is_refused_with_an_example(
    app: Any,
    zh_user: SimUser,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    zh_debt = given_debt(zh_user)  # the money arrived 2026-11-15
    en_debt = given_debt(en_user)
    zh_user.send_text("10月20日还了1835.98")
    reply = (await zh_user.next_message()).text
    assert "金条的借款从 2026-11-15 开始，还款日期不能是 2026-10-20，请核对一下日期。" in reply
    assert "例如：/paid 500 昨天" in reply
    assert "began" not in reply  # no English in a Chinese conversation
    en_user.send_text("/paid 581.84 30 Oct")
    reply = (await en_user.next_message()).text
    assert (
        "金条 began on 2026-11-15, so a payment can't be dated 2026-10-30: please check the date."
        in reply
    )
    assert "For example: /paid 500 yesterday, /paid 500 30 Nov or /paid 500 2026-11-30." in reply
    assert "月" not in reply  # no Chinese but the debt's own name
    assert stored(make_uow, zh_user, zh_debt, undone=True) == []
    assert stored(make_uow, en_user, en_debt, undone=True) == []


async def test_an_ambiguous_day_and_month_is_asked_not_guessed(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user, first_due=date(2026, 6, 15), start_date=date(2026, 5, 1))
    en_user.send_text("paid 500 on 5/10")  # 10 May or 5 October?
    reply = (await en_user.next_message()).text
    assert (
        "“5/10” could be 2026-05-10 or 2026-10-05:"
        " please write the month in letters or the full date." in reply
    )
    assert "For example: /paid 500 yesterday, /paid 500 30 Nov" in reply
    assert stored(make_uow, en_user, debt_id) == []
    en_user.send_text("paid 500 on 20/10")  # only 20 October exists
    assert "paid Oct 20, 2026." in (await en_user.next_message()).text
    assert [p.paid_on for p in stored(make_uow, en_user, debt_id)] == [date(2026, 10, 20)]


async def test_the_debt_picker_shows_the_date_read(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    given_debt(en_user)
    card = given_debt(en_user, name="Credit card")
    en_user.send_text("paid 500 last Friday")
    picker = await en_user.next_message()
    assert picker.text.splitlines() == [
        "Which debt is this payment of CN¥500.00 for?",
        "Paid on Nov 27, 2026.",
    ]
    en_user.press_button(picker, text="Credit card")
    recorded = (await en_user.next_message()).text
    assert "✅ Recorded CN¥500.00 to Credit card, paid Nov 27, 2026." in recorded
    assert [p.paid_on for p in stored(make_uow, en_user, card)] == [date(2026, 11, 27)]
