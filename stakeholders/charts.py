"""Geometry for server-rendered SVG charts (templates draw them with presentation attributes only).

Charts are inline <svg> so they print, work without JavaScript and pass a strict content security
policy. Each chart also has a text alternative (a table or an aria-label) in its template.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from engagements.charts import Chart, score_line_chart
from engagements.models import Goal

from .models import SCORE_MAX, SCORE_MIN
from .selectors import Figure, TrendPoint

TARGET = 1  # a net score above +1 is the usual goal of stakeholder-centred coaching


MINUS = "\u2212"


def _fmt(value: float) -> str:
    text = f"{value:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text.replace("-", MINUS)


def _short(label: str) -> str:
    """The axis shows "Round 3" for "Progress round 3", in the reader's language."""
    progress = gettext("Progress round %(number)s") % {"number": ""}
    return label.replace(progress, gettext("Round %(number)s") % {"number": ""})


def trend_chart(*, goal: Goal, points: list[TrendPoint], chart_id: str) -> Chart:
    """Net score per closed round for one goal on the fixed -3..+3 scale, with the usual +1 target.

    Drawn by the same chart the sponsor summary uses; a round without a group meeting K is a gap.
    """
    return score_line_chart(
        chart_id=chart_id,
        title=gettext("Net score per round for “%(title)s”") % {"title": goal.title},
        description=gettext(
            "From -3 (much less effective) to +3 (much more effective). The dashed line marks the usual "
            "target of +1. The same figures are in the table below the chart."
        ),
        labels=[_short(p.label) for p in points],
        row_labels=[p.label for p in points],
        values=[p.net for p in points],
        low=SCORE_MIN,
        high=SCORE_MAX,
        target=TARGET,
        width=440,
        height=210,
    )


@dataclass
class Bars:
    width: int
    height: int
    bars: list[dict]
    summary: str


def distribution_bars(figure: Figure, *, width: int = 238, height: int = 84) -> Bars:
    """Seven bars, one per score from -3 to +3, scaled to the largest count."""
    slot = width / 7
    base, top = height - 18, 14
    peak = figure.peak or 1
    bars = []
    for i, (score, count) in enumerate(figure.distribution):
        bar_h = round((base - top) * count / peak, 1)
        bars.append(
            {
                "x": round(i * slot + 4, 1),
                "w": round(slot - 8, 1),
                "y": round(base - bar_h, 1),
                "h": bar_h,
                "cx": round(i * slot + slot / 2, 1),
                "score": f"{score:+d}".replace("-", MINUS) if score else "0",
                "count": count,
                "positive": score > 0,
                "negative": score < 0,
            }
        )
    summary = ", ".join(f"{b['score']}: {b['count']}" for b in bars)
    return Bars(
        width=width, height=height, bars=bars, summary=gettext("Answers per score: %(summary)s") % {"summary": summary}
    )
