"""SVG charts: accessible, escaped, free of style attributes, and honest about missing rounds."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from engagements.charts import bar_chart, progress_bar, score_line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_a_bar_chart_has_a_title_a_description_and_one_bar_per_non_zero_week():
    chart = bar_chart(
        chart_id="logs",
        title="Practice logged per week",
        description="Eight weeks of practice",
        labels=["3 Nov", "10 Nov", "17 Nov"],
        values=[2, 0, 5],
    )
    root = _parse(chart.svg)

    assert root.find(f"{SVG}title").text == "Practice logged per week"
    assert root.find(f"{SVG}desc").text == "Eight weeks of practice"
    assert root.get("aria-labelledby") == "logs-title logs-desc"
    assert len(root.findall(f"{SVG}rect")) == 2
    assert chart.rows == (("3 Nov", "2"), ("10 Nov", "0"), ("17 Nov", "5"))


def test_chart_text_is_escaped():
    chart = bar_chart(chart_id="x", title="<script>alert(1)</script>", description="a & b", labels=["<b>"], values=[1])
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert "<b>" not in chart.svg
    _parse(chart.svg)


def test_charts_use_presentation_attributes_only():
    charts = [
        bar_chart(chart_id="a", title="t", description="d", labels=["1"], values=[3]),
        score_line_chart(chart_id="b", title="t", description="d", labels=["R1", "R2"], values=[0.5, 1.5]),
        progress_bar(chart_id="c", held=2, planned=6),
    ]
    for chart in charts:
        svg = getattr(chart, "svg", chart)
        assert not re.search(r"\sstyle=", svg)
        assert "<script" not in svg


def test_a_score_line_breaks_where_a_round_was_left_out():
    chart = score_line_chart(
        chart_id="g1",
        title="Net score",
        description="d",
        labels=["Round 1", "Round 2", "Round 3", "Round 4"],
        values=[0.4, 1.2, None, 1.8],
    )
    root = _parse(chart.svg)

    assert len(root.findall(f"{SVG}polyline")) == 1  # rounds 1-2; round 4 stands alone
    assert len(root.findall(f"{SVG}circle")) == 3
    assert chart.rows[2] == ("Round 3", "left out (too few answers)")
    assert chart.rows[1] == ("Round 2", "+1.2")


def test_a_single_round_is_drawn_as_one_point():
    chart = score_line_chart(chart_id="g", title="t", description="d", labels=["Round 1"], values=[-0.5])
    root = _parse(chart.svg)
    assert len(root.findall(f"{SVG}circle")) == 1
    assert chart.rows == (("Round 1", "-0.5"),)


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=20))
def test_bars_always_fit_inside_the_chart(values):
    chart = bar_chart(
        chart_id="p", title="t", description="d", labels=[str(i) for i in range(len(values))], values=values
    )
    root = _parse(chart.svg)
    height = float(root.get("height"))
    for rect in root.findall(f"{SVG}rect"):
        assert 0 <= float(rect.get("y")) and float(rect.get("y")) + float(rect.get("height")) <= height


@given(st.lists(st.one_of(st.none(), st.floats(min_value=-3, max_value=3)), min_size=1, max_size=12))
def test_score_points_always_stay_on_the_scale(values):
    chart = score_line_chart(
        chart_id="p", title="t", description="d", labels=[f"R{i}" for i in range(len(values))], values=values
    )
    root = _parse(chart.svg)
    height = float(root.get("height"))
    for circle in root.findall(f"{SVG}circle"):
        assert 0 <= float(circle.get("cy")) <= height
