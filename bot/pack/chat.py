"""The pack as Telegram messages: HTML, user text escaped, each message within Telegram's limit."""

from __future__ import annotations

from collections.abc import Iterator

from bot.formatting import MAX_MESSAGE, esc, split_message
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
    shown_lines,
)

#: Sections sent together in one message (short checklists travel as a pair).
GROUPS = (
    ("statement",),
    ("plan",),
    ("script",),
    ("evidence", "records"),
    ("refused",),
    ("help",),
)


def chat_messages(pack: Pack) -> list[str]:
    """The pack as HTML messages: a header, then the sections (each message ≤ 4096 characters)."""
    header = "\n".join(
        [f"📄 <b>{esc(pack.title)}</b>", f"<i>{esc(pack.subtitle)}</i>", ""]
        + [esc(line) for line in pack.intro]
    )
    messages = [header]
    keys = {section.key for section in pack.sections}
    grouped = [key for group in GROUPS for key in group]
    groups = [*GROUPS, *((key,) for key in keys if key not in grouped)]
    for group in groups:
        sections = [pack.section(key) for key in group if key in keys]
        if sections:
            text = "\n\n".join(section_html(pack, section) for section in sections)
            messages += split_message(text, MAX_MESSAGE)
    return messages


def section_html(pack: Pack, section: Section) -> str:
    """One section: its title, then its blocks separated by blank lines."""
    parts = [f"<b>{esc(section.title)}</b>"]
    parts += [html for block in section.blocks if (html := block_html(pack, block))]
    return "\n\n".join(parts)


def block_html(pack: Pack, block: Block) -> str:
    """A block as HTML lines (tags never span a line, so messages split safely between lines)."""
    return "\n".join(_lines(pack, block))


def _lines(pack: Pack, block: Block) -> Iterator[str]:
    match block:
        case Paragraph(text=text, key=True):
            yield f"<b>{esc(text)}</b>"
        case Paragraph(text=text):
            yield esc(text)
        case Facts(rows=rows):
            sep = colon(pack.language)
            yield from (f"• {esc(label)}{sep}<b>{esc(value)}</b>" for label, value in rows)
        case Bullets(items=items, title=title):
            if title:
                yield f"<u>{esc(title)}</u>"
            yield from (f"• {esc(item)}" for item in items)
        case Steps(steps=steps, title=title):
            if title:
                yield f"<u>{esc(title)}</u>"
            for number, (label, say) in enumerate(steps, start=1):
                yield f"<b>{number}. {esc(label)}</b>"
                yield f"<blockquote>{esc(say)}</blockquote>"
        case Table(title=title) as table:
            yield f"<u>{esc(title)}</u>"
            head, tail, hidden = shown_lines(table)
            line_html = "<code>{}</code>" if table.mono else "• {}"
            yield from (line_html.format(esc(line)) for line in head)
            if hidden:
                note = translator(pack.language)(texts.ROWS_LEFT_OUT, count=hidden)
                yield f"<i>{esc(note)}</i>"
            yield from (line_html.format(esc(line)) for line in tail)
        case Question(question=question, answer=answer):
            yield f"<b>{esc(question)}</b>"
            yield esc(answer)
        case Caution(text=text):
            yield f"⚠️ <b>{esc(text)}</b>"
