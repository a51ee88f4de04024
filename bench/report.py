"""Writes a benchmark run as JSON and as a Markdown table (bench/results/latest.* and a dated copy)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.subjects import TRIVIAL

#: The acceptance targets (README, "Benchmark"): measured in one run, each reported as pass or fail.
TICK_TO_BULK_INSERT_MAX = 3.0
TICK_TARGET_LEADERS, TICK_TARGET_DUE = 100_000, 10_000
COACH_HOME_MEDIAN_MS_MAX = 15.0
PAGE_TO_TRIVIAL_MIN = 0.2

#: The pages that must each serve at least PAGE_TO_TRIVIAL_MIN of the trivial page's requests per
#: second; the program dashboard and the API's endpoints are measured and shown without a target.
TARGET_PAGES = ["coach_home", "engagement", "session", "leader_home", "sponsor_summary", "stakeholder_link"]
ORDER = [
    *TARGET_PAGES,
    "program_dashboard",
    "api_engagements",
    "api_sessions",
    "api_commitments",
    "api_practice_logs",
    TRIVIAL,
]


def _n(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _slowest_page(result: dict) -> str:
    large = result["large"]["pages"]
    key = max((k for k in large if k != TRIVIAL), key=lambda k: large[k]["median_ms"])
    return key


def markdown(result: dict) -> str:
    m = result["machine"]
    small, large = result["small"]["pages"], result["large"]["pages"]
    load = (result.get("load") or {}).get("pages", {})
    lines = [
        "# Benchmark results",
        "",
        f"{result['date']} · {m['cores']} cores ({m['cpu']}) · load average (1, 5, 15 min) "
        f"{', '.join(str(x) for x in m['load_average_at_start'])} at the start, "
        f"{', '.join(str(x) for x in m.get('load_average_at_end', []))} at the end · "
        f"PostgreSQL {result['postgresql']} · Python {m['python']} · Django {m['django']} · "
        f"scale {result['scale']} (seed {result['seed']}) · "
        f"`make bench` took {_n(result.get('total_seconds'))} s",
        "",
        "## Pages",
        "",
        "| page | queries, demo | queries, large | queries, cached | median ms | p95 ms | median ms, uncached "
        "| SQL ms | templates ms | view ms | median ms, demo | req/s | page / trivial |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key in ORDER:
        if key not in large:
            continue
        s, g, w = small.get(key, {}), large[key], load.get(key, {})
        same = "" if s.get("queries") == g["queries"] else " ⚠"
        view = g["breakdown_total_ms"] - g["sql_median_ms"] - g["templates_median_ms"]
        lines.append(
            f"| {g['label']} | {_n(s.get('queries'))} | {_n(g['queries'])}{same} | {_n(g.get('warm_queries'))} | "
            f"{_n(g['median_ms'])} | {_n(g['p95_ms'])} | {_n(g.get('cold_median_ms'))} | "
            f"{_n(g['sql_median_ms'])} | {_n(g['templates_median_ms'])} | {_n(view)} | "
            f"{_n(s.get('median_ms'))} | {_n(w.get('requests_per_second'))} | {_n(w.get('ratio_to_trivial'), 3)} |"
        )
    found = problems(result)
    if found:
        lines += ["", "**Problems:**", *[f"- {p}" for p in found]]
    else:
        lines += ["", "Every page has the same query count at both sizes and answered 200 throughout."]
    slowest = _slowest_page(result)
    lines += [
        "",
        f"Slowest page at the large size: **{large[slowest]['label']}** "
        f"({_n(large[slowest]['median_ms'])} ms median; in the measured request of "
        f"{_n(large[slowest]['breakdown_total_ms'])} ms, {_n(large[slowest]['sql_median_ms'])} ms went to SQL and "
        f"{_n(large[slowest]['templates_median_ms'])} ms to rendering templates).",
        "",
        "## Reminder tick",
        "",
    ]
    tick = result.get("tick")
    if tick:
        lines += [
            "| leaders | due this minute | tick s | of which broker s | rows recorded | queries | quiet minute s "
            "| bulk insert s | tick / bulk insert | without broker / bulk insert | memory growth MB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {_n(tick['leaders'])} | {_n(tick['due'])} | {_n(tick['tick_seconds'], 2)} | "
            f"{_n(tick['publish_seconds'], 2)} | {_n(tick['recorded'])} | {_n(tick['tick_queries'])} | "
            f"{_n(tick['quiet_tick_seconds'], 2)} | {_n(tick['bulk_insert_seconds'], 2)} | "
            f"{_n(tick['ratio_tick_to_bulk_insert'])} | {_n(tick['ratio_without_publish_to_bulk_insert'])} | "
            f"{_n(tick['peak_memory_growth_mb'])} |",
            "",
            f"The tick recorded {_n(tick['recorded'])} rows and handed their {_n(tick['enqueued'])} sends to the "
            f"Redis broker in {_n(tick.get('broker_messages'))} task messages (the broker column); a second tick in "
            "the same minute found nothing new (the quiet minute).",
        ]
    else:
        lines.append("Not measured in this run.")
    lines += ["", "## Send rate", ""]
    send = result.get("send")
    if send:
        lines += [
            "| worker processes | e-mails | seconds | e-mails per second | received by the SMTP server |",
            "|---:|---:|---:|---:|---:|",
        ]
        for run in send["runs"].values():
            lines.append(
                f"| {run['worker_processes']} | {_n(run['sent'])} | {_n(run['seconds'], 2)} | "
                f"{_n(run['messages_per_second'])} | {_n(run['received_by_server'])} |"
            )
        lines += [
            "",
            f"One Celery worker (`-Q mail`) with that many processes sends {_n(send['rows'])} reminders of the tick's "
            f"minute, handed over {_n(send['batch'])} to a task message, to a local aiosmtpd server that accepts "
            "everything; timed from the hand-over to the last row marked sent.",
        ]
    else:
        lines.append("Not measured in this run.")
    lines += ["", "## Targets", "", "| target | measured | result |", "|---|---|---|"]
    for label, measured, passed in targets(result):
        verdict = "–" if passed is None else ("**pass**" if passed else "**FAIL**")
        lines.append(f"| {label} | {measured} | {verdict} |")
    lines += ["", "## Query plans at the large size", ""]
    scans = {large[k]["label"]: large[k].get("seq_scans", []) for k in ORDER if k in large}
    flagged = {label: tables for label, tables in scans.items() if tables}
    if flagged:
        for label, tables in flagged.items():
            lines.append(f"- **{label}**: sequential scan of {', '.join(tables)}")
    else:
        lines.append("No page's query scans a table of more than 5,000 rows sequentially.")
    wide = [(large[k]["label"], f) for k in ORDER if k in large for f in large[k].get("filtered_scans", [])]
    for label, f in wide:
        lines.append(
            f"- {label}: {f['node']} of {f['table']} kept {_n(f['rows'])} rows and filtered out {_n(f['removed'])}"
        )
    lines += ["", "| page | SQL execution ms (sum) | slowest query ms | its tables |", "|---|---:|---:|---|"]
    for key in ORDER:
        if key not in large or not large[key].get("slowest_queries"):
            continue
        top = large[key]["slowest_queries"][0]
        tables = ", ".join(top.get("tables", [])[:4])
        lines.append(f"| {large[key]['label']} | {_n(large[key]['sql_ms'], 2)} | {_n(top['ms'], 2)} | {tables} |")
    lines += ["", "## Data at the large size", "", "| table | rows |", "|---|---:|"]
    for label, count in result["data"]["large"].items():
        lines.append(f"| {label} | {_n(count)} |")
    lines += ["", f"Tick population: {', '.join(f'{k} {_n(v)}' for k, v in result['tick_population'].items())}."]
    lines += ["", "Step durations (s): " + ", ".join(f"{k} {v}" for k, v in result["step_seconds"].items()) + "."]
    return "\n".join(lines) + "\n"


def targets(result: dict) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, passed) for each acceptance target; passed is None when not measured."""
    found: list[tuple[str, str, bool | None]] = []
    tick = result.get("tick")
    label = (
        f"tick / bulk insert at most {TICK_TO_BULK_INSERT_MAX:g} at {TICK_TARGET_LEADERS:,} leaders, "
        f"{TICK_TARGET_DUE:,} due, broker included"
    )
    if not tick:
        found.append((label, "not measured", None))
    else:
        ratio = tick["ratio_tick_to_bulk_insert"]
        measured = f"{ratio:g} ({tick['leaders']:,} leaders, {tick['due']:,} due)"
        at_size = tick["leaders"] >= TICK_TARGET_LEADERS and tick["due"] >= TICK_TARGET_DUE
        found.append((label, measured if at_size else measured + ", smaller than the target's size",
                      ratio <= TICK_TO_BULK_INSERT_MAX if at_size else None))  # fmt: skip
    large = result["large"]["pages"]
    home = large.get("coach_home")
    label = f"coach home median at most {COACH_HOME_MEDIAN_MS_MAX:g} ms at the large size"
    if home is None:
        found.append((label, "not measured", None))
    else:
        full = result["scale"] >= 1
        measured = f"{home['median_ms']:.1f} ms" + ("" if full else f" (scale {result['scale']})")
        found.append((label, measured, home["median_ms"] <= COACH_HOME_MEDIAN_MS_MAX if full else None))
    load = (result.get("load") or {}).get("pages") or {}
    for key in TARGET_PAGES:
        if key not in large:
            continue
        label = f"{large[key]['label']}: at least {PAGE_TO_TRIVIAL_MIN:g} of the trivial page's requests per second"
        ratio = (load.get(key) or {}).get("ratio_to_trivial")
        if ratio is None:
            found.append((label, "not measured", None))
        else:
            found.append((label, f"{ratio:.3f}", ratio >= PAGE_TO_TRIVIAL_MIN))
    return found


def problems(result: dict) -> list[str]:
    """What makes the run a failure: a query count that differs between the sizes, or an error page."""
    small, large = result["small"]["pages"], result["large"]["pages"]
    found = []
    for key, page in large.items():
        if key in small and small[key]["queries"] != page["queries"]:
            found.append(f"{page['label']}: {small[key]['queries']} queries at the demo size, {page['queries']} large")
        for size, pages in (("demo", small), ("large", large)):
            if key in pages and pages[key]["status"] != 200:
                found.append(f"{page['label']}: status {pages[key]['status']} at the {size} size")
    for key, entry in ((result.get("load") or {}).get("pages") or {}).items():
        if entry["non_2xx"]:
            found.append(f"{large[key]['label']}: {entry['non_2xx']} error answers under load")
    return found


def _without_tokens(result: dict) -> dict:
    """The stored copy names the stakeholder link page's path without its private token."""
    for size in ("small", "large"):
        for entry in result[size]["pages"].values():
            if entry["path"].startswith("/f/"):
                entry["path"] = "/f/<token>/"
    return result


README_START, README_END = "<!-- bench:latest -->", "<!-- /bench:latest -->"


def readme_excerpt(text: str) -> str:
    """The run's first line, its pages table with the slowest page, its tick, send-rate and targets tables."""
    lines = text.splitlines()
    keep, section = [lines[2], ""], None
    for line in lines[3:]:
        if line.startswith("## "):
            section = line[3:]
            if section not in ("Pages", "Reminder tick", "Send rate", "Targets"):
                section = None
                continue
            keep += [f"**{section}**", ""]
            continue
        if section and (line or keep[-1]):
            keep.append(line)
    return "\n".join(keep).strip() + "\n"


def update_readme(readme: Path, text: str) -> bool:
    """Puts the excerpt between the README's markers (its "Benchmark" section); False without them."""
    if not readme.exists():
        return False
    content = readme.read_text()
    start, end = content.find(README_START), content.find(README_END)
    if start < 0 or end < start:
        return False
    readme.write_text(content[: start + len(README_START)] + "\n" + readme_excerpt(text) + content[end:])
    return True


def write(result: dict, directory: Path, *, save: bool = True, readme: Path | None = None) -> str:
    result = _without_tokens(result)
    text = markdown(result)
    if save and readme is not None:
        update_readme(readme, text)
    if save:
        directory.mkdir(parents=True, exist_ok=True)
        day = result["date"][:10]
        payload = json.dumps(result, indent=2, sort_keys=False) + "\n"
        for stem in ("latest", day):
            (directory / f"{stem}.json").write_text(payload)
            (directory / f"{stem}.md").write_text(text)
    return text
