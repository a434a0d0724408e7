"""The /progress chart: balance over time per debt and in total, drawn as a PNG.

matplotlib is imported inside ``progress_png`` only: it is large, and most processes (the jobs,
most turns) never draw. The figure is built with the object API (no pyplot), so nothing is
shared between two drawings and one can run in a worker thread.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.pack.fonts import FONT_FILE
from tracker.progress import DebtProgress, Point

WIDTH_PX = 1080
DPI = 100
#: Panel heights in inches (at DPI 100, so 1080 px wide is 10.8 in): the total is larger.
TOTAL_HEIGHT, DEBT_HEIGHT = 5.0, 3.4
#: More debts than this are drawn only inside the total (a phone screen is not a wall).
MAX_DEBT_PANELS = 5
FONT_SIZE = 17

PLANNED_COLOUR, ACTUAL_COLOUR, CHANGE_COLOUR, PAYOFF_COLOUR = (
    "#9aa5b1",
    "#1f6feb",
    "#d97706",
    "#16a34a",
)


@dataclass(frozen=True, slots=True)
class ChartWords:
    """The chart's words, already in the user's language."""

    total: str
    planned: str
    paid: str
    change: str


_font_ready = False
#: Held while a chart is drawn (see ``progress_png``).
_DRAWING = threading.Lock()


#: Fixed margins in inches (tight_layout measured every label first: 40 % of a chart's time).
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 1.45, 0.3, 0.55, 0.7
#: Space between panels, in inches: the lower panel's title and the upper one's dates.
PANEL_GAP = 1.0


def _margins(figure: Any, heights: Sequence[float]) -> None:
    """Place the panels with fixed margins whatever the figure's height."""
    width, height = WIDTH_PX / DPI, sum(heights)
    panels = len(heights)
    plotted = height - MARGIN_TOP - MARGIN_BOTTOM - PANEL_GAP * (panels - 1)
    figure.subplots_adjust(
        left=MARGIN_LEFT / width,
        right=1 - MARGIN_RIGHT / width,
        top=1 - MARGIN_TOP / height,
        bottom=MARGIN_BOTTOM / height,
        hspace=PANEL_GAP / (plotted / panels) if panels > 1 else 0.0,
    )


def _font_name() -> str:
    """Register the bundled CJK font once, so Chinese labels render."""
    global _font_ready
    from matplotlib import font_manager

    if not _font_ready:
        font_manager.fontManager.addfont(str(FONT_FILE))
        _font_ready = True
    return font_manager.FontProperties(fname=str(FONT_FILE)).get_name()


def _x(value: date | Sequence[date]) -> Any:
    """Dates as x values: matplotlib's date converter draws them; its stubs want numbers."""
    return value


def _steps(points: Sequence[Point]) -> tuple[list[date], list[float]]:
    # Floats only for drawing: every figure shown as text comes from the Decimal amounts.
    return [p.on for p in points], [float(p.balance) for p in points]


def progress_png(
    total: DebtProgress,
    debts: Sequence[DebtProgress],
    words: ChartWords,
    payoff_label: dict[date, str],
    today: date,
) -> bytes:
    """The chart: the total on top, then one panel per debt (``payoff_label`` maps a payoff
    date to its text in the user's language)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.figure import Figure

    panels = [(words.total, total), *[(d.name, d) for d in debts[:MAX_DEBT_PANELS]]]
    if len(debts) == 1:
        panels = [(debts[0].name, debts[0])]  # one debt: its panel is the total
    heights = [TOTAL_HEIGHT] + [DEBT_HEIGHT] * (len(panels) - 1)
    # rcParams are global: two charts drawn at once in worker threads would each restore the
    # other's settings mid-drawing (Chinese labels fell back to a font without them). One at a time.
    with (
        _DRAWING,
        matplotlib.rc_context(
            {
                "font.family": _font_name(),
                "font.size": FONT_SIZE,
                "axes.titlesize": FONT_SIZE + 3,
                "axes.unicode_minus": False,
            }
        ),
    ):
        figure = Figure(figsize=(WIDTH_PX / DPI, sum(heights)), dpi=DPI)
        axes_list = figure.subplots(
            len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights}
        )[:, 0]
        for axes, (title, series) in zip(axes_list, panels, strict=True):
            _panel(axes, title, series, words, payoff_label, today)
            # matplotlib.dates is not annotated: its constructors are untyped calls.
            axes.xaxis.set_major_locator(AutoDateLocator(maxticks=6))  # type: ignore[no-untyped-call]
            axes.xaxis.set_major_formatter(DateFormatter("%Y-%m"))  # type: ignore[no-untyped-call]
        axes_list[0].legend(loc="upper right", fontsize=FONT_SIZE - 2, framealpha=0.9)
        _margins(figure, heights)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _panel(
    axes: object,
    title: str,
    series: DebtProgress,
    words: ChartWords,
    payoff_label: dict[date, str],
    today: date,
) -> None:
    """One panel: the planned step line, the payments as points, changes and the payoff."""
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    axes.set_title(title, loc="left")
    days, values = _steps(series.planned)
    if series.payoff is not None and days and series.payoff > days[-1]:
        days, values = [*days, series.payoff], [*values, values[-1]]
    axes.step(
        _x(days), values, where="post", color=PLANNED_COLOUR, linewidth=3, label=words.planned
    )
    paid_days, paid_values = _steps([p for p in series.actual if p.on <= today])
    axes.plot(
        _x(paid_days),
        paid_values,
        linestyle="none",
        marker="o",
        markersize=9,
        color=ACTUAL_COLOUR,
        label=words.paid,
    )
    for index, day in enumerate(series.changes):
        axes.axvline(
            _x(day),
            color=CHANGE_COLOUR,
            linestyle="--",
            linewidth=2,
            label=words.change if index == 0 else None,
        )
    if series.payoff is not None:
        axes.axvline(_x(series.payoff), color=PAYOFF_COLOUR, linewidth=2)
        axes.annotate(
            payoff_label.get(series.payoff, ""),
            xy=(_x(series.payoff), 0),
            xytext=(-8, 8),
            textcoords="offset points",
            ha="right",
            color=PAYOFF_COLOUR,
            fontsize=FONT_SIZE - 1,
        )
    start = days[0] if days else today
    end = max(series.payoff or today, today) + timedelta(days=10)
    axes.set_xlim(_x(start - timedelta(days=10)), _x(end))
    axes.set_ylim(bottom=0)
    axes.grid(True, alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
