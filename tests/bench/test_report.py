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


TICK = {
    "leaders": 100_000,
    "due": 10_000,
    "tick_seconds": 3.0,
    "publish_seconds": 0.1,
    "broker_messages": 40,
    "recorded": 10_000,
    "enqueued": 10_000,
    "tick_queries": 90,
    "quiet_tick_seconds": 0.5,
    "bulk_insert_seconds": 1.0,
    "ratio_tick_to_bulk_insert": 3.0,
    "ratio_without_publish_to_bulk_insert": 2.9,
    "peak_memory_growth_mb": 20.0,
}


def verdicts(data) -> dict[str, bool | None]:
    return {label.split(" at")[0].split(":")[0]: passed for label, _, passed in report.targets(data)}


def test_each_target_passes_at_its_threshold_and_fails_just_past_it():
    at_limit = result(tick=dict(TICK), large__pages__coach_home__median_ms=15.0)
    at_limit["load"]["pages"]["coach_home"]["ratio_to_trivial"] = 0.2
    assert verdicts(at_limit) == {
        "tick / bulk insert": True,
        "coach home median": True,
        "Coach home": True,
        "Stakeholder link page": None,  # not loaded in this run
    }
    past = result(tick=dict(TICK, ratio_tick_to_bulk_insert=3.1), large__pages__coach_home__median_ms=15.1)
    past["load"]["pages"]["coach_home"]["ratio_to_trivial"] = 0.199
    assert verdicts(past) == {
        "tick / bulk insert": False,
        "coach home median": False,
        "Coach home": False,
        "Stakeholder link page": None,
    }
    text = report.markdown(past)
    assert "| coach home median at most 15 ms at the large size | 15.1 ms | **FAIL** |" in text


def test_size_bound_targets_are_not_judged_on_a_smaller_run():
    small = result(tick=dict(TICK, leaders=10_000, due=1_000, ratio_tick_to_bulk_insert=1.0), scale=0.1)
    assert verdicts(small)["tick / bulk insert"] is None
    assert verdicts(small)["coach home median"] is None


def test_the_send_rate_of_one_and_two_workers_is_reported():
    runs = {
        str(n): {"worker_processes": n, "seconds": 10.0 / n, "sent": 1000, "received_by_server": 1000,
                 "messages_per_second": 100.0 * n}
        for n in (1, 2)
    }  # fmt: skip
    text = report.markdown(result(send={"rows": 1000, "batch": 250, "runs": runs}))
    assert "| 1 | 1,000 | 10.00 | 100.0 | 1,000 |" in text
    assert "| 2 | 1,000 | 5.00 | 200.0 | 1,000 |" in text
