"""The PDF: a real PDF, Chinese embedded and extractable, long schedules printed in full."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.pack import build_pack, pdf_bytes
from bot.pack.fonts import FONT_FILE
from bot.pack.pdf import MISSING, covered, printable
from tests.pack.conftest import make_input, schedule

pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) reads the PDF back")


def read(data: bytes) -> tuple[str, int, set[str]]:
    """The PDF's text (spaces and line breaks removed), its page count and font names."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    return "".join(text.split()), len(reader.pages), fonts


def squash(text: str) -> str:
    return "".join(text.split())


def test_chinese_pdf_embeds_the_font_and_its_text_can_be_extracted() -> None:
    pack = build_pack(make_input("zh"))
    data = pdf_bytes(pack)
    assert data.startswith(b"%PDF-")
    text, pages, fonts = read(data)
    assert any("NotoSansSCSubset" in font for font in fonts)
    for expected in (
        "金条还款协商材料包",
        "情况说明",
        "张小明",
        "恳请金条为我办理展期",
        "受理编号",
        "12378",
        "代理协商",
        "中国人民银行征信中心",
        "第1页，共",
    ):
        assert expected in text, expected
    assert squash(pack.request) in text
    assert 3 <= pages <= 8


def test_english_pdf() -> None:
    pack = build_pack(make_input("en"))
    text, _pages, _fonts = read(pdf_bytes(pack))
    for expected in (
        "Hardshippackfor金条",
        "Financialsituationstatement",
        "referencenumber",
        "Page1of",
        "12378",
    ):
        assert expected in text, expected
    assert squash(pack.request) in text


def test_a_sixty_row_schedule_is_printed_in_full() -> None:
    data = make_input("zh")
    option = replace(
        data.option, months=60, schedule=schedule(date(2027, 1, 15), 60, Decimal("523.45"))
    )
    text, pages, _fonts = read(pdf_bytes(build_pack(replace(data, option=option))))
    assert "2027年1月15日¥523.45" in text
    assert "302029年6月15日¥523.45" in text
    assert "602031年12月15日¥523.45" in text
    assert "另有" not in text  # the chat's abbreviation note
    assert pages <= 10


def test_user_text_is_printed_as_typed(language: str) -> None:
    data = make_input(language, lender="<b>金条&</b>", borrower_name="喆堃 O'Brien")
    text, _pages, _fonts = read(pdf_bytes(build_pack(data)))
    assert "<b>金条&</b>" in text
    assert "喆堃O'Brien" in text


def test_characters_the_font_lacks_become_a_box() -> None:
    assert printable("金条") == "金条"
    assert printable("王𠀀明👍🏽\u200d") == f"王{MISSING}明{MISSING}{MISSING}"
    data = make_input("zh", borrower_name="王𠀀明 😀")
    text, _pages, _fonts = read(pdf_bytes(build_pack(data)))
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
