"""The 8-week chart: weekly score as a line over kept/late/missed bars, as a PNG.

Drawn on a bare ``Figure`` with the Agg canvas — no pyplot — so nothing global is
touched and charts for several users can render in worker threads at once. Sized
1000×600 px with large type, because it is read on a phone.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.report_text import MONTHS
from core.score import WeekSummary

WIDTH_PX, HEIGHT_PX, DPI = 1000, 600, 100

KEPT_COLOUR = "#43a047"
LATE_COLOUR = "#ffb300"
MISSED_COLOUR = "#e53935"
LINE_COLOUR = "#1a3a6b"
GRID_COLOUR = "#d9dde3"
MUTED = "#7a8290"


def _week_label(week: WeekSummary, is_current: bool) -> str:
    start = week.start  # already local: the user's Monday
    label = f"{start.day} {MONTHS[start.month - 1]}"
    return f"{label}\nthis week" if is_current else label


def render_chart(weeks: Sequence[WeekSummary], tz_name: str) -> bytes:
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    score_axis = figure.add_axes((0.09, 0.2, 0.82, 0.68))
    count_axis = score_axis.twinx()
    # The score line is what matters: draw it above the bars of the twin axis.
    score_axis.set_zorder(count_axis.get_zorder() + 1)
    score_axis.patch.set_visible(False)

    figure.suptitle(
        f"Keep-your-word score — last {len(weeks)} weeks ({tz_name})",
        fontsize=20,
        fontweight="bold",
        y=0.96,
    )
    positions = list(range(len(weeks)))
    kept = [w.tally.kept for w in weeks]
    late = [w.tally.late for w in weeks]
    missed = [w.tally.missed for w in weeks]
    # An empty week is a gap in the line (NaN), never a score of zero.
    scores = [math.nan if w.tally.percent is None else w.tally.percent for w in weeks]

    width = 0.62
    count_axis.bar(positions, kept, width, color=KEPT_COLOUR, alpha=0.55)
    count_axis.bar(positions, late, width, bottom=kept, color=LATE_COLOUR, alpha=0.6)
    count_axis.bar(
        positions,
        missed,
        width,
        bottom=[k + la for k, la in zip(kept, late, strict=True)],
        color=MISSED_COLOUR,
        alpha=0.55,
    )
    most = max((w.tally.scored for w in weeks), default=0)
    count_axis.set_ylim(0, max(4, most) * 1.7)
    count_axis.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    count_axis.set_ylabel("promises per week", fontsize=14, color=MUTED)

    score_axis.plot(
        positions,
        scores,
        color=LINE_COLOUR,
        linewidth=3.5,
        marker="o",
        markersize=10,
        markerfacecolor="white",
        markeredgewidth=3,
    )
    for x, score, week in zip(positions, scores, weeks, strict=True):
        if math.isnan(score):
            score_axis.text(
                x, 4, "no\npromises", ha="center", va="bottom", fontsize=12, color=MUTED
            )
            continue
        rounded = week.tally.rounded
        score_axis.annotate(
            f"{rounded}%",
            (x, score),
            xytext=(0, 14),
            textcoords="offset points",
            ha="center",
            fontsize=15,
            fontweight="bold",
            color=LINE_COLOUR,
        )
    score_axis.set_ylim(0, 115)
    score_axis.set_yticks([0, 25, 50, 75, 100])
    score_axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0f}%"))
    score_axis.set_ylabel("score", fontsize=14, color=LINE_COLOUR)
    score_axis.grid(axis="y", color=GRID_COLOUR, linewidth=1)
    score_axis.set_xlim(-0.6, max(len(weeks), 1) - 0.4)
    score_axis.set_xticks(
        positions, [_week_label(w, i == len(weeks) - 1) for i, w in enumerate(weeks)]
    )
    for axis in (score_axis, count_axis):
        axis.tick_params(labelsize=14, length=0)
        for side in ("top", "left", "right"):
            axis.spines[side].set_visible(False)
        axis.spines["bottom"].set_color(GRID_COLOUR)
    if not weeks:
        score_axis.text(
            0.5, 0.5, "No weeks to show yet", transform=score_axis.transAxes,
            ha="center", va="center", fontsize=18, color=MUTED,
        )  # fmt: skip

    figure.legend(
        handles=[
            score_axis.lines[0],
            Patch(color=KEPT_COLOUR, alpha=0.55),
            Patch(color=LATE_COLOUR, alpha=0.6),
            Patch(color=MISSED_COLOUR, alpha=0.55),
        ],
        labels=["score (kept + ½ late)", "kept", "late", "broken / unanswered"],
        loc="lower center",
        ncol=4,
        fontsize=14,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
