"""Reminders end to end: a real Celery worker and two beats on Redis, PostgreSQL, and a real SMTP server.

The test creates, migrates and drops its own database (not pytest-django's), starts an SMTP server on
a free port, and runs `celery worker` and two `celery beat` processes against them with short timings
(a tick every second, a 10-second "stuck in sending" timeout). It needs REDIS_URL and a PostgreSQL
DATABASE_URL; CI sets both. Every wait is bounded and every process is killed at the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.integration.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
REDIS_URL = os.environ.get("REDIS_URL", "")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
SENDING_TIMEOUT = 10
EMAIL_TIMEOUT = 5

if not REDIS_URL or not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    pytest.skip(
        "Needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both): it runs a real Celery worker and beat.",
        allow_module_level=True,
    )


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    """Runs one statement outside any transaction (CREATE/DROP DATABASE) on the server of DATABASE_URL."""
    import psycopg2

    parts = urlsplit(DATABASE_URL)
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


class Stack:
    """A fresh database, an SMTP sink, one worker and two beats; `stop()` ends them all."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.key = uuid.uuid4().hex[:10]
        self.database = f"coaching_it_{self.key}"
        self.sink = SmtpSink(stall_seconds=30)
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_SETTINGS", "PYTEST"))},
            "DJANGO_SETTINGS_MODULE": "tests.integration.settings",
            "DEBUG": "1",
            "DATABASE_URL": _with_database(DATABASE_URL, self.database),
            "REDIS_URL": REDIS_URL,
            "EMAIL_URL": self.sink.url,
            "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "NOTIFICATIONS_TICK_SECONDS": "1",
            "NOTIFICATIONS_SENDING_TIMEOUT": str(SENDING_TIMEOUT),
            "NOTIFICATIONS_RETRY_BACKOFF": "1",
            "NOTIFICATIONS_RETRY_BACKOFF_MAX": "2",
            "NOTIFICATIONS_MAX_ATTEMPTS": "5",
            "INTEGRATION_KEY_PREFIX": f"it-{self.key}:",
            "INTEGRATION_TMP": str(tmp),
            "PYTHONUNBUFFERED": "1",
        }

    # --- lifecycle ---

    def start(self) -> Stack:
        _admin(f'CREATE DATABASE "{self.database}"')
        self.manage("migrate", "--noinput")
        self.sink.start()
        self.start_worker()
        for name in ("beat-a", "beat-b"):  # two beats: every tick happens twice
            self._spawn(name, [CELERY, "-A", "coaching", "beat", "-l", "INFO", "-s", str(self.tmp / f"{name}.db")])
        self.wait_for_log("worker", "ready.", timeout=60)
        self.wait_for_log("beat-a", "beat: Starting", timeout=30)
        self.wait_for_log("beat-b", "beat: Starting", timeout=30)
        return self

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name)
        try:
            self.sink.stop()
        except Exception:  # noqa: S110 - never started or already stopped
            pass
        _admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"it-{self.key}:*"))
        if keys:
            client.delete(*keys)

    def start_worker(self) -> None:
        self._spawn(
            "worker",
            [
                CELERY,
                "-A",
                "coaching",
                "worker",
                "-l",
                "INFO",
                "-P",
                "prefork",
                "-c",
                "2",
                "-n",
                f"it-{self.key}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
        )

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self, name: str) -> None:
        """SIGKILL the process and every child it forked (its own process group)."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_for_log(self, name: str, text: str, *, timeout: float, after: int = 0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log(name)[after:]:
                return
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{name} did not log {text!r} in {timeout}s:\n{self.log(name)[-3000:]}")

    # --- commands against the test's database ---

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, timeout=120, capture_output=True
        )

    def scenario(self, *args: str):
        result = subprocess.run(
            [sys.executable, "-m", "tests.integration.scenario", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def outbox(self, *emails: str) -> list[dict]:
        return self.scenario("outbox", *emails)

    def wait_for_outbox(self, emails, predicate, *, timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        rows = self.outbox(*emails)
        while not predicate(rows) and time.monotonic() < deadline:
            time.sleep(0.5)
            rows = self.outbox(*emails)
        return rows


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("reminders"))
    try:
        yield stack.start()
    except BaseException:
        for name in ("worker", "beat-a", "beat-b"):
            print(f"--- {name} log ---\n{stack.log(name)[-4000:]}")
        raise
    finally:
        stack.stop()


def _by_kind(rows: list[dict], kind: str) -> list[dict]:
    return [r for r in rows if r["kind"] == kind]


def test_due_reminders_arrive_once_each_on_time_despite_two_beats_and_a_replayed_message(stack):
    people = stack.scenario("seed", "ontime", str(24 * 3600 + 20))  # the reminders fall due in 20 seconds
    leader, coach = people["leader"], people["coach"]
    sink = stack.sink
    # The agenda prompt is due at once (the session is less than two days away); the reminders are not yet.
    assert sink.wait_for(lambda: len(sink.delivered_to(leader)) >= 1, timeout=30)
    time.sleep(5)
    assert [m.message["Subject"].startswith("Bring your topics") for m in sink.delivered_to(leader)] == [True]
    assert sink.delivered_to(coach) == []
    # Then the due time passes: one reminder each.
    assert sink.wait_for(lambda: len(sink.delivered_to(leader)) >= 2 and sink.delivered_to(coach), timeout=45)
    time.sleep(4)  # a few more ticks from both beats
    rows = stack.outbox(leader, coach)
    assert sorted((r["to"], r["kind"], r["status"], r["attempts"]) for r in rows) == sorted(
        [
            (leader, "agenda_prompt", "sent", 1),
            (leader, "session_reminder", "sent", 1),
            (coach, "session_reminder", "sent", 1),
        ]
    )
    # A replayed task message and an extra tick add no copy.
    stack.scenario("replay", *[str(r["id"]) for r in rows])
    time.sleep(4)
    leader_mail, coach_mail = sink.delivered_to(leader), sink.delivered_to(coach)
    assert len(leader_mail) == 2 and len(coach_mail) == 1
    assert sorted(m.notification_id for m in leader_mail + coach_mail) == sorted(str(r["id"]) for r in rows)
    reminder = next(m.message for m in coach_mail)
    assert reminder["Subject"].startswith("Reminder: session with Lee Lindqvist")
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert any(part.get_content_type() == "text/calendar" for part in reminder.walk())


def test_a_worker_killed_before_the_server_accepted_ends_with_exactly_one_delivery(stack):
    sink = stack.sink
    leader_email = "killed-leader@example.com"
    sink.stall_once(leader_email)  # the server holds the first attempt without answering
    people = stack.scenario("seed", "killed", str(23 * 3600), "coach-opted-out")
    leader = people["leader"]
    assert leader == leader_email
    assert sink.handler.stalling.wait(timeout=30), "the worker never reached the SMTP server"
    stack.kill("worker")  # SIGKILL, mid-send
    killed_at = time.monotonic()
    (row,) = _by_kind(stack.outbox(leader), "session_reminder")
    assert (row["status"], row["attempts"]) == ("sending", 1)  # the outbox shows it in flight
    log_size = len(stack.log("worker"))
    stack.start_worker()
    stack.wait_for_log("worker", "ready.", timeout=60, after=log_size)
    # Retried only after the "stuck in sending" timeout, which is longer than the SMTP timeout.
    while time.monotonic() - killed_at < SENDING_TIMEOUT - 3:
        assert sink.delivered_to(leader) == []
        time.sleep(0.5)
    assert sink.wait_for(lambda: sink.delivered_to(leader), timeout=SENDING_TIMEOUT + 30)
    rows = stack.wait_for_outbox([leader], lambda rs: all(r["status"] == "sent" for r in rs), timeout=15)
    time.sleep(3)
    assert len(sink.delivered_to(leader)) == 1
    assert [(r["kind"], r["status"], r["attempts"]) for r in rows] == [("session_reminder", "sent", 2)]
    assert _by_kind(stack.outbox(people["coach"]), "session_reminder")[0]["status"] == "skipped"


def test_a_server_that_refuses_twice_then_accepts_gets_the_message_once(stack):
    sink = stack.sink
    leader_email = "refused-leader@example.com"
    sink.refuse(leader_email, times=2)
    people = stack.scenario("seed", "refused", str(23 * 3600))
    leader, coach = people["leader"], people["coach"]
    assert sink.wait_for(lambda: sink.delivered_to(leader) and sink.delivered_to(coach), timeout=45)
    rows = stack.wait_for_outbox([leader], lambda rs: all(r["status"] == "sent" for r in rs), timeout=15)
    time.sleep(3)
    assert sink.refusals_of(leader) == 2
    assert len(sink.delivered_to(leader)) == 1
    assert len(sink.delivered_to(coach)) == 1
    (row,) = rows
    assert (row["status"], row["attempts"]) == ("sent", 3)
    assert "451" in row["last_error"]
