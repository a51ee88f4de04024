"""The clock never waits behind e-mail: clock tasks and sends travel on queues of their own."""

from __future__ import annotations

from django.conf import settings

from coaching.celery import app


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name, (), {})["queue"].name


def test_the_tick_and_the_round_opener_go_to_the_clock_queue():
    assert queue_of("notifications.tick") == "clock"
    assert queue_of("stakeholders.tasks.open_due_feedback_rounds") == "clock"


def test_every_send_goes_to_the_mail_queue():
    assert queue_of("notifications.send") == "mail"
    assert queue_of("stakeholders.tasks.send_feedback_request") == "mail"


def test_every_beat_entry_runs_on_the_clock_queue():
    assert {queue_of(entry["task"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()} == {"clock"}


def test_a_task_nobody_routed_goes_to_the_mail_queue_which_a_worker_consumes():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert ours, "no project task is registered"
    assert {queue_of(name) for name in ours} <= {"clock", "mail"}
    assert queue_of("accounts.tasks.some_future_task") == "mail"


def test_a_worker_started_without_a_queue_option_consumes_both_queues():
    assert sorted(queue.name for queue in app.conf.task_queues) == ["clock", "mail"]
