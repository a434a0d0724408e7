"""The pack as two PDFs (A4) with an embedded CJK font, so Chinese prints and copies correctly.

``letter_pdf`` is the letter the borrower signs and sends to the lender: letterhead, situation
statement, the request and its full schedule, the commitment, the request for written
confirmation and a reference number, and the signature line. Nothing in it talks to the borrower.
``guide_pdf`` is the borrower's own guide: script, checklist, records, what to do if the lender
says no, free help and the scam warning.
"""

from __future__ import annotations

import logging
from functools import cache

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import TableBordersLayout, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from bot.i18n import translator
from bot.pack import texts
from bot.pack.content import (
    Block,
    Bullets,
    Caution,
    Facts,
    Pack,
    Paragraph,
    Question,
    Section,
    Steps,
    Table,
)
from bot.pack.fonts import FONT_FILE

logger = logging.getLogger(__name__)

FONT = "NotoSansSC"
#: Printed in place of a character the embedded font lacks (rare ideographs, emoji).
MISSING = "□"
_ALWAYS = frozenset("\n\t ")
_DROPPED = frozenset("\u200d\ufe0e\ufe0f")  # joiners and variation selectors of emoji

INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (23, 74, 124)
SHADE = (238, 243, 248)
CAUTION_INK = (150, 30, 30)
CAUTION_SHADE = (253, 236, 236)
RULE = (200, 206, 212)

BODY = 10.5
LINE = 5.6


@cache
def covered() -> frozenset[int]:
    """The code points the embedded font can draw."""
    with TTFont(FONT_FILE, lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    """``text`` with characters the font lacks replaced by □ (fpdf2 would drop them silently)."""
    if all(ord(char) in covered() or char in _ALWAYS for char in text):
        return text
    out = []
    for char in text:
        if char in _DROPPED:
            continue
        if ord(char) in covered() or char in _ALWAYS:
            out.append(char)
        else:
            logger.info("pack PDF: no glyph for U+%04X", ord(char))
            out.append(MISSING)
    return "".join(out)


class _Document(FPDF):
    """An A4 page with the pack's footer."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        text = self.footer_text.format(page=self.page_no(), pages=self.str_alias_nb_pages)
        self.cell(0, 5, printable(text), align="C")


def _document(pack: Pack, title: str, footer: str) -> tuple[_Document, _Writer]:
    """An empty document in the pack's language, with its first page added."""
    t = translator(pack.language)
    doc = _Document(t(footer, page="{page}", pages="{pages}"))
    doc.set_margins(18, 16, 18)
    doc.set_auto_page_break(auto=True, margin=18)
    doc.add_font(FONT, "", str(FONT_FILE))
    doc.set_title(printable(title))
    doc.set_author("repaybot")
    doc.set_creator("repaybot")
    doc.set_lang("zh-CN" if pack.language == "zh" else "en")
    doc.add_page()
    return doc, _Writer(doc, WrapMode.CHAR if pack.language == "zh" else WrapMode.WORD)


def letter_pdf(pack: Pack) -> bytes:
    """The letter to the lender, to sign and send: only what is addressed to the lender."""
    doc, writer = _document(pack, pack.letter_title, texts.PAGE)
    for line in pack.letterhead:
        writer.text(line)
        writer.gap(0.8)
    writer.gap(5)
    writer.text(pack.letter_title, size=16, color=ACCENT, heavy=True)
    writer.gap(5)
    for section in pack.sections:
        if section.for_lender:
            # The plan's request stays with its figures: the lender reads them together.
            writer.section(section, keep=90)
    # The closing and the signature stay together, never a signature alone on a new page.
    if doc.will_page_break(12 * len(pack.sign_off) + 20):
        doc.add_page()
    for line in pack.sign_off:
        writer.text(line)
        writer.gap(2)
    writer.gap(12)
    writer.text(pack.signature)
    return bytes(doc.output())


def guide_pdf(pack: Pack) -> bytes:
    """The borrower's guide: what to say, what to gather, what to do if the lender says no."""
    doc, writer = _document(pack, pack.title, texts.GUIDE_FOOTER)
    writer.title(pack)
    for section in pack.sections:
        if not section.for_lender:
            writer.section(section)
    return bytes(doc.output())


class _Writer:
    """Lays blocks out on the document."""

    def __init__(self, doc: _Document, wrap: WrapMode) -> None:
        self.doc = doc
        self.wrap = wrap

    def text(
        self,
        text: str,
        *,
        size: float = BODY,
        color: tuple[int, int, int] = INK,
        width: float = 0,
        fill: tuple[int, int, int] | None = None,
        heavy: bool = False,
        padding: int = 0,
    ) -> None:
        doc = self.doc
        doc.set_font(FONT, size=size)
        doc.set_text_color(*color)
        if fill:
            doc.set_fill_color(*fill)
        with doc.local_context(
            text_mode="FILL_STROKE" if heavy else "FILL", line_width=0.12, draw_color=color
        ):
            doc.multi_cell(
                width,
                size * 0.53,
                printable(text),
                fill=fill is not None,
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
                wrapmode=self.wrap,
                padding=padding,
            )

    def gap(self, height: float = 2.5) -> None:
        self.doc.ln(height)

    def title(self, pack: Pack) -> None:
        self.text(pack.title, size=18, color=ACCENT, heavy=True)
        self.gap(1)
        self.text(pack.subtitle, size=9.5, color=MUTED)
        self.gap(3)
        for line in pack.intro:
            self.text(line, size=9.5, color=MUTED)
            self.gap(1)
        self.gap(3)

    def section(self, section: Section, keep: float = 30) -> None:
        """A section, on a new page unless ``keep`` mm (its title and first blocks) still fit."""
        doc = self.doc
        if doc.will_page_break(keep):
            doc.add_page()
        self.text(section.title, size=14, color=ACCENT, heavy=True)
        doc.set_draw_color(*RULE)
        doc.set_line_width(0.3)
        doc.line(doc.l_margin, doc.get_y() + 1, doc.w - doc.r_margin, doc.get_y() + 1)
        self.gap(4)
        for block in section.blocks:
            self.block(block)
            self.gap(3)
        self.gap(3)

    def block(self, block: Block) -> None:
        match block:
            case Paragraph(text=text, key=True):
                self.text(text, fill=SHADE, padding=2, heavy=True)
            case Paragraph(text=text):
                self.text(text)
            case Facts(rows=rows):
                self.facts(rows)
            case Bullets(items=items, title=title):
                if title:
                    self.text(title, size=11.5, color=ACCENT, heavy=True)
                    self.gap(1)
                for item in items:
                    self.bullet("•", item)
            case Steps(steps=steps, title=title):
                if title:
                    self.text(title, size=11.5, color=ACCENT, heavy=True)
                    self.gap(1)
                for number, (label, say) in enumerate(steps, start=1):
                    self.text(f"{number}. {label}", color=ACCENT, heavy=True)
                    self.gap(0.8)
                    self.text(say, fill=SHADE, padding=2)
                    self.gap(2)
            case Table() as table:
                self.table(table)
            case Question(question=question, answer=answer):
                self.text(question, size=11.5, color=ACCENT, heavy=True)
                self.gap(1)
                self.text(answer)
            case Caution(text=text):
                self.text(text, color=CAUTION_INK, fill=CAUTION_SHADE, padding=3, heavy=True)

    def bullet(self, mark: str, text: str) -> None:
        doc = self.doc
        doc.set_font(FONT, size=BODY)
        doc.set_text_color(*INK)
        doc.cell(5, BODY * 0.53, mark)
        doc.multi_cell(
            doc.epw - 5,
            BODY * 0.53,
            printable(text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            wrapmode=self.wrap,
        )
        self.gap(1)

    def facts(self, rows: tuple[tuple[str, str], ...]) -> None:
        doc = self.doc
        if doc.will_page_break(len(rows) * (LINE + 2.4)):
            doc.add_page()
        doc.set_fill_color(255, 255, 255)
        doc.set_font(FONT, size=BODY)
        doc.set_text_color(*INK)
        doc.set_draw_color(*RULE)
        doc.set_line_width(0.2)
        with doc.table(
            col_widths=(62, 38),
            first_row_as_headings=False,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=LINE,
            padding=(1.2, 1.5),
            text_align=("LEFT", "RIGHT"),
            cell_fill_mode="NONE",
            wrapmode=self.wrap,
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(printable(label))
                row.cell(printable(value))

    def table(self, block: Table) -> None:
        doc = self.doc
        if doc.will_page_break(25):
            doc.add_page()
        self.text(block.title, size=11.5, color=ACCENT, heavy=True)
        self.gap(1.5)
        doc.set_font(FONT, size=9.5)
        doc.set_text_color(*INK)
        doc.set_draw_color(*RULE)
        doc.set_line_width(0.2)
        doc.set_fill_color(255, 255, 255)
        headings = FontFace(color=ACCENT, fill_color=SHADE)
        align = ("LEFT", *("RIGHT" for _ in block.columns[1:]))
        if block.mono:
            align = ("LEFT", "LEFT", *("RIGHT" for _ in block.columns[2:]))
        with doc.table(
            col_widths=block.widths or None,
            width=min(doc.epw, 30.0 * len(block.columns)) if block.mono else doc.epw,
            align="LEFT",
            cell_fill_mode="NONE",
            headings_style=headings,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=4.8,
            padding=(0.7, 1.5),
            text_align=align,
            wrapmode=self.wrap,
        ) as table:
            for row in (block.columns, *block.rows, *([block.total] if block.total else [])):
                cells = table.row()
                for value in row:
                    cells.cell(printable(value))
