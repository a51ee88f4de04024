"""The benchmark's report: the table, what counts as a failed run, and the README's latest table."""

from __future__ import annotations

import copy

from bench import report
from bench.bulk import _text

PAGE = {
    "label": "Coach home",
    "path": "/coach/",
    "status": 200,
    "queries": 12,
    "median_ms": 30.0,
    "p95_ms": 35.0,
    "breakdown_total_ms": 31.0,
    "sql_median_ms": 9.0,
    "templates_median_ms": 11.0,
}
RESULT = {
    "date": "2026-11-22T05:43:29+00:00",
    "machine": {
        "cores": 2,
        "cpu": "Xeon",
        "load_average_at_start": [1.0, 1.0, 1.0],
        "load_average_at_end": [1.0, 1.0, 1.0],
        "python": "3.11.7",
        "django": "5.2",
    },
    "postgresql": "15",
    "scale": 1.0,
    "seed": 2026,
    "data": {"large": {"fieldwork.PracticeLog": 300_000}},
    "tick_population": {"accounts.User": 100_000},
    "small": {"pages": {"coach_home": dict(PAGE, median_ms=15.0)}},
    "large": {
        "pages": {
            "coach_home": dict(PAGE, slowest_queries=[], seq_scans=[], sql_ms=4.0),
            "stakeholder_link": dict(PAGE, label="Stakeholder link page", path="/f/secret-token/", queries=2),
        }
    },
    "load": {"pages": {"coach_home": {"requests_per_second": 60.0, "ratio_to_trivial": 0.06, "non_2xx": 0}}},
    "tick": None,
    "step_seconds": {"load": 80.0},
}


def result(**changes):
    data = copy.deepcopy(RESULT)
    for path, value in changes.items():
        target = data
        *parents, leaf = path.split("__")
        for key in parents:
            target = target[key]
        target[leaf] = value
    return data


def test_a_run_with_equal_query_counts_and_200s_has_no_problems():
    assert report.problems(result()) == []
    assert "Every page has the same query count at both sizes" in report.markdown(result())


def test_a_query_count_that_grows_with_the_data_fails_the_run():
    grown = result()
    grown["large"]["pages"]["coach_home"]["queries"] = 31
    assert report.problems(grown) == ["Coach home: 12 queries at the demo size, 31 large"]
    assert "| Coach home | 12 | 31 ⚠ |" in report.markdown(grown)


def test_an_error_page_or_error_answers_under_load_fail_the_run():
    broken = result()
    broken["large"]["pages"]["coach_home"]["status"] = 500
    broken["load"]["pages"]["coach_home"]["non_2xx"] = 7
    assert report.problems(broken) == [
        "Coach home: status 500 at the large size",
        "Coach home: 7 error answers under load",
    ]


def test_the_slowest_page_is_named_with_its_sql_and_template_time():
    text = report.markdown(result())
    assert "Slowest page at the large size: **Coach home** (30.0 ms median" in text
    assert "9.0 ms went to SQL and 11.0 ms to rendering templates" in text


def test_the_stored_results_never_carry_a_private_link_token(tmp_path):
    report.write(result(), tmp_path)
    for name in ("latest.json", "latest.md", "2026-11-22.json", "2026-11-22.md"):
        assert "secret-token" not in (tmp_path / name).read_text()
    assert '"/f/<token>/"' in (tmp_path / "latest.json").read_text()


def test_the_readme_gets_the_latest_tables_between_its_markers_and_nothing_else_changes(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Site\n\nBefore.\n\n{report.README_START}\nold table\n{report.README_END}\n\nAfter.\n")
    report.write(result(), tmp_path / "results", readme=readme)
    text = readme.read_text()
    assert text.startswith("# Site\n\nBefore.\n\n")
    assert text.endswith(f"{report.README_END}\n\nAfter.\n")
    assert "old table" not in text
    assert "| Coach home | 12 | 12 |" in text


def test_copy_text_format_escapes_what_would_split_a_row():
    assert _text("a\tb\nc\\d") == "a\\tb\\nc\\\\d"
    assert (_text(None), _text(True), _text(False), _text({"id": 1})) == ("\\N", "t", "f", '{"id": 1}')
