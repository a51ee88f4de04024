"""The outbox with the real stack: a poisoned row next to good ones, and a tick behind a mail backlog.

Real PostgreSQL (a fresh database of the test's own), Redis, Celery beat, a clock worker (`-Q clock`)
and, once the backlog test has checked the tick, a mail worker (`-Q mail`), and a real SMTP server.
Needs REDIS_URL and a PostgreSQL DATABASE_URL; CI sets both. Every wait is bounded and every
process is killed at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.integration.test_reminders_end_to_end import CELERY, DATABASE_URL, REDIS_URL, ROOT, Stack

pytestmark = pytest.mark.integration

if not REDIS_URL or not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    pytest.skip(
        "Needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both): it runs real Celery workers and beat.",
        allow_module_level=True,
    )

BACKLOG = 400


class QueueStack(Stack):
    """`Stack` whose first worker consumes only the clock queue; `start_mail_worker()` adds the other."""

    def start_worker(self) -> None:
        self._spawn("worker", self._worker_command("clock"))

    def start_mail_worker(self) -> None:
        if "mail" in self.processes:
            return
        self._spawn("mail", self._worker_command("mail"))
        self.wait_for_log("mail", "ready.", timeout=60)

    def _worker_command(self, queue: str) -> list[str]:
        return [
            CELERY,
            "-A",
            "coaching",
            "worker",
            "-Q",
            queue,
            "-l",
            "INFO",
            "-P",
            "prefork",
            "-c",
            "1" if queue == "clock" else "2",
            "-n",
            f"it-{self.key}-{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]

    def outbox_scenario(self, *args: str):
        result = subprocess.run(
            [sys.executable, "-m", "tests.integration.scenario_outbox", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def queued(self, queue: str) -> int:
        import redis

        return redis.Redis.from_url(REDIS_URL).llen(f"it-{self.key}:{queue}")


def _plain(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = QueueStack(tmp_path_factory.mktemp("outbox"))
    try:
        yield stack.start()
    except BaseException:
        for name in ("worker", "mail", "beat-a", "beat-b"):
            print(f"--- {name} log ---\n{stack.log(name)[-4000:]}")
        raise
    finally:
        stack.stop()


def test_the_tick_records_due_reminders_while_a_mail_backlog_waits_and_the_backlog_then_drains(stack):
    stack.outbox_scenario("backlog", str(BACKLOG))
    assert stack.queued("mail") == BACKLOG
    people = stack.outbox_scenario("session", "backlog", str(23 * 3600))  # reminders due at once
    leader, coach = people["leader"], people["coach"]

    rows = stack.wait_for_outbox([leader, coach], lambda rs: len(rs) == 2, timeout=20)

    assert sorted((r["to"], r["kind"]) for r in rows) == [(coach, "session_reminder"), (leader, "session_reminder")]
    assert {r["status"] for r in rows} == {"pending"}  # recorded by the clock worker; no mail worker yet
    assert stack.queued("mail") >= BACKLOG  # the backlog is still there, untouched
    stack.start_mail_worker()
    sink = stack.sink
    assert sink.wait_for(lambda: sink.delivered_to(leader) and sink.delivered_to(coach), timeout=90)
    deadline = time.monotonic() + 60
    while stack.queued("mail") and time.monotonic() < deadline:  # the last of the backlog, moments later
        time.sleep(0.5)
    assert stack.queued("mail") == 0
    assert (len(sink.delivered_to(leader)), len(sink.delivered_to(coach))) == (1, 1)


def test_a_poisoned_commitment_is_counted_and_every_good_fieldwork_nudge_is_delivered(stack):
    stack.start_mail_worker()
    people = stack.outbox_scenario("fieldwork", "poison")
    lee, liv = people["lee"], people["liv"]
    sink = stack.sink

    assert sink.wait_for(lambda: sink.delivered_to(lee) and sink.delivered_to(liv), timeout=45)

    lee_text, liv_text = _plain(sink.delivered_to(lee)[0].message), _plain(sink.delivered_to(liv)[0].message)
    assert "Ask one question first" in lee_text
    assert "Breathe before answering" not in lee_text
    assert "Journal after the staff meeting" in liv_text
    failures = stack.outbox_scenario("failures")
    assert [(f["kind"], f["row"], f["stage"]) for f in failures] == [
        ("fieldwork_nudge", f"commitment:{people['poisoned']}", "spec")
    ]
    assert failures[0]["error"].startswith("OverflowError")
    time.sleep(3)  # a few more ticks: counted again, and the good nudges are not sent twice
    assert stack.outbox_scenario("failures")[0]["count"] > failures[0]["count"]
    assert (len(sink.delivered_to(lee)), len(sink.delivered_to(liv))) == (1, 1)
    worker_log = stack.log("worker")
    assert f"Notification source fieldwork_nudge skipped commitment:{people['poisoned']}" in worker_log
