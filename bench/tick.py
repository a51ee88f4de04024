"""Times the reminder tick against the tick population (DATABASE_URL seeded by `bench.seed --kind tick`).

The clock is moved to the seeded minute at which `due` leaders' weekly reflection prompts fall due
(the outbox already holds what was due before it, as in a running system). Measured, each in the
same process:

1. the tick at that minute (records the due rows and enqueues their sends on the Redis broker, one
   message per batch of `NOTIFICATIONS_SEND_BATCH` rows);
2. the same tick again, with its SQL captured: the number of queries, after the rows of (1) are removed;
3. a second tick in the same minute, which finds nothing new: the cost of a quiet minute;
4. a plain `bulk_create` of as many outbox rows as (1) recorded, into the same table (then removed).

The peak memory the process gained during (1) shows whether the tick holds every leader in memory.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import datetime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(*, tick_at: datetime) -> dict:
    import time_machine
    from django.db import connection
    from django.db.models import Count

    from notifications import services
    from notifications.models import Kind, Notification

    def reset() -> None:
        Notification.objects.filter(created_at__gte=tick_at).delete()

    from notifications import tasks

    publish = {"seconds": 0.0, "messages": 0}

    def timed(original):
        def timed_delay(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                publish["seconds"] += time.perf_counter() - started
                publish["messages"] += 1

        return timed_delay

    for task in (tasks.send_notification, tasks.send_notification_batch):
        task.delay = timed(task.delay)
    reset()
    history = Notification.objects.count()
    result: dict = {"tick_at": tick_at.isoformat(), "outbox_rows_before": history}
    with time_machine.travel(tick_at, tick=True):
        rss_before = _rss_mb()
        started = time.perf_counter()
        outcome = services.tick(now=tick_at)
        result["tick_seconds"] = round(time.perf_counter() - started, 3)
        result["peak_memory_growth_mb"] = round(_rss_mb() - rss_before, 1)
        result["publish_seconds"] = round(publish["seconds"], 3)
        result["broker_messages"] = publish["messages"]
        recorded = Notification.objects.filter(created_at__gte=tick_at).count()
        result.update(
            offered=outcome.offered,
            recorded=recorded,
            enqueued=outcome.enqueued,
            recorded_by_kind=dict(
                Notification.objects.filter(created_at__gte=tick_at)
                .values_list("kind")
                .annotate(n=Count("pk"))
                .order_by()
            ),
        )

        reset()
        statements = []
        with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
            services.tick(now=tick_at)
        result["tick_queries"] = len(statements)

        started = time.perf_counter()
        quiet = services.tick(now=tick_at)
        result["quiet_tick_seconds"] = round(time.perf_counter() - started, 3)
        result["quiet_tick_recorded"] = Notification.objects.filter(created_at__gte=tick_at).count() - recorded
        result["quiet_tick_enqueued"] = quiet.enqueued

    rows = [
        Notification(
            recipient_email=f"bulk-{i}@bench.example.com",
            recipient_key=f"email:bulk-{i}@bench.example.com",
            kind=Kind.REFLECTION_PROMPT,
            period_key=f"bench-bulk:{i}",
            due_at=tick_at,
            created_at=tick_at,
        )
        for i in range(max(recorded, 1))
    ]
    started = time.perf_counter()
    Notification.objects.bulk_create(rows, batch_size=1000)
    result["bulk_insert_seconds"] = round(time.perf_counter() - started, 3)
    result["bulk_insert_rows"] = len(rows)
    Notification.objects.filter(period_key__startswith="bench-bulk:").delete()
    reset()
    bulk = max(result["bulk_insert_seconds"], 1e-6)
    result["ratio_tick_to_bulk_insert"] = round(result["tick_seconds"] / bulk, 1)
    # The same without handing the send tasks to the broker: what the database side of the tick costs.
    result["tick_without_publish_seconds"] = round(result["tick_seconds"] - result["publish_seconds"], 3)
    result["ratio_without_publish_to_bulk_insert"] = round(result["tick_without_publish_seconds"] / bulk, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tick-at", required=True, help="ISO moment the tick population was seeded for")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    json.dump(measure(tick_at=datetime.fromisoformat(args.tick_at)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
