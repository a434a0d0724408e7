"""Rebuild ``NotoSansSC-Subset.ttf``, the font the PDF pack embeds (a maintainer's tool).

Source: Noto Sans SC Regular 2.004 (``NotoSansSC-Regular.otf`` of the Noto CJK project, SIL OFL
1.1; Debian's ``fonts-noto-cjk`` and several PyPI font packages carry the same file). Steps:

1. keep the characters of GB2312, Big5 level 1 (common traditional), every character of
   CC-CEDICT (simplified and traditional, via the ``zhon`` package: it brings the common name
   characters outside GB2312 such as 喆, 堃, 玥, 赟), Latin, Greek, Cyrillic, general and CJK
   punctuation, full-width forms and a few symbols;
2. drop layout, vertical and hinting tables (fpdf2 lays text out itself);
3. convert the CFF (cubic) outlines to TrueType (quadratic) ``glyf`` outlines, which every fpdf2
   version embeds correctly (CID-keyed CFF needs a recent fpdf2);
4. rename it "Noto Sans SC Subset" as a modified version under the OFL.

Usage: ``pip install zhon && python -m bot.pack.fonts.build NotoSansSC-Regular.otf``
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
from fontTools.subset import Options, Subsetter  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont, newTable  # type: ignore[import-untyped]

OUTPUT = Path(__file__).with_name("NotoSansSC-Subset.ttf")
FAMILY = "Noto Sans SC Subset"
#: Outline conversion tolerance in font units (1000 per em): invisible at document sizes.
MAX_ERROR = 1.0

_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A/B
    (0x0370, 0x045F),  # Greek, Cyrillic
    (0x2000, 0x206F),  # general punctuation
    (0x20A0, 0x20C0),  # currency symbols
    (0x2100, 0x21FF),  # letterlike symbols, arrows
    (0x2460, 0x24FF),  # enclosed numbers ①
    (0x25A0, 0x25FF),  # geometric shapes □ ●
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # full-width forms
)


def _codec(encoding: str, leads: range, trails: list[int]) -> set[int]:
    found: set[int] = set()
    for lead in leads:
        for trail in trails:
            try:
                text = bytes([lead, trail]).decode(encoding)
            except UnicodeDecodeError:
                continue
            found.update(ord(char) for char in text)
    return found


def characters() -> set[int]:
    """The code points the subset keeps."""
    from zhon import cedict  # type: ignore[import-not-found]  # maintainers only

    wanted = {code for low, high in _RANGES for code in range(low, high + 1)}
    wanted |= _codec("gb2312", range(0xA1, 0xF8), list(range(0xA1, 0xFF)))
    big5_trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    wanted |= {c for c in _codec("big5", range(0xA4, 0xC7), big5_trails) if c >= 0x2E80}
    wanted |= {ord(char) for char in cedict.all}
    return wanted


def _to_truetype(font: TTFont) -> None:
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"


def _rename(font: TTFont) -> None:
    names = font["name"]
    version = names.getDebugName(5) or ""
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 18):
            names.removeNames(nameID=record.nameID)
    names.setName(FAMILY, 1, 3, 1, 0x409)
    names.setName("Regular", 2, 3, 1, 0x409)
    names.setName(f"{FAMILY} Regular; repaybot", 3, 3, 1, 0x409)
    names.setName(FAMILY, 4, 3, 1, 0x409)
    names.setName(f"{version}; subset for repaybot", 5, 3, 1, 0x409)
    names.setName("NotoSansSC-Subset", 6, 3, 1, 0x409)


def build(source: Path, output: Path = OUTPUT) -> Path:
    """Subset, convert and rename ``source`` into ``output``."""
    font = TTFont(source)
    options = Options()
    options.layout_features = []
    options.drop_tables += ["BASE", "VORG", "vhea", "vmtx", "DSIG", "GSUB", "GPOS", "GDEF"]
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    _to_truetype(font)
    _rename(font)
    font.save(output)
    return output


if __name__ == "__main__":
    built = build(Path(sys.argv[1]))
    print(f"{built}: {built.stat().st_size / 1e6:.2f} MB")
