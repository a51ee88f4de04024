"""A feedback request e-mail survives a broker that is down when the coach presses "send again".

The real stack: PostgreSQL, a Celery worker and beat, an SMTP server, and a Redis of the test's own
(a throwaway `redis-server` on a free port) as broker and cache, so the test can stop it. With Redis
down the coach's page says the e-mail is queued and the outbox holds the row pending; once Redis is
back, the beat's tick hands the row to the worker, which sends exactly one e-mail.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from tests.integration.test_reminders_end_to_end import Stack

pytestmark = pytest.mark.integration

if shutil.which("redis-server") is None:  # pragma: no cover - Redis is part of the CI toolchain
    pytest.skip("Needs redis-server to run a broker of its own.", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayRedis:
    """A redis-server on a free port, without persistence, that the test stops and starts again."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="module")
def broker():
    redis = ThrowawayRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, broker):
    stack = Stack(tmp_path_factory.mktemp("stakeholders"))
    stack.env["REDIS_URL"] = broker.url
    try:
        yield stack.start()
    except BaseException:
        for name in ("worker", "beat-a", "beat-b"):
            print(f"--- {name} log ---\n{stack.log(name)[-4000:]}")
        raise
    finally:
        stack.stop()


def _requests(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["kind"] == "stakeholder_request"]


def test_send_again_with_the_broker_down_is_queued_and_sent_once_when_it_is_back(stack, broker):
    sink = stack.sink
    people = stack.scenario("feedback", "resend")
    pat = people["stakeholder"]
    assert sink.wait_for(lambda: len(sink.delivered_to(pat)) == 1, timeout=45), "the first request never arrived"

    broker.stop()
    result = stack.scenario("resend", people["coach"], str(people["request"]))

    assert result == {"status": 302, "queued": True, "on_its_way": False}
    first, again = _requests(stack.outbox(pat))
    assert (first["status"], again["status"]) == ("sent", "pending")
    time.sleep(3)
    assert len(sink.delivered_to(pat)) == 1  # nothing can leave while the broker is down

    broker.start()
    assert sink.wait_for(lambda: len(sink.delivered_to(pat)) >= 2, timeout=60), "the queued e-mail was never sent"
    time.sleep(5)  # more ticks from both beats add nothing
    delivered = sink.delivered_to(pat)
    assert len(delivered) == 2
    rows = stack.wait_for_outbox([pat], lambda rs: all(r["status"] == "sent" for r in rs), timeout=15)
    assert [(r["status"], r["attempts"]) for r in _requests(rows)] == [("sent", 1), ("sent", 1)]
    assert delivered[-1].notification_id == str(again["id"])
    assert delivered[-1].message["Message-ID"].startswith(f"<notification-{again['id']}.")
