"""Small server-rendered SVG charts shared by every page and the PDF: summary, home pages, feedback trends.

Each chart is plain SVG with presentation attributes only (no style attributes, no script), so it
passes a strict content security policy, prints, and renders in WeasyPrint. Every chart carries a
<title> and <desc> and comes with the rows of an accessible table to show beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext_lazy

INK = "#1d2733"
MUTED = "#55606e"
GRID = "#dde3e9"
TRACK = "#e4e9ee"
BRAND = "#1f5f8b"
ACCENT = "#2e7d5b"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


@dataclass(frozen=True)
class Chart:
    """An SVG string plus the same data as table rows, for screen readers and the printed report."""

    svg: SafeString
    title: str
    description: str
    headers: tuple[str, str]
    rows: tuple[tuple[str, str], ...]

    @property
    def svg_for_print(self) -> SafeString:
        """The SVG for the PDF: its <title> carries the description too, because a tagged PDF takes a
        figure's alternative text from the title alone."""
        old = f">{escape(self.title)}</title>"
        new = f">{escape(self.title)}. {escape(self.description)}</title>"
        return mark_safe(str(self.svg).replace(old, new, 1))  # noqa: S308 - both texts are escaped

    @property
    def table_toggle(self) -> str:
        """ "Show practice logged per week as a table": English lowercases the title inside the
        sentence; German keeps its capitalised nouns."""
        title = self.title.lower() if (get_language() or "en").startswith("en") else self.title
        return gettext("Show %(title)s as a table") % {"title": title}


def _num(value: float | int) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _el(tag: str, text: str | None = None, **attrs: float | int | str) -> str:
    """One SVG element; `stroke_width=1` becomes `stroke-width="1"`. Values and text are escaped."""
    rendered = " ".join(f'{name.replace("_", "-")}="{escape(_num(value))}"' for name, value in attrs.items())
    if text is None:
        return f"<{tag} {rendered}/>"
    return f"<{tag} {rendered}>{escape(text)}</{tag}>"


def _svg(chart_id: str, width: int, height: int, title: str, description: str, body: list[str]) -> SafeString:
    cid = escape(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-labelledby="{cid}-title {cid}-desc" class="chart-svg" font-family="{FONT}">'
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(description)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text and attribute is escaped


def _fmt(value: float) -> str:
    """A signed score: +1.4, -0.5, 0."""
    if value == 0:
        return "0"
    return f"{value:+.1f}" if isinstance(value, float) and not value.is_integer() else f"{value:+g}"


def _nice_ceiling(value: float) -> int:
    """A round axis maximum at or above `value` (1, 2, 5, 10, 20, ...)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def _label_step(count: int, most: int = 8) -> int:
    """Label every bar or point when there are few; every n-th when there are many."""
    return 1 if count <= most else math.ceil(count / most)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[int],
    value_header: str = gettext_lazy("Count"),
    label_header: str = gettext_lazy("Week"),
    width: int = 400,
    height: int = 170,
) -> Chart:
    """Vertical bars, one per label, with the value above each bar and a light horizontal grid.

    Sized to stay legible when a phone shrinks it to its width, and when a desktop widens it.
    """
    left, right, top, bottom = 30, 8, 18, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    top_value = _nice_ceiling(max(values, default=0))
    step = 1 if top_value <= 5 else top_value // 2
    body: list[str] = []
    for tick in range(0, top_value + 1, step):
        y = base - plot_h * tick / top_value
        body.append(_el("line", x1=left, y1=y, x2=width - right, y2=y, stroke=GRID, stroke_width=1))
        body.append(_el("text", str(tick), x=left - 6, y=y + 4, text_anchor="end", font_size=12, fill=MUTED))
    count = max(len(values), 1)
    slot = plot_w / count
    bar_w = max(4.0, slot * 0.62)
    every = _label_step(count)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * i + (slot - bar_w) / 2
        middle = x + bar_w / 2
        bar_h = plot_h * value / top_value
        if value:
            body.append(_el("rect", x=x, y=base - bar_h, width=bar_w, height=bar_h, rx=2, fill=BRAND))
            body.append(
                _el("text", str(value), x=middle, y=base - bar_h - 4, text_anchor="middle", font_size=12, fill=INK)
            )
        if i % every == 0:
            body.append(
                _el("text", str(label), x=middle, y=height - 10, text_anchor="middle", font_size=11, fill=MUTED)
            )
    body.append(_el("line", x1=left, y1=base, x2=width - right, y2=base, stroke=MUTED, stroke_width=1))
    rows = tuple((str(label), str(value)) for label, value in zip(labels, values, strict=True))
    svg = _svg(chart_id, width, height, title, description, body)
    return Chart(svg, title, description, (str(label_header), str(value_header)), rows)


def score_line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    low: int = -3,
    high: int = 3,
    target: float | None = 1.0,
    label_header: str = pgettext_lazy("feedback round", "Round"),
    value_header: str = gettext_lazy("Net score"),
    row_labels: Sequence[str] | None = None,
    width: int = 400,
    height: int = 200,
) -> Chart:
    """A line of scores on a fixed scale (-3 to +3 by default) with the zero line and a dashed target.

    A missing value (None) breaks the line: a round below the anonymity threshold is left out, not guessed.
    `labels` go under the axis; `row_labels` (default: the same) name the rows of the table version.
    """
    left, right, top, bottom = 30, 62, 22, 30
    inset = 18  # keeps the first and last points and their values clear of the axis labels
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(score: float) -> float:
        return top + plot_h * (high - min(max(score, low), high)) / (high - low)

    body: list[str] = []
    for tick in range(low, high + 1):
        y = y_of(tick)
        colour, stroke = (MUTED, 1.2) if tick == 0 else (GRID, 1)
        body.append(_el("line", x1=left, y1=y, x2=width - right, y2=y, stroke=colour, stroke_width=stroke))
        body.append(_el("text", _fmt(tick), x=left - 6, y=y + 4, text_anchor="end", font_size=12, fill=MUTED))
    if target is not None:
        y = y_of(target)
        body.append(
            _el("line", x1=left, y1=y, x2=width - right, y2=y, stroke=ACCENT, stroke_width=1.2, stroke_dasharray="5 4")
        )
        body.append(
            _el(
                "text",
                gettext("target %(score)s") % {"score": _fmt(target)},
                x=width - right + 6,
                y=y + 4,
                font_size=12,
                fill=ACCENT,
            )
        )
    count = len(values)
    step = (plot_w - 2 * inset) / (count - 1) if count > 1 else 0
    points = [(left + inset + step * i if count > 1 else left + plot_w / 2, v) for i, v in enumerate(values)]
    segment: list[str] = []
    for x, v in [*points, (0.0, None)]:
        if v is not None:
            segment.append(f"{x:.1f},{y_of(v):.1f}")
            continue
        if len(segment) > 1:
            body.append(
                _el(
                    "polyline",
                    points=" ".join(segment),
                    fill="none",
                    stroke=BRAND,
                    stroke_width=2.2,
                    stroke_linejoin="round",
                )
            )
        segment = []
    every = _label_step(count)
    for i, ((x, v), label) in enumerate(zip(points, labels, strict=True)):
        if v is not None:
            y = y_of(v)
            body.append(_el("circle", cx=x, cy=y, r=4, fill=BRAND, stroke="#ffffff", stroke_width=1.5))
            body.append(
                _el("text", _fmt(v), x=x, y=y - 9, text_anchor="middle", font_size=13, font_weight="bold", fill=INK)
            )
        if i % every == 0:
            body.append(_el("text", str(label), x=x, y=height - 10, text_anchor="middle", font_size=11, fill=MUTED))
    rows = tuple(
        (str(label), gettext("left out (too few answers)") if v is None else _fmt(v))
        for label, v in zip(row_labels or labels, values, strict=True)
    )
    svg = _svg(chart_id, width, height, title, description, body)
    return Chart(svg, title, description, (str(label_header), str(value_header)), rows)


def progress_bar(*, chart_id: str, held: int, planned: int, width: int = 420, height: int = 14) -> SafeString:
    """A horizontal bar of sessions held versus planned, for the printed report (HTML <progress> does not print)."""
    share = min(1.0, held / planned) if planned else 0.0
    body = [_el("rect", x=0, y=0, width=width, height=height, rx=height / 2, fill=TRACK)]
    if share:
        body.append(
            _el("rect", x=0, y=0, width=max(width * share, float(height)), height=height, rx=height / 2, fill=ACCENT)
        )
    description = gettext("%(held)s of %(planned)s planned sessions held") % {"held": held, "planned": planned}
    return _svg(chart_id, width, height, gettext("Sessions held versus planned"), description, body)


def sparkline(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float],
    low: float,
    high: float,
    label_header: str = gettext_lazy("Week"),
    value_header: str = gettext_lazy("Rating"),
    width: int = 160,
    height: int = 36,
) -> Chart:
    """A small line without axes, its last point marked: a trend at a glance beside a number."""
    pad = 4
    span = (high - low) or 1

    def y_of(v: float) -> float:
        return pad + (height - 2 * pad) * (high - min(max(v, low), high)) / span

    count = len(values)
    step = (width - 2 * pad) / (count - 1) if count > 1 else 0
    points = [(pad + step * i if count > 1 else width / 2, y_of(v)) for i, v in enumerate(values)]
    body = [_el("line", x1=pad, y1=height - pad, x2=width - pad, y2=height - pad, stroke=GRID, stroke_width=1)]
    if count > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(_el("polyline", points=path, fill="none", stroke=BRAND, stroke_width=2, stroke_linejoin="round"))
    if points:
        x, y = points[-1]
        body.append(_el("circle", cx=x, cy=y, r=3, fill=BRAND))
    rows = tuple((str(label), f"{v:g}") for label, v in zip(labels, values, strict=True))
    return Chart(
        _svg(chart_id, width, height, title, description, body),
        title,
        description,
        (str(label_header), str(value_header)),
        rows,
    )
