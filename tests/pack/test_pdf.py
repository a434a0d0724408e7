"""The two PDFs: the letter the borrower signs and sends to the lender, and the borrower's own
guide. Real PDFs, Chinese embedded and extractable, long schedules printed in full; the letter
holds nothing addressed to the borrower, and neither names any hotline but 12378."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.i18n import translator
from bot.pack import build_pack, guide_pdf, letter_pdf, texts
from bot.pack.content import Bullets
from bot.pack.fonts import FONT_FILE
from bot.pack.pdf import MISSING, covered, printable
from tests.pack.conftest import make_input, schedule

pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) reads the PDF back")


def read(data: bytes) -> tuple[str, int, set[str]]:
    """The PDF's text without the page footers (so a sentence across pages reads whole), spaces
    and line breaks removed; its page count and font names."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text().rsplit("\n", 1)[0] for page in reader.pages)
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    return "".join(text.split()), len(reader.pages), fonts


def squash(text: str) -> str:
    return "".join(text.split())


def raw(data: bytes) -> str:
    """The PDF's text as extracted, spaces and line breaks kept."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


LENDER = "金条"
#: The standard case's date as each language prints it (worked out by hand).
TODAY_TEXT = {"zh": "2026年12月1日", "en": "Dec 1, 2026"}

#: What the guide says to the borrower: none of it may reach the lender's letter.
BORROWER_ONLY = (
    texts.TITLE,
    texts.INTRO,
    texts.HONEST,
    texts.SCRIPT,
    texts.BEFORE,
    texts.BEFORE_MATERIALS,
    texts.BEFORE_CHANNELS,
    texts.SAY,
    texts.GREETING,
    texts.EARLY,
    texts.IF_NOT_NOW,
    texts.STAY_CALM,
    texts.EVIDENCE,
    texts.EVIDENCE_INTRO,
    texts.RECORDS,
    texts.RECORD_CONTACTS,
    texts.RECORD_SCREENSHOTS,
    texts.RECORD_OFFICIAL,
    texts.RECORD_EXACT,
    texts.RECORD_PLAN,
    texts.REFUSED,
    texts.REFUSED_ALTERNATIVES,
    texts.REFUSED_ESCALATE,
    texts.REFUSED_RECORDS,
    texts.REFUSED_BANK,
    texts.REFUSED_NON_BANK,
    texts.Q_MISSED,
    texts.A_MISSED,
    texts.Q_CREDIT,
    texts.A_CREDIT,
    texts.HELP,
    texts.FREE_HELP,
    texts.HELP_LENDER,
    texts.HELP_12378,
    texts.HELP_ADVISER,
    texts.WARNING,
)


def test_the_chinese_letter_embeds_the_font_and_reads_as_a_letter_to_the_lender() -> None:
    pack = build_pack(make_input("zh"))
    data = letter_pdf(pack)
    assert data.startswith(b"%PDF-")
    text, pages, fonts = read(data)
    assert any("NotoSansSCSubset" in font for font in fonts)
    for expected in (
        "致：金条客服",
        "借款人：张小明",
        "账户：尾号4821",
        "日期：2026年12月1日",
        "还款协商申请",
        "1.个人财务情况说明",
        "我于2026年9月30日失业。",
        "我并非拒绝还款。",
        "2.还款方案",
        "恳请金条为我办理展期",
        "2027年1月15日¥1,050.00",
        "242028年12月15日¥1,050.00",  # the 24th and last installment
        "我会严格按约定还款",
        "以书面形式发给我",
        "受理编号",
        "签名：",
        "日期：____________",
    ):
        assert expected in text, expected
    assert squash(pack.request) in text
    assert "第 1 页，共 3 页" in raw(data)
    assert pages == 3  # the statement; the plan and its 24 payments; the closing


def test_the_english_letter_reads_as_a_letter_to_the_lender() -> None:
    pack = build_pack(make_input("en"))
    text, _pages, _fonts = read(letter_pdf(pack))
    for expected in (
        "To:金条customerservice",
        "Borrower:张小明",
        "Date:Dec1,2026",
        "Requestforarepaymentarrangement",
        "Financialsituationstatement",
        "IlostmyjobonSep30,2026.",
        "Iamnotrefusingtopay.",
        "Proposedrepaymentplan",
        "Dec15,2028CN¥1,050.00",
        "Iwillpayexactlyasagreed",
        "inwriting",
        "referencenumber",
        "Signature:",
    ):
        assert expected in text, expected
    assert squash(pack.request) in text
    assert "Page 1 of 3" in raw(letter_pdf(pack))


def test_the_letter_carries_every_lender_facing_line(language: str) -> None:
    pack = build_pack(make_input(language))
    t = translator(language)
    text, _pages, _fonts = read(letter_pdf(pack))
    for line in (
        pack.letter_title,
        *pack.letterhead,
        pack.section("statement").title,
        pack.section("plan").title,
        pack.request,
        t(texts.NOT_REFUSING, lender=LENDER),
        t(texts.NEEDS_APPROVAL, lender=LENDER),
        t(texts.COMMITMENT),
        t(texts.WRITTEN),
        t(texts.REFERENCE),
        t(texts.SIGNATURE),
    ):
        assert squash(line) in text, line


def test_a_borrower_who_gave_no_name_gets_blanks_to_fill_in(language: str) -> None:
    pack = build_pack(make_input(language, borrower_name=None, account_hint=None))
    text, _pages, _fonts = read(letter_pdf(pack))
    blanks = {
        "zh": ("借款人：____", "账户或合同编号：____", "联系电话：____"),
        "en": ("Borrower:____", "Accountorcontractnumber:____", "Contactphone:____"),
    }
    for blank in blanks[language]:
        assert blank in text, blank
    assert "张小明" not in text


def test_the_letter_says_nothing_to_the_borrower(language: str) -> None:
    pack = build_pack(make_input(language))
    t = translator(language)
    text, _pages, _fonts = read(letter_pdf(pack))
    for message in BORROWER_ONLY:
        assert squash(t(message, lender=LENDER)) not in text, message
    assert squash(t(texts.PREPARED, date=TODAY_TEXT[language])) not in text
    assert squash(t(texts.AGENT, date=TODAY_TEXT[language])) not in text
    assert squash(pack.title) not in text
    for line in pack.intro:
        assert squash(line) not in text
    for section in pack.sections:
        if not section.for_lender:
            assert squash(section.title) not in text
    # Bot commands, the scam warning's words, coaching and the old pack's names, by hand.
    assert not re.search(r"/[a-z]", text)
    for word in {
        "zh": ("代理协商", "反催收", "12378", "话术", "材料包", "指南", "冷静", "开始之前"),
        "en": (
            *("negotiationagent", "12378", "script", "guide"),
            *("Staycalm", "Beforeyoustart", "pack"),
        ),
    }[language]:
        assert word not in text, word


def test_the_guide_holds_the_script_checklist_refusal_steps_help_and_warning(
    language: str,
) -> None:
    pack = build_pack(make_input(language))
    t = translator(language)
    text, _pages, _fonts = read(guide_pdf(pack))
    for message in BORROWER_ONLY:
        assert squash(t(message, lender=LENDER)) in text, message
    assert squash(pack.request) in text  # the script's request
    for item in next(b for b in pack.section("evidence").blocks if isinstance(b, Bullets)).items:
        assert squash(item) in text, item
    for expected in {
        "zh": ("投诉部门或上级主管", "12378", "国家金融监督管理总局", "代理协商", "征信", "/plan"),
        "en": (
            *("complaintsteamoraseniorteam", "12378"),
            *("NationalFinancialRegulatory", "negotiationagent"),
        ),
    }[language]:
        assert expected in text, expected


def test_no_hotline_but_12378_is_printed(language: str) -> None:
    """We cite no source for any lender's own number: only the regulator's 12378 appears."""
    pack = build_pack(make_input(language))
    for data in (letter_pdf(pack), guide_pdf(pack)):
        text = re.sub(r"\d[\d,]*\.\d\d", "", raw(data))  # amounts are not numbers to call
        numbers = {
            digits
            for run in re.findall(r"\d+(?:-\d+)*", text)
            if len(digits := re.sub(r"\D", "", run)) >= 5
        }
        assert numbers <= {"12378"}, numbers
    assert "12378" in raw(guide_pdf(pack))


def test_a_sixty_row_schedule_is_printed_in_full() -> None:
    data = make_input("zh")
    option = replace(
        data.option, months=60, schedule=schedule(date(2027, 1, 15), 60, Decimal("523.45"))
    )
    text, pages, _fonts = read(letter_pdf(build_pack(replace(data, option=option))))
    assert "2027年1月15日¥523.45" in text
    assert "302029年6月15日¥523.45" in text
    assert "602031年12月15日¥523.45" in text
    assert "另有" not in text  # the chat's abbreviation note
    assert pages <= 10


def test_user_text_is_printed_as_typed(language: str) -> None:
    data = make_input(language, lender="<b>金条&</b>", borrower_name="喆堃 O'Brien")
    text, _pages, _fonts = read(letter_pdf(build_pack(data)))
    assert "<b>金条&</b>" in text
    assert "喆堃O'Brien" in text


def test_characters_the_font_lacks_become_a_box() -> None:
    assert printable("金条") == "金条"
    assert printable("王𠀀明👍🏽\u200d") == f"王{MISSING}明{MISSING}{MISSING}"
    data = make_input("zh", borrower_name="王𠀀明 😀")
    text, _pages, _fonts = read(letter_pdf(build_pack(data)))
    assert f"王{MISSING}明{MISSING}" in text


def test_the_font_covers_gb2312_and_common_traditional_and_is_small() -> None:
    assert FONT_FILE.stat().st_size < 5_000_000
    gb2312 = set()
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                gb2312.add(ord(bytes([lead, trail]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    assert len(gb2312) == 6763
    assert gb2312 <= covered()
    assert {ord(c) for c in "協商還款與借貸喆堃玥赟¥￥“”…—–•□"} <= covered()
