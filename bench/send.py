"""The send rate a mail worker sustains against a local SMTP server (the tick population's database).

The due rows of the tick's minute are recorded (the tick at that minute, its broker hand-over held
back), `--rows` of them are kept, and for each worker count (`--workers`, 1 and 2 processes):

1. the rows are made due again (pending, no attempt, no daily slot taken), the mail queue emptied;
2. a Celery worker (`-Q mail --concurrency N`) starts with `EMAIL_URL` pointing at an aiosmtpd server
   of this process (one that accepts everything) and is waited for until ready;
3. the rows are handed over exactly as the tick does (one task message per `NOTIFICATIONS_SEND_BATCH`
   rows) and the clock runs until every row is sent and the server has received every message.

messages per second = rows / (time from the hand-over to the last row sent). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _Counter:
    """aiosmtpd handler that accepts every message and counts them."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.count += 1
        return "250 OK"


def _wait(condition, *, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"Timed out waiting for {what}.")
        time.sleep(interval)


def _ready(log: Path) -> bool:
    return b"ready." in log.read_bytes()


def _worker(*, concurrency: int, smtp_port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}", "PYTHONUNBUFFERED": "1"}
    celery = Path(sys.executable).with_name("celery")
    command = [str(celery), "-A", "coaching", "worker", "-Q", "mail", "--concurrency", str(concurrency),
               "-l", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def measure(*, tick_at: datetime, rows: int, workers: list[int], smtp_port: int) -> dict:
    import redis
    import time_machine
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db.models import Count
    from django.utils import timezone

    from notifications import services, tasks
    from notifications.models import Notification

    Status = Notification.Status
    recorded = Notification.objects.filter(created_at__gte=tick_at)
    recorded.delete()
    held_back = tasks.send_notification_batch.delay
    tasks.send_notification_batch.delay = lambda pks: None  # recorded here; handed over below, timed
    try:
        with time_machine.travel(tick_at, tick=True):
            services.tick(now=tick_at)
    finally:
        tasks.send_notification_batch.delay = held_back
    pks = list(recorded.order_by("pk").values_list("pk", flat=True)[:rows])
    recorded.exclude(pk__in=pks).delete()
    mine = Notification.objects.filter(pk__in=pks)
    batch = settings.NOTIFICATIONS_SEND_BATCH
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    handler = _Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    result: dict = {"rows": len(pks), "batch": batch, "runs": {}}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for concurrency in workers:
                now = timezone.now()
                mine.update(
                    status=Status.PENDING, attempts=0, cap_day=None, claimed_at=None, sent_at=None,
                    enqueued_at=now, due_at=min(now, tick_at), last_error="", skip_reason="",
                )  # fmt: skip
                broker.delete("mail")
                handler.count = 0
                log = Path(tmp) / f"worker-{concurrency}.log"
                worker = _worker(concurrency=concurrency, smtp_port=smtp_port, log=log)
                try:
                    _wait(partial(_ready, log), timeout=120, what="the worker to start")
                    started = time.perf_counter()
                    for start in range(0, len(pks), batch):
                        tasks.send_notification_batch.delay(pks[start : start + batch])
                    _wait(
                        lambda: not mine.exclude(status__in=[Status.SENT, Status.SKIPPED, Status.FAILED]).exists(),
                        timeout=900,
                        what="every row to be sent",
                    )
                    seconds = time.perf_counter() - started
                finally:
                    _stop(worker)
                statuses = dict(mine.values_list("status").annotate(n=Count("pk")).order_by())
                sent = statuses.get(Status.SENT, 0)
                result["runs"][str(concurrency)] = {
                    "worker_processes": concurrency,
                    "seconds": round(seconds, 2),
                    "sent": sent,
                    "received_by_server": handler.count,
                    "statuses": statuses,
                    "messages_per_second": round(sent / seconds, 1) if seconds else None,
                }
    finally:
        controller.stop()
        mine.delete()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tick-at", required=True, help="ISO moment the tick population was seeded for")
    parser.add_argument("--rows", type=int, default=1000, help="rows sent by each run")
    parser.add_argument("--workers", default="1,2", help="worker process counts, comma-separated")
    parser.add_argument("--smtp-port", type=int, default=0, help="port of the local SMTP server (0: any free one)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    port = args.smtp_port
    if not port:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
    workers = [int(n) for n in args.workers.split(",")]
    json.dump(measure(tick_at=datetime.fromisoformat(args.tick_at), rows=args.rows, workers=workers, smtp_port=port),
              sys.stdout)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
