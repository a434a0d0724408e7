"""Start-up loads no machinery a feature needs only when used (issue 16: memory on a small VPS)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(statement: str, heavy: tuple[str, ...]) -> list[str]:
    """The ``heavy`` top-level packages loaded by ``statement`` in a new interpreter."""
    script = f"import sys\n{statement}\nprint(' '.join(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return done.stdout.split()


def test_importing_the_bot_loads_no_pdf_font_image_or_chart_library() -> None:
    heavy = ("matplotlib", "fpdf", "fontTools", "PIL", "numpy")
    assert _modules_after("import bot.app", heavy) == []


def test_making_a_pack_still_finds_the_pdf_builders() -> None:
    assert _modules_after("from bot.pack import letter_pdf, guide_pdf", ("fpdf",)) == ["fpdf"]
