"""`make mutate`: mutation testing of the outbox and the access rules with cosmic-ray.

    .venv/bin/python -m tests.mutation.run              # every group (see GROUPS)
    .venv/bin/python -m tests.mutation.run outbox       # one group
    .venv/bin/python -m tests.mutation.run --list       # how many mutants each group has, without running
    .venv/bin/python -m tests.mutation.run --sample 20  # a fixed sample of 20 mutants per group

Each group mutates a few modules and runs only the fast tests that cover them (SQLite, no
migrations, stop at the first failure). Each group's source is copied to
`var/mutation/tree-<group>/` and mutated there, so two groups run side by side and an interrupted
run never leaves a mutant in the working tree. Mutants are limited to the one-word slips a reviewer
can miss (a comparison's boundary or sense, `and`/`or`, `not`, `True`/`False`, `+`/`-`, a loop that
never runs, an exception clause that catches something else), and in the `models.py` files to the
`visible_to` methods. Results: `var/mutation/<group>.sqlite` (cosmic-ray sessions; `cr-report`
reads them) and a summary with every surviving mutant in `var/mutation/summary.txt`.
"""

from __future__ import annotations

import argparse
import ast
import random
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "mutation"
BIN = Path(sys.executable).parent

PYTEST = "python -m pytest -x -q -p no:cacheprovider -n 0 --nomigrations"
# Outside a test database built by migrations there is no installation row until first use: fine here.
DESELECT = (
    "--deselect tests/notifications/test_message_id.py::test_the_database_has_its_installation_key_from_the_start"
)


@dataclass(frozen=True)
class Group:
    name: str
    modules: tuple[str, ...]
    tests: tuple[str, ...]


GROUPS = (
    Group(
        "outbox",
        ("notifications/services.py", "notifications/registry.py", "notifications/tasks.py"),
        (
            "tests/notifications/test_rules.py",
            "tests/notifications/test_row_isolation.py",
            "tests/notifications/test_tick.py",
            "tests/notifications/test_deliver.py",
            "tests/notifications/test_daily_limit.py",
            "tests/notifications/test_message_id.py",
            "tests/notifications/test_tasks.py",
            "tests/notifications/test_hand_to_worker.py",
            "tests/notifications/test_preferences_view.py",
        ),
    ),
    Group(
        "schedule",
        ("notifications/models.py", "notifications/weekly.py", "notifications/delivery.py"),
        (
            "tests/notifications/test_deliver.py",
            "tests/notifications/test_daily_limit.py",
            "tests/notifications/test_rules.py",
            "tests/notifications/test_weekly_schedule.py",
            "tests/notifications/test_weekly_filter.py",
            "tests/notifications/test_transient_errors.py",
        ),
    ),
    Group(
        "access",
        (
            "engagements/access.py",
            "engagements/models.py",
            "fieldwork/models.py",
            "stakeholders/models.py",
            "stakeholders/selectors.py",
        ),
        (
            "tests/engagements/test_access.py",
            "tests/coaching/test_two_sponsors.py",
            "tests/stakeholders/test_selectors.py",
            "tests/fieldwork/test_privacy.py",
            "tests/engagements/test_views.py",
            "tests/stakeholders/test_request_emails.py",
            "tests/stakeholders/test_view_rounds.py",
            "tests/stakeholders/test_view_results.py",
        ),
    ),
)

# The one-word slips worth a test; the rest (every operator swapped for every other, every number
# moved by one, which here is mostly field lengths) mostly makes code that cannot run or mutants no
# reader would mistake for the real thing.
OPERATORS = re.compile(
    r"core/("
    r"ReplaceComparisonOperator_(Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Eq_NotEq|NotEq_Eq|Is_IsNot|IsNot_Is|In_NotIn|NotIn_In)"
    r"|ReplaceAndWithOr|ReplaceOrWithAnd|AddNot|ReplaceTrueWithFalse|ReplaceFalseWithTrue"
    r"|ZeroIterationForLoop|ExceptionReplacer|ReplaceBinaryOperator_(Add_Sub|Sub_Add)"
    r")$"
)
# In these files only the `visible_to` methods are mutated.
ONLY_VISIBLE_TO = {"engagements/models.py", "fieldwork/models.py", "stakeholders/models.py"}


def tree_for(group: Group) -> Path:
    """A copy of the source (no virtual environment, no var/) for one group: the only place its mutants
    are written, so groups can run side by side and the working tree never holds a mutant."""
    tree = OUT / f"tree-{group.name}"
    if tree.exists():
        shutil.rmtree(tree)
    ignore = shutil.ignore_patterns(
        ".venv", "node_modules", "var", ".git", "__pycache__", "staticfiles", "test-artifacts", "bench"
    )
    shutil.copytree(ROOT, tree, ignore=ignore, symlinks=True)
    (tree / "var").mkdir()
    return tree


def config_for(group: Group, tree: Path) -> Path:
    tests = " ".join(t for t in group.tests if (tree / t).exists())
    modules = ", ".join(f'"{m}"' for m in group.modules)
    path = OUT / f"{group.name}.toml"
    path.write_text(
        "[cosmic-ray]\n"
        f"module-path = [{modules}]\n"
        "timeout = 300.0\n"
        "excluded-modules = []\n"
        f'test-command = "{BIN}/{PYTEST} {DESELECT} {tests}"\n'
        '\n[cosmic-ray.distributor]\nname = "local"\n'
    )
    return path


def visible_to_lines(module: str) -> set[int]:
    tree = ast.parse((ROOT / module).read_text())
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "visible_to":
            lines.update(range(node.lineno, node.end_lineno + 1))
    return lines


def select(session: Path, *, sample: int = 0) -> tuple[int, int]:
    """Marks as skipped every mutant outside the chosen operators and lines, and with `sample`, all but
    that many of the rest (a fixed random choice, the same on every run); returns (kept, skipped)."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    chosen: list[str] = []
    skipped: list[str] = []
    allowed_lines = {m: visible_to_lines(m) for m in ONLY_VISIBLE_TO}
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            keep = True
            for mutation in item.mutations:
                module = Path(mutation.module_path).as_posix()
                if not OPERATORS.match(mutation.operator_name):
                    keep = False
                elif module in allowed_lines and mutation.start_pos[0] not in allowed_lines[module]:
                    keep = False
            if keep:
                chosen.append(item.job_id)
            else:
                skipped.append(item.job_id)
        if sample and len(chosen) > sample:
            kept_ids = set(random.Random(2026).sample(sorted(chosen), sample))
            skipped += [job for job in chosen if job not in kept_ids]
            chosen = sorted(kept_ids)
        db.set_multiple_results(skipped, WorkResult(output="Not selected", worker_outcome=WorkerOutcome.SKIPPED))
    return len(chosen), len(skipped)


def counts(session: Path) -> dict[str, int]:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    result = {"killed": 0, "survived": 0, "incompetent": 0, "pending": 0}
    with use_db(str(session), WorkDB.Mode.open) as db:
        for _, outcome in db.results:
            if outcome.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            if outcome.test_outcome == TestOutcome.SURVIVED:
                result["survived"] += 1
            elif outcome.test_outcome == TestOutcome.INCOMPETENT or outcome.worker_outcome != WorkerOutcome.NORMAL:
                result["incompetent"] += 1
            else:
                result["killed"] += 1
        result["pending"] = sum(1 for _ in db.pending_work_items)
    return result


def survivors(session: Path) -> list[str]:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome

    lines = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, outcome in db.completed_work_items:
            if outcome.test_outcome == TestOutcome.SURVIVED:
                for m in item.mutations:
                    lines.append(f"  {m.module_path}:{m.start_pos[0]} {m.operator_name.removeprefix('core/')}")
    return sorted(lines)


def cosmic_ray(tree: Path, *args: str) -> None:
    subprocess.run([str(BIN / "cosmic-ray"), "--verbosity", "ERROR", *args], cwd=tree, check=True)


def run_group(group: Group, *, list_only: bool, sample: int) -> tuple[dict[str, int], list[str]]:
    started = time.monotonic()
    tree = tree_for(group)
    try:
        config, session = config_for(group, tree), OUT / f"{group.name}.sqlite"
        session.unlink(missing_ok=True)
        cosmic_ray(tree, "init", str(config), str(session))
        kept, skipped = select(session, sample=sample)
        print(f"{group.name}: {kept} mutants selected ({skipped} left out)", flush=True)
        if list_only:
            return {}, []
        cosmic_ray(tree, "baseline", str(config))
        cosmic_ray(tree, "exec", str(config), str(session))
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    c = counts(session)
    scored = c["killed"] + c["survived"]
    minutes = (time.monotonic() - started) / 60
    line = (
        f"{group.name}: {c['killed']}/{scored} killed ({100 * c['killed'] / max(scored, 1):.0f} %), "
        f"{c['incompetent']} incompetent (did not import or timed out), {minutes:.1f} min"
    )
    print(line, flush=True)
    return c, [line, *survivors(session)]


def run(groups: list[Group], *, list_only: bool, jobs: int, sample: int) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda g: run_group(g, list_only=list_only, sample=sample), groups))
    if list_only:
        return 0
    killed = sum(c["killed"] for c, _ in results)
    scored = sum(c["killed"] + c["survived"] for c, _ in results)
    summary = [line for _, lines in results for line in lines]
    summary.append(
        f"total: {killed}/{scored} killed ({100 * killed / max(scored, 1):.0f} %) "
        f"in {(time.monotonic() - started) / 60:.1f} min with {jobs} job(s)"
        + (f", a fixed sample of at most {sample} mutants per group" if sample else "")
    )
    (OUT / "summary.txt").write_text("\n".join(summary) + "\n")
    print("\n".join(summary))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", help=f"groups to run: {', '.join(g.name for g in GROUPS)} (all)")
    parser.add_argument("--list", action="store_true", help="count the selected mutants without running them")
    parser.add_argument("--jobs", type=int, default=2, help="groups run side by side (default 2, for 2 cores)")
    parser.add_argument("--sample", type=int, default=0, help="run a fixed random sample of N mutants per group")
    args = parser.parse_args()
    unknown = set(args.groups) - {g.name for g in GROUPS}
    if unknown:
        parser.error(f"unknown group {', '.join(sorted(unknown))}")
    chosen = [g for g in GROUPS if not args.groups or g.name in args.groups]
    return run(chosen, list_only=args.list, jobs=max(1, args.jobs), sample=max(0, args.sample))


if __name__ == "__main__":
    sys.exit(main())
