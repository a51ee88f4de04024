"""Fixtures for the outbox: a stand-in source whose due messages a test controls."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from notifications import registry
from notifications.models import Kind
from notifications.registry import DueSpec, Message, Skip, Source

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class FakeSource:
    """Yields `specs` from `find_due`; `build` renders the test-note triple or skips with `skip_reason`."""

    kind: str
    specs: list[DueSpec] = field(default_factory=list)
    skip_reason: str = ""
    built: list[int] = field(default_factory=list)

    def find_due(self, now: datetime) -> Iterator[DueSpec]:
        yield from self.specs

    def build(self, notification) -> Message:
        self.built.append(notification.pk)
        if self.skip_reason:
            raise Skip(self.skip_reason)
        return Message(
            template="test-note",
            context={"number": notification.context.get("n", 0)},
            link=f"/notes/{notification.pk}/",
        )

    def spec(self, *, user=None, email: str = "", due_at: datetime, period: str, **extra) -> DueSpec:
        spec = DueSpec(
            kind=self.kind,
            period_key=period,
            due_at=due_at,
            recipient_id=user.pk if user else None,
            recipient_email=user.email if user else email,
            time_zone=user.time_zone if user else extra.pop("time_zone", "Europe/London"),
            **extra,
        )
        self.specs.append(spec)
        return spec


@pytest.fixture
def test_templates(settings) -> None:
    templates = [dict(t) for t in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEMPLATES]
    settings.TEMPLATES = templates


@pytest.fixture
def only_sources() -> Iterator:
    """Replaces every registered source by the ones a test registers; restores them afterwards."""
    saved = dict(registry._sources)
    registry._sources.clear()

    def use(kind: str) -> FakeSource:
        fake = FakeSource(kind=kind)
        registry.register(Source(kind=kind, find_due=fake.find_due, build=fake.build, description="test"))
        return fake

    yield use
    registry._sources.clear()
    registry._sources.update(saved)


@pytest.fixture
def nudge(only_sources, test_templates) -> FakeSource:
    """A non-urgent kind (agenda prompt) under test control."""
    return only_sources(Kind.AGENDA_PROMPT)


@pytest.fixture
def reminder(only_sources, test_templates) -> FakeSource:
    """An urgent kind (session reminder) under test control."""
    return only_sources(Kind.SESSION_REMINDER)


@pytest.fixture
def run_tick(django_capture_on_commit_callbacks):
    """`run_tick(at)`: one tick at moment `at`, its sends run in-process (eager tasks) before it returns."""
    import time_machine

    from notifications import services

    def run(at: datetime):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return services.tick()

    return run


@pytest.fixture
def admin_client(client):
    """A superuser signed in through the site's sign-in page (the only way into the admin)."""
    from tests.factories import TEST_PASSWORD, UserFactory

    operator = UserFactory(email="otto@example.com", is_staff=True, is_superuser=True)
    client.post("/accounts/login/", {"login": operator.email, "password": TEST_PASSWORD})
    return client
