"""Sources: where the apps that own the data tell the outbox what is due and what to say.

`notifications` sits at the bottom of the dependency graph and knows nothing of sessions, commitments
or feedback requests. Each app above it registers, from its `AppConfig.ready()`, one `Source` per kind:

- `find_due(now)` yields a `DueSpec` for every message due at `now` (due time at or before `now`).
  It must not load every row into memory: filter in SQL and iterate with `.iterator(chunk_size=...)`.
  Yielding a spec again is harmless: the outbox records each (recipient, kind, period key) once.
- `build(notification)` returns what to send as a `Message`, or raises `Skip` when the message is no
  longer wanted (the session was cancelled, the answer arrived, the engagement was paused).
- `applies_to(user)` says whether the person can receive this kind, for the preferences page.
- `after_send(notification)`, optional, records on the owning app's rows that the message went out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .models import Kind, Notification


class Skip(Exception):  # noqa: N818 - it is a decision, not an error
    """Raised by `Source.build` when a recorded message should no longer be sent; the text is the reason."""


@dataclass(frozen=True)
class DueSpec:
    """One message due to one recipient. `context` holds ids only: rows are read again when sending."""

    kind: str
    period_key: str
    due_at: datetime
    recipient_id: int | None = None
    recipient_email: str = ""
    time_zone: str = "UTC"
    engagement_id: int | None = None
    context: dict = field(default_factory=dict)


@dataclass
class Message:
    """What a source wants sent: the e-mail triple's name, its context and the link it asks people to follow."""

    template: str
    context: dict
    link: str
    # Arguments for `EmailMessage.attach()`: (name, content, MIME type) or a one-element (MIME part,).
    attachments: list[tuple] = field(default_factory=list)


@dataclass
class Source:
    kind: str
    find_due: Callable[[datetime], Iterable[DueSpec]]
    build: Callable[[Notification], Message]
    applies_to: Callable[[object], bool] = lambda user: True
    description: str = ""
    # Bookkeeping of the owning app once the mail server has accepted the message (best effort).
    after_send: Callable[[Notification], None] | None = None

    @property
    def label(self) -> str:
        return Kind(self.kind).label


_sources: dict[str, Source] = {}


def register(source: Source) -> Source:
    """Registers (or replaces, for tests and reloads) the source of one kind."""
    if source.kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {source.kind!r}; add it to notifications.models.Kind.")
    _sources[source.kind] = source
    return source


def unregister(kind: str) -> None:
    _sources.pop(kind, None)


def source_for(kind: str) -> Source | None:
    return _sources.get(kind)


def sources() -> list[Source]:
    """Registered sources in the order of `Kind`."""
    return [_sources[k] for k in Kind.values if k in _sources]
