"""/plan through the real Application and local Bot API: recording the plan agreed with the
lender, with its proof, in both languages; mistakes, cancelling and a restart mid-way."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bot.localapi import EmulatorState, SimUser
from bot.localapi.models import ChatMessage
from bot.runtime import Deps
from tests.bot.helpers import forge_press, running
from tracker.schedule_types import Method
from tracker.services.debts import add_plan, position, terms_of
from tracker.storage.enums import Channel, DocumentKind, PlanOrigin, PlanStatus
from tracker.storage.models import Debt, PlanVersion
from tracker.storage.uow import SqlUnitOfWork

TODAY = date(2026, 12, 1)
PDF = b"%PDF-1.4 1 0 obj << /Type /Catalog >> endobj trailer << /Root 1 0 R >> %%EOF"


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (the emulator reads image headers)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x20\x80\x40" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def say(user: SimUser, text: str) -> ChatMessage:
    """Send text; the bot's reply."""
    user.send_text(text)
    return await user.next_message()


async def press(user: SimUser, message: ChatMessage, label: str) -> ChatMessage:
    """Press a button by its label; the bot's reply."""
    user.press_button(message, text=label)
    return await user.next_message()


def plans_of(make_uow: Callable[[], SqlUnitOfWork], debt_id: int) -> list[PlanVersion]:
    with make_uow() as uow:
        plans = uow.plans.list_for_debt(debt_id)
        uow.session.expunge_all()
        return plans


async def until_document_step(user: SimUser, *, reference: str = "KF-2026-0042") -> ChatMessage:
    """English: /plan, new terms (owed today, 0 %, 24 months, equal principal), hotline."""
    how = await say(user, "/plan")
    principal = await press(user, how, "New rate and months")
    owed = principal.button_texts[0][0]
    rate = await press(user, principal, owed)
    await press(user, rate, "0% (no interest)")
    method = await say(user, "24")
    await press(user, method, "Equal principal (等额本金)")
    review = await say(user, "2027-01-15")
    confirmed = await press(user, review, "Yes, continue")
    channel = await press(user, confirmed, "Today")
    await press(user, channel, "Hotline")
    await say(user, reference)
    return await say(user, "王女士")


def store_draft(make_uow: Callable[[], SqlUnitOfWork], debt_id: int) -> None:
    """A /hardship proposal for the debt: a draft the lender never agreed (stored version 2)."""
    with make_uow() as uow:
        debt = uow.session.get(Debt, debt_id)
        assert debt is not None
        current = uow.plans.active_for_debt(debt_id)
        assert current is not None
        add_plan(
            uow,
            debt=debt,
            terms=terms_of(debt, current),
            origin=PlanOrigin.PROPOSAL,
            now=datetime(2026, 11, 30, 9, tzinfo=UTC),
        )
        uow.commit()


async def test_a_draft_proposal_does_not_count_as_a_plan_version(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    """The original is v1; a /hardship draft in between is no version: the agreed plan is v2."""
    debt_id = given_debt(en_user)
    store_draft(make_uow, debt_id)
    document = await until_document_step(en_user)
    summary = await press(en_user, document, "Skip")
    saved = await press(en_user, summary, "Save")
    assert "金条, plan v2:" in saved.text
    assert "v3" not in saved.text
    assert [p.version for p in plans_of(make_uow, debt_id)] == [1, 2, 3]  # stored rows

    history = await say(en_user, "/plan history")
    lines = history.text.splitlines()
    assert "v1 · original contract · superseded" in lines
    assert "draft · proposal · superseded" in lines
    assert "v2 · renegotiated · active" in lines
    assert "v3" not in history.text


async def test_the_cost_of_a_plan_typed_as_amounts_is_not_called_fees(
    app: Any, en_user: SimUser, zh_user: SimUser, given_debt: Any
) -> None:
    """12 × 1,050 repaying 12,000: the 600 above it is interest and fees nobody itemised."""
    for user, list_button in ((en_user, "A list of installments"), (zh_user, "逐期还款明细")):
        given_debt(user)
        how = await say(user, "/plan")
        await press(user, how, list_button)
        listing = await say(user, "12000")
        assert "counts as fees" not in listing.text
        assert "算作费用" not in listing.text
        review = await say(user, "1050 x 12 2027-01-15")
        if user is en_user:
            assert (
                "Total to pay: CN¥12,600.00 (CN¥600.00 above the amount repaid: "
                "interest and fees, not itemised)" in review.text
            )
        else:
            assert "合计应还：¥12,600.00（比偿还金额多 ¥600.00：利息和费用，未细分）" in review.text
        await say(user, "/cancel")


async def test_a_plan_from_new_terms_with_a_pdf_confirmation(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user)
    how = await say(en_user, "/plan")
    assert "金条" in how.text
    assert "How did the lender describe the new plan?" in how.text
    principal = await press(en_user, how, "New rate and months")
    assert "what you owe today" in principal.text
    owed_label = principal.button_texts[0][0]
    assert owed_label.startswith("Use CN¥12,")
    rate = await press(en_user, principal, owed_label)
    assert "<code>" not in rate.text  # sent as HTML: the tags became entities
    assert "0%" in rate.text
    await press(en_user, rate, "0% (no interest)")
    method = await say(en_user, "24期")
    first_due = await press(en_user, method, "Equal principal (等额本金)")
    assert first_due.button_texts == [["Dec 15, 2026"]]  # the current plan's due day
    review = await say(en_user, "2027-01-15")
    assert "New plan for 金条" in review.text
    assert "24 installments, Jan 15, 2027 to Dec 15, 2028" in review.text
    assert "Current plan, from today" in review.text
    assert "12 installments left" in review.text
    assert "less" in review.text  # interest stops: cheaper in total, and lower each month
    assert "The usual payment is" in review.text
    confirmed = await press(en_user, review, "Yes, continue")
    channel = await press(en_user, confirmed, "Today")
    assert channel.button_texts == [
        ["Hotline", "App chat"],
        ["Letter / SMS", "Branch"],
        ["Other"],
    ]
    await press(en_user, channel, "Hotline")
    await say(en_user, "KF-2026-0042")
    document = await say(en_user, "王女士")
    assert "PDF" in document.text
    update = en_user.send_document(PDF, file_name="confirm.pdf")
    file_id = update["message"]["document"]["file_id"]
    summary = await en_user.next_message()
    for expected in (
        "Please check before saving",
        "24 installments from Jan 15, 2027",
        "Rate: 0% (no interest); Equal principal (等额本金)",
        "Confirmed on: Dec 1, 2026",
        "Channel: Hotline",
        "Reference: KF-2026-0042",
        "Agent: 王女士",
        "Written confirmation: PDF",
    ):
        assert expected in summary.text
    saved = await press(en_user, summary, "Save")
    assert (
        "The new plan is active; reminders follow it. Keep the written confirmation." in saved.text
    )
    assert "plan v2" in saved.text
    assert "Ask the lender" not in saved.text  # reference and document were both given

    old, new = plans_of(make_uow, debt_id)
    assert (old.status, old.origin) == (PlanStatus.SUPERSEDED, PlanOrigin.ORIGINAL)
    assert (new.status, new.origin, new.method) == (
        PlanStatus.ACTIVE,
        PlanOrigin.RENEGOTIATED,
        Method.EQUAL_PRINCIPAL,
    )
    assert (new.document_file_id, new.document_kind) == (file_id, DocumentKind.PDF)
    assert (new.channel, new.reference, new.agent, new.confirmed_on) == (
        Channel.HOTLINE,
        "KF-2026-0042",
        "王女士",
        TODAY,
    )
    assert new.start_date == TODAY
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(en_user.id)
        assert user is not None
        assert user.id is not None
        active = uow.installments.for_debt(user.id, debt_id)
        assert len(active) == 24
        assert {i.plan_version_id for i in active} == {new.id}
        assert {i.due_date for i in active} >= {date(2027, 1, 15), date(2028, 12, 15)}
        assert old.id is not None
        assert len(uow.installments.for_plan(old.id)) == 12  # kept as history, inactive
        pos = position(uow, user_id=user.id, debt_id=debt_id, today=TODAY)
        assert pos.plan.id == new.id
        assert pos.state.owed_today.total == Decimal(
            owed_label.removeprefix("Use CN¥").replace(",", "")
        )

    history = await say(en_user, "/plan history")
    for expected in (
        "金条: plan history",
        "v1 · original contract · superseded",
        "v2 · renegotiated · active",
        "confirmed on Dec 1, 2026 · Hotline · ref. KF-2026-0042 · agent 王女士",
        "24 installments",
        "📎 PDF",
    ):
        assert expected in history.text
    resent = await press(en_user, history, "📎 Confirmation of v2")
    assert resent.document is not None
    assert resent.document["file_id"] == file_id
    assert resent.file_bytes == PDF
    assert resent.caption == "Written confirmation: 金条, plan v2"


async def test_a_list_of_installments_in_chinese_with_a_photo(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(zh_user)
    given_debt(zh_user, name="白条")
    picker = await say(zh_user, "/plan")
    assert "你和贷款机构就哪笔债务谈好了新计划？" in picker.text
    assert picker.button_texts == [["金条"], ["白条"]]
    how = await press(zh_user, picker, "金条")
    assert "今天结清需还" in how.text
    principal = await press(zh_user, how, "逐期还款明细")
    assert "通常就是你今天结清需还的金额" in principal.text
    listing = await say(zh_user, "12000")
    assert "每行一期" in listing.text
    short = await say(zh_user, "1000 x 11 从 2027-01-15")
    assert "还差" in short.text  # the installments don't cover what the plan repays
    assert "每行" in short.text  # with an example
    lines = "\n".join(f"{month}月15日 1000" for month in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
    review = await say(zh_user, lines)
    assert "金条 的新计划" in review.text
    assert "共 12 期，2027年1月15日 至 2027年12月15日" in review.text
    assert "每月还款：¥1,000.00" in review.text
    assert "当前计划（从今天算起）" in review.text
    await press(zh_user, review, "是的，继续")
    channel = await say(zh_user, "11月28日")  # without a year: the last 28 November
    reference = await press(zh_user, channel, "在线客服")
    await press(zh_user, reference, "跳过")
    await say(zh_user, "跳过")
    update = zh_user.send_photo(png())
    photo_id = update["message"]["photo"][-1]["file_id"]
    summary = await zh_user.next_message()
    for expected in (
        "保存前请核对",
        "确认日期：2026年11月28日",
        "方式：在线客服",
        "编号：无",
        "经办人：无",
        "书面确认：照片",
    ):
        assert expected in summary.text
    saved = await press(zh_user, summary, "保存")
    assert "新计划已生效" in saved.text
    assert "请向贷款机构要这次协商的业务编号" in saved.text  # no reference was given

    _, new = plans_of(make_uow, debt_id)
    assert (new.method, new.term_months, new.principal_minor) == (Method.CUSTOM, 12, 1_200_000)
    assert (new.document_file_id, new.document_kind) == (photo_id, DocumentKind.PHOTO)
    assert (new.channel, new.reference, new.agent) == (Channel.APP_CHAT, None, None)
    assert new.confirmed_on == date(2026, 11, 28)

    history = await say(zh_user, "/plan 历史")
    assert "查看哪笔债务的计划记录？" in history.text
    listed = await press(zh_user, history, "金条")
    assert "第 2 版 · 协商变更 · 生效中" in listed.text
    assert "第 1 版 · 原合同 · 已被取代" in listed.text
    resent = await press(zh_user, listed, "📎 第 2 版的书面确认")
    assert resent.photo is not None
    assert resent.photo[-1]["file_id"] == photo_id


async def test_wrong_answers_are_asked_again_with_an_example(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user)
    how = await say(en_user, "/plan")
    stray = await say(en_user, "yes")
    assert "buttons above" in stray.text
    await press(en_user, how, "New rate and months")
    wrong = await say(en_user, "a lot")
    assert "I couldn't read “a lot” as an amount." in wrong.text
    assert "For example" in wrong.text
    await say(en_user, "12000")
    wrong = await say(en_user, "cheap")
    assert "interest rate" in wrong.text
    assert "18%/year" in wrong.text  # English examples for an English reader (issue 10)
    assert "年化" not in wrong.text
    await say(en_user, "免息")
    wrong = await say(en_user, "forever")
    assert "number of months" in wrong.text
    assert "24 months" in wrong.text  # English examples for an English reader
    assert "期" not in wrong.text
    await say(en_user, "36")
    await say(en_user, "等额本息")  # a method may be typed, too
    wrong = await say(en_user, "2026-12-01")
    assert "must fall after 2026-12-01" in wrong.text
    assert "For example" in wrong.text
    review = await say(en_user, "2027-01-10")
    assert "36 installments" in review.text
    await press(en_user, review, "Yes, continue")
    wrong = await say(en_user, "2027-03-01")
    assert "can't have confirmed it on a future date" in wrong.text
    assert "For example" in wrong.text
    en_user.send_photo(png())
    assert "answer with text" in (await en_user.next_message()).text
    channel = await say(en_user, "yesterday")
    await press(en_user, channel, "Letter / SMS")
    wrong = await say(en_user, "R" * 65)
    assert "at most 64 characters" in wrong.text
    assert "KF20261201-0042" in wrong.text
    await say(en_user, "R-1")
    document = await say(en_user, "skip")
    summary = await press(en_user, document, "Skip")
    assert "Confirmed on: Nov 30, 2026" in summary.text
    saved = await press(en_user, summary, "Save")
    assert "Ask the lender for a written confirmation" in saved.text
    assert "reference number" not in saved.text
    _, new = plans_of(make_uow, debt_id)
    assert (new.term_months, new.method, new.document_file_id) == (36, Method.ANNUITY, None)
    assert new.rate_value == 0


async def test_a_file_that_is_not_a_pdf_is_refused(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user)
    await until_document_step(en_user)
    en_user.send_document(b"meeting notes", file_name="notes.txt")
    refused = await en_user.next_message()
    assert "I can keep a photo or a PDF only" in refused.text
    assert "notes.txt" in refused.text
    other = await say(en_user, "here it is")
    assert "Please send a photo or a PDF, or press Skip." in other.text
    en_user.send_document(PDF, file_name="确认函.pdf")
    summary = await en_user.next_message()
    assert "Written confirmation: PDF" in summary.text
    await press(en_user, summary, "Save")
    _, new = plans_of(make_uow, debt_id)
    assert new.document_kind is DocumentKind.PDF


async def test_cancel_mid_way_saves_nothing(
    app: Any,
    state: EmulatorState,
    en_user: SimUser,
    zh_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(en_user)
    document = await until_document_step(en_user)
    cancelled = await say(en_user, "/cancel")
    assert "Cancelled. Nothing was saved." in cancelled.text
    assert len(plans_of(make_uow, debt_id)) == 1
    # The old question's button no longer does anything.
    await en_user.wait_for_answer(en_user.press_button(document, text="Skip"))
    assert len(plans_of(make_uow, debt_id)) == 1

    # Cancel from the summary's button, after someone else tried to press Save.
    document = await until_document_step(en_user)
    summary = await press(en_user, document, "Skip")
    save = next(data for data in summary.callback_data if data.startswith("plan_save:"))
    await zh_user.wait_for_answer(forge_press(state, zh_user, summary.raw, save))
    assert len(plans_of(make_uow, debt_id)) == 1
    cancelled = await press(en_user, summary, "Cancel")
    assert "Nothing was saved" in cancelled.text
    assert [p.status for p in plans_of(make_uow, debt_id)] == [PlanStatus.ACTIVE]


async def test_no_debts_yet(app: Any, zh_user: SimUser) -> None:
    reply = await say(zh_user, "/plan")
    assert "/adddebt" in reply.text


async def test_the_flow_survives_a_restart(
    state: EmulatorState,
    deps: Deps,
    zh_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(zh_user)
    async with running(state, deps, with_jobs=False):
        how = await say(zh_user, "/plan")
        await press(zh_user, how, "新的利率和期数")
        await say(zh_user, "12000")
        await say(zh_user, "年化3.6%")
        method = await say(zh_user, "12")
    # A new process: the conversation and the answers so far come back from the database.
    async with running(state, deps, with_jobs=False):
        await press(zh_user, method, "等额本息")
        review = await say(zh_user, "1月15日")
        assert "共 12 期" in review.text
        confirmed = await press(zh_user, review, "是的，继续")
        channel = await press(zh_user, confirmed, "今天")
        await press(zh_user, channel, "网点")
        await say(zh_user, "GD-7")
        document = await say(zh_user, "李经理")
        summary = await press(zh_user, document, "跳过")
        assert "利率：年利率 3.6%；等额本息" in summary.text
        saved = await press(zh_user, summary, "保存")
        assert "新计划已生效" in saved.text
    _, new = plans_of(make_uow, debt_id)
    assert (new.principal_minor, new.term_months, new.channel, new.reference, new.agent) == (
        1_200_000,
        12,
        Channel.BRANCH,
        "GD-7",
        "李经理",
    )
    assert new.first_due == date(2027, 1, 15)


async def test_a_screenshot_sent_as_a_file_is_kept_and_resent_as_that_file(
    app: Any,
    state: EmulatorState,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(en_user)
    await until_document_step(en_user)
    screenshot = png(6, 8)
    update = en_user.send_document(screenshot, file_name="Screenshot 2026-12-01.png")
    file_id = update["message"]["document"]["file_id"]
    summary = await en_user.next_message()
    assert "Written confirmation: photo" in summary.text
    await press(en_user, summary, "Save")
    _, new = plans_of(make_uow, debt_id)
    assert (new.document_file_id, new.document_kind) == (file_id, DocumentKind.PHOTO)

    history = await say(en_user, "/plan history")
    assert "📎 photo" in history.text
    # Telegram resends a file_id only as what it was uploaded as: not as a photo, here.
    state.faults.fail_next(
        "sendPhoto", status=400, description="Bad Request: can't use file of type Document as Photo"
    )
    resent = await press(en_user, history, "📎 Confirmation of v2")
    assert resent.document is not None
    assert resent.document["file_id"] == file_id
    assert resent.file_bytes == screenshot
    assert resent.caption == "Written confirmation: 金条, plan v2"


async def test_image_files_of_every_usual_kind_are_accepted_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    """JPEG, HEIC (an iPhone photo sent as a file) and WebP, by type or by name alone."""
    sent = [
        ("IMG_0042.HEIC", "image/heic"),
        ("确认.jpg", "image/jpeg"),
        ("wechat.webp", "image/webp"),
        ("截图.PNG", "application/octet-stream"),  # the name says what it is
    ]
    debt_id = given_debt(zh_user)
    for number, (file_name, mime_type) in enumerate(sent, start=2):
        how = await say(zh_user, "/plan")
        await press(zh_user, how, "新的利率和期数")
        await say(zh_user, "12000")
        await say(zh_user, "0%")
        method = await say(zh_user, "12")
        await press(zh_user, method, "等额本金")
        review = await say(zh_user, "1月15日")
        confirmed = await press(zh_user, review, "是的，继续")
        channel = await press(zh_user, confirmed, "今天")
        reference = await press(zh_user, channel, "客服电话")
        agent = await press(zh_user, reference, "跳过")
        await press(zh_user, agent, "跳过")
        update = zh_user.send_document(b"\x00image bytes", file_name=file_name, mime_type=mime_type)
        summary = await zh_user.next_message()
        assert "书面确认：照片" in summary.text, file_name
        await press(zh_user, summary, "保存")
        latest = plans_of(make_uow, debt_id)[-1]
        assert latest.version == number
        assert (latest.document_file_id, latest.document_kind) == (
            update["message"]["document"]["file_id"],
            DocumentKind.PHOTO,
        )


async def test_none_words_skip_every_optional_step_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    """不 / 没有 / none / skip: the same words skip the reference, the agent and the document."""
    debt_id = given_debt(zh_user)
    for number, (reference, agent, document) in enumerate(
        [("不", "没有", "skip"), ("none", "不", "没有。")], start=2
    ):
        how = await say(zh_user, "/plan")
        await press(zh_user, how, "新的利率和期数")
        await say(zh_user, "12000")
        await say(zh_user, "0%")
        method = await say(zh_user, "12")
        await press(zh_user, method, "等额本金")
        review = await say(zh_user, "1月15日")
        confirmed = await press(zh_user, review, "是的，继续")
        channel = await press(zh_user, confirmed, "今天")
        await press(zh_user, channel, "客服电话")
        await say(zh_user, reference)
        await say(zh_user, agent)
        summary = await say(zh_user, document)
        for expected in ("编号：无", "经办人：无", "书面确认：无"):
            assert expected in summary.text
        await press(zh_user, summary, "保存")
        latest = plans_of(make_uow, debt_id)[-1]
        assert latest.version == number
        assert (latest.reference, latest.agent, latest.document_file_id) == (None, None, None)
