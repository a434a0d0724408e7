"""The pack as plain text, for pasting into the lender's in-app customer-service chat.

By default it is what the borrower sends: a greeting, the situation statement, the proposed plan
with its full schedule, the commitment and the request for written confirmation and a reference
number: the letter's text. ``full=True`` adds the borrower's guide (script, checklist, records,
what to do if they say no, help).
"""

from __future__ import annotations

from collections.abc import Iterator

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
    colon,
)


def plain_text(pack: Pack, *, full: bool = False) -> str:
    """The lender-facing text (or, with ``full``, the whole pack) without any markup."""
    t = translator(pack.language)
    lender_sections = [section for section in pack.sections if section.for_lender]
    if full:
        parts = [pack.title, pack.subtitle, *pack.intro]
        parts += [_section(pack, section) for section in pack.sections]
        return "\n\n".join(parts) + "\n"
    parts = ["\n".join([t(texts.PLAIN_GREETING, lender=pack.lender), *pack.identity])]
    parts += [_section(pack, section) for section in lender_sections]
    parts.append("\n".join(pack.sign_off))
    return "\n\n".join(parts) + "\n"


def _section(pack: Pack, section: Section) -> str:
    blocks = [text for block in section.blocks if (text := block_text(block, pack.language))]
    title = f"【{section.title}】" if pack.language == "zh" else f"== {section.title} =="
    return "\n\n".join([title, *blocks])


def block_text(block: Block, language: str) -> str:
    """A block as plain lines."""
    return "\n".join(_lines(block, colon(language)))


def _lines(block: Block, sep: str) -> Iterator[str]:
    match block:
        case Paragraph(text=text):
            yield text
        case Facts(rows=rows):
            yield from (f"- {label}{sep}{value}" for label, value in rows)
        case Bullets(items=items, title=title):
            if title:
                yield title
            yield from (f"- {item}" for item in items)
        case Steps(steps=steps, title=title):
            if title:
                yield title
            for number, (label, say) in enumerate(steps, start=1):
                yield f"{number}. {label}{sep}{say}"
        case Table(title=title, lines=lines):
            yield title
            yield from lines
        case Question(question=question, answer=answer):
            yield question
            yield answer
        case Caution(text=text):
            yield f"⚠ {text}"
