"""Issue 10: a debt's lender (the company repaid, 招商银行) apart from its nickname (信用卡).

Every lender-facing text of the /hardship pack names the lender: the request line in the chat,
the PDF and the .txt to send. A debt whose lender is not said yet is asked once, right before
its first pack: a button per lender the user named before, "the name itself", or typed.
"""

from __future__ import annotations

from typing import Any

from bot.localapi import SimUser
from tests.bot.test_hardship import (
    EN,
    ZH,
    MakeUow,
    labels,
    pdf_text,
    press,
    report,
    say,
    until_buttons,
)
from tracker.storage.models import Debt


def lender_of(make_uow: MakeUow, debt_id: int) -> str | None:
    with make_uow() as uow:
        debt = uow.session.get(Debt, debt_id)
        assert debt is not None
        return debt.lender


async def pack(user: SimUser) -> tuple[str, str, str]:
    """The request message, the letter's and the guide's text, and the .txt after an option is
    chosen."""
    intro, letter, guide, txt, _steps = await user.next_messages(5)
    assert letter.file_bytes is not None
    assert guide.file_bytes is not None
    assert txt.file_bytes is not None
    pdf = pdf_text(letter.file_bytes) + pdf_text(guide.file_bytes)
    return intro.text or "", pdf, txt.file_bytes.decode("utf-8")


async def test_the_pack_for_信用卡_is_addressed_to_its_lender_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any
) -> None:
    given_debt(zh_user, name="信用卡", lender="招商银行")
    _, options = await report(zh_user, ZH, income="2500")
    zh_user.press_button(options, text=labels(options)[0])  # its lender is said: no question
    intro, pdf, txt = await pack(zh_user)
    assert "这是给招商银行的材料包" in intro
    assert "· 招商银行：恳请招商银行将我的欠款" in intro  # the request line
    assert "向招商银行申请还款协商" in pdf  # the guide's title
    assert "致：招商银行客服" in pdf
    assert "恳请招商银行将我的欠款" in pdf
    assert txt.startswith("您好，我想就我在招商银行的借款与您沟通。")
    assert "恳请招商银行将我的欠款" in txt
    for text in (intro, pdf, txt):
        for wrong in ("恳请信用卡", "致：信用卡", "给信用卡", "在信用卡的借款", "信用卡还款协商"):
            assert wrong not in text
    assert "信用卡：未还" in txt  # the nickname stays where the debts are listed


async def test_the_pack_for_信用卡_is_addressed_to_its_lender_in_english(
    app: Any, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user, name="信用卡", lender="招商银行")
    _, options = await report(en_user, EN, income="2500")
    en_user.press_button(options, text=labels(options)[0])
    intro, pdf, txt = await pack(en_user)
    assert "here is your pack for 招商银行" in intro
    assert "· 招商银行: I would like to ask 招商银行 to" in intro
    assert "Yourguidetoasking招商银行" in pdf
    assert "Iwouldliketoask招商银行to" in pdf
    assert txt.startswith("Hello, I am writing about my 招商银行 account.")
    assert "I would like to ask 招商银行 to" in txt
    assert "for 信用卡" not in intro
    assert "asking信用卡" not in pdf
    assert "ask信用卡" not in pdf
    assert "ask 信用卡" not in txt
    assert "my 信用卡 account" not in txt


# ---- asked once, right before the first pack -------------------------------------------------


async def test_a_debt_without_a_lender_is_asked_once_and_a_typed_answer_is_kept_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    given_debt(zh_user, name="金条", lender="京东金融")
    card = given_debt(zh_user, name="信用卡")
    assert lender_of(make_uow, card) is None  # not said yet
    _, options = await report(zh_user, ZH, income="2500")
    first = labels(options)[0]
    zh_user.press_button(options, text=first)
    asked = await zh_user.next_message()
    text = asked.text or ""
    assert text.startswith("信用卡的贷款机构是哪家？")
    assert "例如京东金融、招商银行" in text
    assert len(text.splitlines()) <= 12
    assert labels(asked) == ["京东金融", "就是信用卡"]  # the lenders named before, the name
    saved = await say(zh_user, "  招商银行 ")
    assert (saved.text or "") == "✅ 已保存：信用卡的贷款机构是招商银行。"
    intro = await zh_user.next_message()
    assert "招商银行：恳请招商银行" in (intro.text or "")
    assert "恳请信用卡" not in (intro.text or "")
    await until_buttons(zh_user)  # the files, then the next steps
    assert lender_of(make_uow, card) == "招商银行"

    # Not asked again: the same option goes straight to the pack.
    zh_user.press_button(options, text=first)
    again = await zh_user.next_message()
    assert "贷款机构是哪家" not in (again.text or "")
    assert "招商银行：恳请招商银行" in (again.text or "")


async def test_a_debt_without_a_lender_is_asked_once_with_buttons_in_english(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    given_debt(en_user, name="Car loan", lender="CMB")
    card = given_debt(en_user, name="Card")
    _, options = await report(en_user, EN, income="2500")
    first = labels(options)[0]
    en_user.press_button(options, text=first)
    asked = await en_user.next_message()
    text = asked.text or ""
    assert text.startswith("Who is the lender of Card?")
    assert "for example JD Finance or China Merchants Bank" in text
    assert labels(asked) == ["CMB", "It's Card itself"]
    # Bad input gets the reason and an example; the question stays open.
    refused = await say(en_user, "x" * 41)
    assert "too long: at most 40 characters" in (refused.text or "")
    assert "For example: China Merchants Bank or JD Finance." in (refused.text or "")
    saved = await press(en_user, asked, "CMB")
    assert (saved.text or "") == "✅ Saved: you repay Card to CMB."
    intro = await en_user.next_message()
    assert "· CMB: " in (intro.text or "")
    assert "· Card: " not in (intro.text or "")
    await until_buttons(en_user)
    assert lender_of(make_uow, card) == "CMB"

    en_user.press_button(options, text=first)
    again = await en_user.next_message()
    assert "Who is the lender" not in (again.text or "")
    assert "· CMB: " in (again.text or "")


async def test_a_payment_typed_while_the_lender_question_waits_is_recorded(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    """还了500 is a payment, never taken as the lender's name (nothing is lost)."""
    card = given_debt(zh_user, name="信用卡")
    _, options = await report(zh_user, ZH, income="2500")
    zh_user.press_button(options, text=labels(options)[0])
    asked = await zh_user.next_message()
    assert (asked.text or "").startswith("信用卡的贷款机构是哪家？")
    recorded = await say(zh_user, "还了500")
    assert "✅ 已记下" in (recorded.text or "")
    assert lender_of(make_uow, card) is None  # still not said: the question stays open
    saved = await say(zh_user, "招商银行")
    assert (saved.text or "") == "✅ 已保存：信用卡的贷款机构是招商银行。"
