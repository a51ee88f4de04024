"""`make bench`: seeds, measures and writes bench/results/. `python -m bench.run --help` for the flags.

Databases (PostgreSQL, named after BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/coaching_bench):

- `<name>_template`: migrated once; the others are copied from it (CREATE DATABASE ... TEMPLATE).
- `<name>_small`: the demo practice (`manage.py seed_demo`), rebuilt on every run.
- `<name>`: the large practice (`bench.seed`). Kept between runs while its fingerprint (migrations,
  seeder code, scale, random seed, and the day, since it is seeded relative to today) is unchanged;
  `--fresh` rebuilds it.
- `<name>_tick`: the reminder tick's population, kept the same way.

Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379/15), a database of its own that the benchmark
empties at the start and the end (the tick enqueues thousands of sends that no worker takes).

Every step runs in its own process with production settings (`bench.settings`: DEBUG off, a fixed
benchmark SECRET_KEY, static files collected into bench/data/static/).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coaching_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# Used only by the benchmark's own processes against its own databases.
BENCH_SECRET_KEY = "bench-only-secret-key-never-used-by-the-site-0123456789abcdefghijklmnop"  # noqa: S105
SEEDER_FILES = ["bench/seed.py", "bench/bulk.py"]


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def migrations_digest() -> str:
    return _digest(list(ROOT.glob("*/migrations/*.py")))


class Postgres:
    """Creates, copies and drops the benchmark's databases through the maintenance database."""

    def __init__(self, url: str) -> None:
        import psycopg2

        parts = urlsplit(url)
        self.url = url
        self.name = parts.path.lstrip("/") or "coaching_bench"
        self.params = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": parts.username or "postgres",
            "password": parts.password,
            "dbname": "postgres",
        }
        try:
            self.connection = psycopg2.connect(**{k: v for k, v in self.params.items() if v is not None})
        except psycopg2.OperationalError as exc:
            where = f"{self.params['user']}@{self.params['host']}:{self.params['port']}"
            raise SystemExit(f"Cannot reach PostgreSQL as {where} (BENCH_DATABASE_URL): {exc}".strip()) from None
        self.connection.autocommit = True

    def url_for(self, name: str) -> str:
        parts = urlsplit(self.url)
        return parts._replace(path="/" + name).geturl()

    def comment(self, name: str) -> str | None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
            row = cursor.fetchone()
        return None if row is None else (row[0] or "")

    def set_comment(self, name: str, text: str) -> None:
        from psycopg2 import sql

        with self.connection.cursor() as cursor:
            cursor.execute(sql.SQL("COMMENT ON DATABASE {} IS %s").format(sql.Identifier(name)), [text])

    def drop(self, name: str) -> None:
        from psycopg2 import sql

        with self.connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def create(self, name: str, *, template: str | None = None) -> None:
        from psycopg2 import sql

        self.drop(name)
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.connection.cursor() as cursor:
            cursor.execute(statement)

    def server_version(self) -> str:
        with self.connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.pg = Postgres(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
        self.redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DEBUG", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECRET_KEY", "CELERY_TASK_ALWAYS_EAGER"}
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            SECRET_KEY=BENCH_SECRET_KEY,
            REDIS_URL=self.redis_url,
            EMAIL_URL="dummymail://",
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            LOG_LEVEL="WARNING",
            PYTHONHASHSEED="0",
        )
        self.timings: dict[str, float] = {}

    # --- processes -----------------------------------------------------------------------------

    def python(self, *args: str, database: str, step: str, json_out: bool = True, extra_env: dict | None = None):
        env = {**self.env, "DATABASE_URL": self.pg.url_for(database), **(extra_env or {})}
        started = time.perf_counter()
        completed = subprocess.run(  # noqa: S603 - the project's own Python and modules
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        self.timings[step] = round(time.perf_counter() - started, 1)
        if completed.returncode != 0:
            sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-8000:])
            raise SystemExit(f"Step {step!r} failed (exit {completed.returncode}).")
        if completed.stderr.strip():
            sys.stderr.write(completed.stderr[-2000:])
        log(f"{step}: {self.timings[step]} s")
        return json.loads(completed.stdout) if json_out else completed.stdout

    def flush_redis(self) -> None:
        import redis

        try:
            redis.Redis.from_url(self.redis_url).flushdb()
        except redis.RedisError as exc:
            raise SystemExit(f"Cannot use Redis at {self.redis_url} (BENCH_REDIS_URL): {exc}") from None

    # --- databases -----------------------------------------------------------------------------

    def template(self) -> str:
        name = f"{self.pg.name}_template"
        fingerprint = json.dumps({"migrations": migrations_digest()})
        if self.args.fresh or self.pg.comment(name) != fingerprint:
            log(f"migrating {name}")
            self.pg.create(name)
            self.python("manage.py", "migrate", "--noinput", "-v0", database=name, step="migrate", json_out=False)
            self.pg.set_comment(name, fingerprint)
        return name

    def kept_or_seeded(
        self, name: str, template: str, key: dict, seed_args: list[str], step: str, code: list[Path] = ()
    ) -> dict:
        """The database's seed information, seeding it again when its fingerprint changed."""
        code = [ROOT / f for f in SEEDER_FILES] + list(code)
        fingerprint = {**key, "migrations": migrations_digest(), "seeder": _digest(code)}
        current = self.pg.comment(name)
        if not self.args.fresh and current:
            stored = json.loads(current)
            if stored.get("fingerprint") == fingerprint:
                log(f"{name}: kept (same scale, seed, code and day)")
                return stored["info"]
        log(f"seeding {name}")
        self.pg.create(name, template=template)
        info = self.python("-m", "bench.seed", *seed_args, database=name, step=step)
        self.pg.set_comment(name, json.dumps({"fingerprint": fingerprint, "info": info}))
        return info

    # --- the run -------------------------------------------------------------------------------

    def run(self) -> dict:
        args = self.args
        self.load_at_start = [round(x, 2) for x in os.getloadavg()]
        today = datetime.now(UTC).date().isoformat()
        self.flush_redis()
        template = self.template()
        self.python("manage.py", "collectstatic", "--noinput", "-v0", database=template, step="collectstatic",
                    json_out=False)  # fmt: skip

        small = f"{self.pg.name}_small"
        log(f"seeding {small} with the demo data")
        self.pg.create(small, template=template)
        self.python("manage.py", "seed_demo", database=small, step="seed_demo", json_out=False,
                    extra_env={"CELERY_TASK_ALWAYS_EAGER": "1"})  # fmt: skip

        large = self.pg.name
        practice = self.kept_or_seeded(
            large,
            template,
            {"kind": "practice", "scale": args.scale, "seed": args.seed, "day": today},
            ["--kind", "practice", "--scale", str(args.scale), "--seed", str(args.seed)],
            "seed_practice",
        )
        leaders = args.tick_leaders if args.tick_leaders is not None else round(100_000 * args.scale)
        due = args.tick_due if args.tick_due is not None else max(1, leaders // 10)
        tick_db = f"{self.pg.name}_tick"
        tick_info = self.kept_or_seeded(
            tick_db,
            template,
            {"kind": "tick", "leaders": leaders, "due": due, "seed": args.seed},
            ["--kind", "tick", "--leaders", str(leaders), "--due", str(due), "--seed", str(args.seed)],
            "seed_tick",
            # The outbox history is recorded by the reminder sources: seeded again when they change.
            code=[*ROOT.glob("*/notifications.py"), *ROOT.glob("notifications/*.py")],
        )

        log("measuring pages at the demo size")
        measured_small = self.python("-m", "bench.measure", "--repeat", str(args.repeat), database=small,
                                     step="measure_small")  # fmt: skip
        log("measuring pages at the large size (with query plans)")
        measured_large = self.python("-m", "bench.measure", "--repeat", str(args.repeat), "--explain",
                                     database=large, step="measure_large")  # fmt: skip
        load = None
        if not args.skip_load:
            log(f"loading each page with wrk for {args.load_seconds} s (gunicorn, 2 workers)")
            load = self.python("-m", "bench.load", "--seconds", str(args.load_seconds), database=large, step="load")
        tick = None
        if not args.skip_tick:
            log(f"timing the reminder tick: {leaders} leaders, {due} due")
            tick = self.python("-m", "bench.tick", "--tick-at", tick_info["tick_at"], database=tick_db, step="tick")
            tick.update(leaders=leaders, due=due)
        send = None
        if not args.skip_send:
            rows = min(args.send_rows, due)
            log(f"timing the send rate: {rows} e-mails to a local SMTP server, 1 and 2 worker processes")
            send = self.python("-m", "bench.send", "--tick-at", tick_info["tick_at"], "--rows", str(rows),
                               "--smtp-port", os.environ.get("BENCH_SMTP_PORT", "0"), database=tick_db,
                               step="send")  # fmt: skip
        self.flush_redis()
        machine_info = machine()
        machine_info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        return {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {**machine_info, "load_average_at_start": self.load_at_start},
            "postgresql": self.pg.server_version(),
            "scale": args.scale,
            "seed": args.seed,
            "repeat": args.repeat,
            "data": {"small": "demo data (manage.py seed_demo)", "large": practice["counts"]},
            "tick_population": tick_info["counts"],
            "small": measured_small,
            "large": measured_large,
            "load": load,
            "tick": tick,
            "send": send,
            "step_seconds": self.timings,
        }


def machine() -> dict:
    import django

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def main(argv: list[str] | None = None) -> int:
    from bench.report import problems, write

    parser = argparse.ArgumentParser(description="Seed a large practice, measure every page and the reminder tick.")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the large practice (1 = 2,000 engagements)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated practice")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (median and p95)")
    parser.add_argument("--load-seconds", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument(
        "--tick-leaders", type=int, default=None, help="leaders in the tick population (100,000 × scale)"
    )
    parser.add_argument("--tick-due", type=int, default=None, help="leaders due in the measured minute (a tenth)")
    parser.add_argument("--fresh", action="store_true", help="rebuild every database even if its fingerprint matches")
    parser.add_argument("--skip-load", action="store_true", help="leave out the gunicorn + wrk step")
    parser.add_argument("--skip-tick", action="store_true", help="leave out the reminder tick")
    parser.add_argument("--skip-send", action="store_true", help="leave out the send rate of the mail workers")
    parser.add_argument("--send-rows", type=int, default=1000, help="e-mails sent by each send-rate run")
    parser.add_argument("--no-write", action="store_true", help="print the table without writing bench/results/")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = Bench(args).run()
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    markdown = write(result, RESULTS, save=not args.no_write, readme=ROOT / "README.md")
    print(markdown)
    log(f"done in {result['total_seconds']} s" + ("" if args.no_write else f"; results in {RESULTS}"))
    found = problems(result)
    for problem in found:
        log(f"PROBLEM: {problem}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
