"""Catalog checks and upkeep: which strings the code uses, and which lack a Chinese translation.

``python -m bot.catalogs`` prints a ``.po`` fragment of the missing strings, ready to translate.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.i18n import load_catalog

BOT_DIR = Path(__file__).parent
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "plural": (1, 2)}
METHODS = [("localapi/**.py", "ignore"), ("**.py", "python")]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_TAG = re.compile(r"</?(\w+)")


@dataclass(frozen=True, slots=True)
class Used:
    """A message id found in the code, and where."""

    message: str
    where: str


def used_messages(*directories: Path) -> Iterator[Used]:
    """Every message id passed to ``_``, ``N_`` or ``plural`` in the bot's code (the jobs have no
    words: the bot renders what they send)."""
    for directory in directories or (BOT_DIR,):
        if not directory.is_dir():
            continue
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(directory), method_map=METHODS, keywords=KEYWORDS
        ):
            # A plural message is catalogued under its singular form.
            text = message[0] if isinstance(message, tuple) else message
            if text:
                yield Used(text, f"{directory.name}/{filename}:{lineno}")


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a message fills in."""
    return set(_PLACEHOLDER.findall(text))


def tags(text: str) -> list[str]:
    """The HTML tags of a message, in order (a translation must keep them)."""
    return sorted(_TAG.findall(text))


def main() -> int:
    """Print the missing Chinese translations as a .po fragment."""
    catalog = load_catalog("zh")
    seen: set[str] = set()
    for used in used_messages():
        if used.message in seen or catalog.get(used.message) is not None:
            continue
        seen.add(used.message)
        escaped = used.message.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        print(f'#: {used.where}\nmsgid "{escaped}"\nmsgstr ""\n')
    return 0


if __name__ == "__main__":
    sys.exit(main())
