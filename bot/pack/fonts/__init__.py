"""The font the PDF pack embeds: a subset of Noto Sans SC (SIL OFL 1.1, see ``OFL.txt``)."""

from __future__ import annotations

from pathlib import Path

#: Noto Sans SC Regular, subset to GB2312 + Big5 level 1 + CC-CEDICT characters, TrueType outlines.
FONT_FILE = Path(__file__).with_name("NotoSansSC-Subset.ttf")
