"""Sources: where the apps that own the data tell the outbox what is due and what to say.

`notifications` sits at the bottom of the dependency graph and knows nothing of sessions, commitments
or feedback requests. Each app above it registers, from its `AppConfig.ready()`, one `Source` per kind:

- `find_rows(now)` yields the raw rows (tuples from `values_list`) that may owe a message at `now`,
  and `spec_for(row, now)` turns one row into its `DueSpec` (or several, or None). Rows must not all be
  loaded into memory: filter in SQL and iterate with `.iterator(chunk_size=...)`. The tick computes
  and records each row on its own: a row whose spec raises (a date at the end of the calendar, a
  broken time zone) is skipped, logged with the source's kind and the row's id (`row_id(row)`, the
  first column by default) and counted in `SourceFailure`; the other rows and sources go on.
  Yielding a spec again is harmless: the outbox records each (recipient, kind, period key) once.
- `find_due(now)`, the older form, yields the `DueSpec`s themselves. It still works, but a generator
  that raises loses every row after the one that raised: prefer `find_rows` and `spec_for`. Sources
  of the newer form offer `find_due` too (derived from the pair), for callers that want plain specs.
- `build(notification)` returns what to send as a `Message`, or raises `Skip` when the message is no
  longer wanted (the session was cancelled, the answer arrived, the engagement was paused).
- `applies_to(user)` says whether the person can receive this kind, for the preferences page.
- `after_send(notification)`, optional, records on the owning app's rows that the message went out.
- `language_of(notification)`, optional, names the language of a message to someone without an
  account (a stakeholder). The outbox renders every message in its recipient's language: a person's
  own (accounts.languages.language_for_user), else this, else the site's default.

Inside `spec_for`, a source that combines several rows into one message (the fieldwork nudge lists
each commitment of a session) guards each part with `row_guard(kind=..., row=...)`, so one bad part
is reported and left out while the message still goes out for the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .models import Kind, Notification, SourceFailure

logger = logging.getLogger("notifications.sources")


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
    # Sent for a person (a coach asking stakeholders): their name is shown as the sender ("Ada
    # Lovelace via Northwind Coaching", at the site's own address) and replies go to them.
    on_behalf_of_name: str = ""
    on_behalf_of_organisation: str = ""
    reply_to: list[str] = field(default_factory=list)


# --- Failures of single rows -------------------------------------------------------------------


@dataclass(frozen=True)
class RowFailure:
    """One row a source could not turn into a recorded message during one tick."""

    kind: str
    row: str
    stage: str
    error: str


_failures: ContextVar[list[RowFailure] | None] = ContextVar("notifications_row_failures", default=None)


@contextmanager
def collecting_failures() -> Iterator[list[RowFailure]]:
    """Collects the `RowFailure`s reported while the block runs (the tick stores them afterwards)."""
    collected: list[RowFailure] = []
    token = _failures.set(collected)
    try:
        yield collected
    finally:
        _failures.reset(token)


def describe_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def row_failed(*, kind: str, row: str, stage: str, exc: BaseException) -> None:
    """Logs a row that failed, with the source's kind and the row's id, and counts it if a tick is collecting."""
    what = row or "the whole source"
    logger.error("Notification source %s skipped %s (%s): %s", kind, what, stage, exc, exc_info=exc)
    collected = _failures.get()
    if collected is not None:
        collected.append(RowFailure(kind=kind, row=row, stage=stage, error=describe_error(exc)))


@contextmanager
def row_guard(*, kind: str, row: str, stage: str = SourceFailure.Stage.SPEC) -> Iterator[None]:
    """Runs the block for one row; an exception is reported with `row_failed` and does not propagate."""
    try:
        yield
    except Exception as exc:
        row_failed(kind=kind, row=row, stage=stage, exc=exc)


def _first_column(row: Any) -> object:
    return row[0] if isinstance(row, tuple | list) else getattr(row, "pk", row)


def _as_specs(result: DueSpec | Iterable[DueSpec] | None) -> list[DueSpec]:
    if result is None:
        return []
    if isinstance(result, DueSpec):
        return [result]
    return list(result)


# --- Sources ---------------------------------------------------------------------------------


@dataclass
class Source:
    kind: str
    find_due: Callable[[datetime], Iterable[DueSpec]] | None = None
    build: Callable[[Notification], Message] | None = None
    applies_to: Callable[[object], bool] = lambda user: True
    description: str = ""
    # Bookkeeping of the owning app once the mail server has accepted the message (best effort).
    after_send: Callable[[Notification], None] | None = None
    # The per-row form (see the module docstring): raw rows, and the spec of one row.
    find_rows: Callable[[datetime], Iterable[Any]] | None = None
    spec_for: Callable[[Any, datetime], DueSpec | Iterable[DueSpec] | None] | None = None
    # The language of a message to someone without an account (a stakeholder); a person with an account
    # reads their own (accounts.languages.language_for_user). None: the site's default.
    language_of: Callable[[Notification], str] | None = None
    # What a row is called in logs and in `SourceFailure` ("session" gives "session:12").
    row_name: str = "row"
    row_id: Callable[[Any], object] = _first_column

    def __post_init__(self) -> None:
        if self.build is None:
            raise TypeError(f"The {self.kind} source needs `build`.")
        if (self.find_rows is None) != (self.spec_for is None):
            raise TypeError(f"The {self.kind} source needs both `find_rows` and `spec_for`, or neither.")
        if self.find_rows is None and self.find_due is None:
            raise TypeError(f"The {self.kind} source needs `find_rows` and `spec_for`, or `find_due`.")
        if self.find_due is None:
            self.find_due = self._find_due_from_rows

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    @property
    def per_row(self) -> bool:
        return self.find_rows is not None

    def row_label(self, row: Any) -> str:
        try:
            return f"{self.row_name}:{self.row_id(row)}"[:100]
        except Exception:
            return self.row_name

    def due(self, now: datetime) -> Iterator[tuple[DueSpec, str]]:
        """(spec, row label) for every message due at `now`; a row whose spec raises is reported and skipped.

        A source of the older form (`find_due` only) is iterated as a whole: its specs carry no row label.
        """
        if not self.per_row:
            for spec in self.find_due(now):
                yield spec, ""
            return
        for row in self.find_rows(now):
            specs: list[DueSpec] = []
            label = self.row_label(row)
            with row_guard(kind=self.kind, row=label):
                specs = _as_specs(self.spec_for(row, now))
            for spec in specs:
                yield spec, label

    def _find_due_from_rows(self, now: datetime) -> Iterator[DueSpec]:
        for spec, _ in self.due(now):
            yield spec


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
