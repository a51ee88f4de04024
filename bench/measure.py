"""Measures every page in-process against one database (DATABASE_URL): queries, server time, query plans.

For each page: one warm-up request, one request with the page cache emptied whose SQL is captured
(the query count), one cached request whose SQL is counted too, a few requests each with the page
cache emptied first (the uncached median), then `--repeat` timed requests (median and 95th
percentile of the time Django takes to answer, from the request entering the middleware to the
response leaving it). With `--explain`, every captured SELECT is run again under EXPLAIN ANALYZE:
the slowest query of each page and any sequential scan of a large table are reported. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time

BIG_TABLE_ROWS = 5_000


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _walk(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _walk(child)


def _explain(sql: str, big_tables: dict[str, int]) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
    doc = raw if isinstance(raw, list) else json.loads(raw)
    plan = doc[0]
    tables = list(dict.fromkeys(node["Relation Name"] for node in _walk(plan["Plan"]) if node.get("Relation Name")))
    seq_scans = sorted(
        {
            node["Relation Name"]
            for node in _walk(plan["Plan"])
            if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in big_tables
        }
    )
    # Scans that read many rows only to throw them away: an index that fits the filter is missing,
    # or the planner walks another one (reported, not judged: the numbers say whether it matters).
    filtered = [
        {"table": node["Relation Name"], "node": node["Node Type"], "rows": node["Actual Rows"] * node["Actual Loops"],
         "removed": node.get("Rows Removed by Filter", 0) * node["Actual Loops"]}
        for node in _walk(plan["Plan"])
        if node.get("Relation Name") and node.get("Rows Removed by Filter", 0) * node["Actual Loops"] >= 1000
        and node.get("Rows Removed by Filter", 0) >= 10 * max(node["Actual Rows"], 1)
    ]  # fmt: skip
    return {
        "filtered_scans": filtered,
        "ms": round(plan["Execution Time"], 2),
        "planning_ms": round(plan.get("Planning Time", 0.0), 2),
        "tables": tables,
        "seq_scans": seq_scans,
    }


def _big_tables() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' AND relnamespace = "
            "'public'::regnamespace AND reltuples >= %s",
            [BIG_TABLE_ROWS],
        )
        return dict(cursor.fetchall())


class _Breakdown:
    """Time spent in SQL and in rendering templates during one request (outermost renders only)."""

    def __init__(self) -> None:
        self.sql = 0.0
        self.templates = 0.0
        self._depth = 0

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql += time.perf_counter() - started

    def wrap_render(self, render):
        def timed(template, *args, **kwargs):
            self._depth += 1
            started = time.perf_counter()
            try:
                return render(template, *args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.templates += time.perf_counter() - started

        return timed


def _breakdown(client, path: str, repeat: int, headers: dict) -> dict:
    """Median SQL time and template time of a page, measured apart from the plain timings."""
    from django.db import connection
    from django.template.backends.django import Template

    totals, sql, templates = [], [], []
    original = Template.render
    try:
        for _ in range(repeat):
            parts = _Breakdown()
            Template.render = parts.wrap_render(original)
            started = time.perf_counter()
            with connection.execute_wrapper(parts.execute):
                client.get(path, headers=headers)
            totals.append((time.perf_counter() - started) * 1000)
            sql.append(parts.sql * 1000)
            templates.append(parts.templates * 1000)
    finally:
        Template.render = original
    # The parts of the request whose total is the median, so that they add up.
    middle = sorted(range(len(totals)), key=lambda i: totals[i])[len(totals) // 2]
    return {
        "breakdown_total_ms": round(totals[middle], 2),
        "sql_median_ms": round(sql[middle], 2),
        "templates_median_ms": round(templates[middle], 2),
    }


def measure(*, repeat: int, explain: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.subjects import pages, signed_in_client
    from coaching import pagecache

    big = _big_tables() if explain else {}
    results = {}
    for page in pages():
        client = signed_in_client(page.user_id)
        warm = client.get(page.path, headers=page.headers)
        # Cold: the page cache emptied (every data version bumped), as after any write.
        pagecache.bump(pagecache.GROUPS)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path, headers=page.headers)
        queries = list(captured.captured_queries)  # a view of the log, which the next request clears
        with CaptureQueriesContext(connection) as captured_warm:
            client.get(page.path, headers=page.headers)
        warm_queries = len(captured_warm.captured_queries)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(page.path, headers=page.headers)
            timings.append((time.perf_counter() - started) * 1000)
        cold = []
        for _ in range(max(5, repeat // 3)):
            pagecache.bump(pagecache.GROUPS)
            started = time.perf_counter()
            client.get(page.path, headers=page.headers)
            cold.append((time.perf_counter() - started) * 1000)
        entry = {
            "label": page.label,
            "path": page.path,
            "status": response.status_code,
            "warm_status": warm.status_code,
            "bytes": len(response.content),
            "queries": len(queries),
            "warm_queries": warm_queries,
            "cold_median_ms": round(statistics.median(cold), 2),
            "median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(_percentile(timings, 0.95), 2),
            "min_ms": round(min(timings), 2),
        }
        entry.update(_breakdown(client, page.path, max(5, repeat // 3), page.headers))
        if explain:
            plans = []
            for query in queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                plans.append({**_explain(sql, big), "sql": sql})
            plans.sort(key=lambda p: p["ms"], reverse=True)
            entry["sql_ms"] = round(sum(p["ms"] for p in plans), 2)
            entry["slowest_queries"] = [{**p, "sql": p["sql"][:600]} for p in plans[:3]]
            entry["seq_scans"] = sorted({t for p in plans for t in p["seq_scans"]})
            entry["filtered_scans"] = [f for p in plans for f in p["filtered_scans"]]
        results[page.key] = entry
    return {"pages": results, "big_tables": big}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from bench.limits import raise_link_rate_limit

    raise_link_rate_limit()
    json.dump(measure(repeat=args.repeat, explain=args.explain), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
