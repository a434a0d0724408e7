"""Terms of the one-line ``/adddebt`` form that a marker announces: the lender (issue 10).

``机构:京东金融`` or ``lender: JD Finance`` names the company repaid, apart from the debt's
nickname. The marker ends in a colon (half- or full-width), so a debt called "lender" or 机构
is still a name; the lender runs from the marker to the end of the line.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.errors import InvalidTerms
from tracker.parsing.text import normalise_text

#: Words that, followed by a colon, announce the lender; compared casefolded.
LENDER_MARKERS = ("机构", "贷款机构", "借款机构", "放款机构", "lender")


def take_lender(words: Sequence[str]) -> tuple[list[str], str | None]:
    """Split a one-line form's words into the rest and the lender after its marker.

    ``["金条", "20000", "机构:京东金融"]`` → ``(["金条", "20000"], "京东金融")``. The first
    word is always (part of) the name, never a marker. A marker with nothing after it raises
    ``lender_empty``.
    """
    for at in range(1, len(words)):
        word = normalise_text(words[at])
        head, colon, attached = word.partition(":")
        if not colon or head.casefold() not in LENDER_MARKERS:
            continue
        lender = " ".join([attached, *words[at + 1 :]] if attached else words[at + 1 :]).strip()
        if not lender:
            raise InvalidTerms("no lender after the marker", code="lender_empty", part="lender")
        return list(words[:at]), lender
    return list(words), None
