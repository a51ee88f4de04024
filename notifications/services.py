"""Writes of the outbox: the tick that records what is due, the claim-and-send, preferences and opt-outs.

The database decides what is due and what has been sent (DESIGN.md section 5):

- `tick(now=...)` asks every registered source for what is due, records one row per
  (recipient, kind, period key) — a second tick records nothing new — and enqueues, on commit, one
  send task per batch of rows that are due and not already on its way.
- `notification_deliver(notification_id=...)` claims the row with a conditional update
  (pending -> sending, or a row stuck in sending for longer than `NOTIFICATIONS_SENDING_TIMEOUT`),
  checks opt-outs and the daily limit, renders the e-mail triple and hands it to the mail server.
  A transient SMTP error puts the row back to pending and raises `TransientDeliveryError` so the task
  retries with backoff; after `NOTIFICATIONS_MAX_ATTEMPTS` the row is failed with the error kept.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from time import monotonic
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from accounts.languages import default_language, language_for_user, supported

from . import registry
from .delivery import TransientDeliveryError, describe, is_transient
from .email import build_email, render_email, sender_on_behalf_of
from .models import (
    COACH_ALERT_KINDS,
    URGENT_KINDS,
    Installation,
    Kind,
    Notification,
    NotificationPreference,
    OptOut,
    SourceFailure,
    email_recipient_key,
    user_recipient_key,
)

logger = logging.getLogger(__name__)

RECORD_BATCH = 2000
#: Due rows locked and marked on their way per statement by `notifications_enqueue_due`.
MARK_BATCH = 2000
UNSUBSCRIBE_SALT = "notifications.unsubscribe"

Status = Notification.Status


# --- Recording what is due --------------------------------------------------------------------


def recipient_key_for(*, recipient_id: int | None, recipient_email: str) -> str:
    return user_recipient_key(recipient_id) if recipient_id else email_recipient_key(recipient_email)


#: The columns a due spec fills, in the order of `_values_for`; every other column takes its default.
SPEC_COLUMNS = (
    "recipient_id",
    "recipient_email",
    "recipient_key",
    "kind",
    "period_key",
    "time_zone",
    "engagement_id",
    "context",
    "due_at",
)


def _values_for(spec: registry.DueSpec) -> tuple:
    """The row a spec asks for, as plain values in the order of `SPEC_COLUMNS` (no model instance:
    building tens of thousands of them each minute costs more than inserting the rows)."""
    if not spec.recipient_email:
        raise ValueError(f"A {spec.kind} notification needs the recipient's e-mail address.")
    return (
        spec.recipient_id,
        spec.recipient_email.strip(),
        recipient_key_for(recipient_id=spec.recipient_id, recipient_email=spec.recipient_email),
        spec.kind,
        spec.period_key,
        spec.time_zone,
        spec.engagement_id,
        spec.context,
        spec.due_at,
    )


def _as_model(values: tuple, now: datetime) -> Notification:
    return Notification(**dict(zip(SPEC_COLUMNS, values, strict=True)), created_at=now)


def _insert_sql() -> tuple[str, list[str], list]:
    """INSERT ... SELECT of the rows of a batch that are not in the outbox yet.

    The batch arrives as one JSON document, an array of rows in the order of `SPEC_COLUMNS`: far
    cheaper to build and for the database to read than thousands of separate values. Text columns
    are read as text, so that a value too long for its column is refused, never cut; every other
    column takes its model default, one value for all rows. Rows already recorded are passed over
    with one probe of the unique index each (`NOT EXISTS`), and `ON CONFLICT DO NOTHING` leaves alone
    a row another tick recorded in between, or a row offered twice in one batch: the unique
    constraint remains the guard of exactly once.
    """
    fields = {f.attname: f for f in Notification._meta.concrete_fields if not f.primary_key}
    quote = connection.ops.quote_name
    values = []
    for at, name in enumerate(SPEC_COLUMNS):
        field = fields[name]
        internal = field.get_internal_type()
        if internal in ("CharField", "EmailField", "TextField"):
            values.append(f"r->>{at}")
        elif internal == "JSONField":
            values.append(f"(r->{at})::jsonb")
        else:
            values.append(f"(r->>{at})::{field.db_type(connection)}")
    defaults = [name for name in fields if name not in SPEC_COLUMNS]
    default_values = [fields[name].get_db_prep_save(fields[name].get_default(), connection) for name in defaults]
    columns = [*SPEC_COLUMNS, *defaults]
    table = quote(Notification._meta.db_table)
    given = ", ".join(f"{value} AS {quote(name)}" for value, name in zip(values, SPEC_COLUMNS, strict=True))
    same = " AND ".join(f"n.{quote(c)} = u.{quote(c)}" for c in ("recipient_key", "kind", "period_key"))
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 - names from the model
        f"SELECT {', '.join([f'u.{quote(c)}' for c in SPEC_COLUMNS] + ['%s'] * len(defaults))} "
        f"FROM (SELECT {given} FROM json_array_elements(%s::json) AS r) AS u "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} n WHERE {same}) "
        "ON CONFLICT DO NOTHING"
    )
    return sql, defaults, default_values


def _json_default(value):
    """Moments (`due_at`) as ISO 8601 with their offset; anything else JSON cannot hold is refused."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be recorded in a notification's row.")


def _insert_new(batch: list[tuple], now: datetime) -> None:
    """Inserts the rows of `batch` (values in the order of `SPEC_COLUMNS`) that are not in the outbox yet.

    Sources offer every message of their window minute after minute (a reminder for each session of
    the next day), so most rows of a batch usually exist already. On PostgreSQL the whole batch is one
    statement (`_insert_sql`); elsewhere, `bulk_create` ignoring conflicts.
    """
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create([_as_model(values, now) for values in batch], ignore_conflicts=True)
        return
    sql, defaults, default_values = _insert_sql()
    constants = [now if name == "created_at" else value for name, value in zip(defaults, default_values, strict=True)]
    rows = json.dumps(batch, default=_json_default)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, rows])  # the SELECT list's defaults come first in the statement


def _insert_batch(batch: list[tuple[tuple, str]], now: datetime) -> None:
    """Inserts a batch in one statement; if the database refuses it, row by row, reporting the rows it refuses."""
    try:
        with transaction.atomic():
            _insert_new([values for values, _ in batch], now)
        return
    except Exception:  # noqa: S110 - a value the database will not take: find it without losing the others
        pass
    for values, label in batch:
        try:
            with transaction.atomic():
                _insert_new([values], now)
        except Exception as exc:
            registry.row_failed(kind=values[SPEC_COLUMNS.index("kind")], row=label, stage=SourceFailure.Stage.RECORD,
                                exc=exc)  # fmt: skip


def _record(pairs: Iterable[tuple[registry.DueSpec, str]], now: datetime, *, kind: str = "") -> int:
    """Records each (spec, row label) due at `now`, in batches. A spec that cannot be recorded is
    reported and skipped; if the iteration itself raises, what came before it is still recorded and
    the failure is reported against the whole source."""
    offered = 0
    batch: list[tuple[tuple, str]] = []

    def flush() -> None:
        if batch:
            _insert_batch(batch, now)
        batch.clear()

    iterator = iter(pairs)
    while True:
        try:
            spec, label = next(iterator)
        except StopIteration:
            break
        except Exception as exc:  # a finder that raised mid-iteration: every later row of it is lost this tick
            registry.row_failed(kind=kind, row="", stage=SourceFailure.Stage.SOURCE, exc=exc)
            break
        if spec.due_at > now:
            continue
        try:
            values = _values_for(spec)
        except Exception as exc:
            registry.row_failed(kind=spec.kind, row=label, stage=SourceFailure.Stage.RECORD, exc=exc)
            continue
        batch.append((values, label))
        offered += 1
        if len(batch) >= RECORD_BATCH:
            flush()
    flush()
    return offered


def notifications_record(*, specs: Iterable[registry.DueSpec], now: datetime) -> int:
    """Records every spec that is due at `now`, in batches; a row that exists already is left alone.

    Returns how many specs were offered (not how many were new: a row that exists is skipped, and a
    conflicting insert is silently skipped by the database, which is the point). A spec that cannot
    be recorded is logged and skipped; the others are recorded.
    """
    return _record(((spec, "") for spec in specs), now)


def source_failures_store(*, failures: Iterable[registry.RowFailure], now: datetime) -> int:
    """Counts each failed row once for this tick in `SourceFailure` (first and last seen, how often)."""
    stored = 0
    for failure in {(f.kind, f.row): f for f in failures}.values():
        fields = {"stage": failure.stage, "error": failure.error, "last_seen_at": now}
        match = SourceFailure.objects.filter(kind=failure.kind, row=failure.row)
        if not match.update(count=F("count") + 1, **fields):
            try:
                with transaction.atomic():
                    SourceFailure.objects.create(kind=failure.kind, row=failure.row, first_seen_at=now, **fields)
            except IntegrityError:  # another tick counted it in between
                match.update(count=F("count") + 1, **fields)
        stored += 1
    return stored


def notification_owe_now(
    *,
    kind: str,
    period_key: str,
    recipient_id: int | None,
    recipient_email: str,
    time_zone: str = "UTC",
    engagement_id: int | None = None,
    context: dict | None = None,
    now: datetime | None = None,
) -> Notification:
    """Records one message owed right now, outside the tick (an invitation someone just sent), and
    enqueues its send when the transaction commits. Recording the same message twice is harmless;
    if the broker is down, the tick enqueues the row again after `NOTIFICATIONS_SENDING_TIMEOUT`."""
    now = now or timezone.now()
    spec = registry.DueSpec(
        kind=kind,
        period_key=period_key,
        due_at=now,
        recipient_id=recipient_id,
        recipient_email=recipient_email,
        time_zone=time_zone,
        engagement_id=engagement_id,
        context=context or {},
    )
    values = _values_for(spec)
    _insert_new([values], now)
    recipient_key = values[SPEC_COLUMNS.index("recipient_key")]
    notification = Notification.objects.get(recipient_key=recipient_key, kind=kind, period_key=period_key)
    transaction.on_commit(partial(notifications_hand_to_worker, notification_ids=[notification.pk]))
    return notification


#: After the broker failed to take a message, this process stops trying for this many seconds: a
#: hung broker costs each attempt its connection timeout, and a page that owes twenty e-mails must
#: not wait twenty timeouts. The rows stay pending in the database and the next tick enqueues them.
BROKER_PAUSE_SECONDS = 30.0
_broker_paused_until = 0.0


def _publish(notification_id: int) -> bool:
    """Hands one send task to the broker; False (and a pause) when the broker does not take it."""
    from .tasks import send_notification

    return _hand_over(send_notification, notification_id, what=f"notification {notification_id}")


def _publish_batch(notification_ids: list[int]) -> bool:
    """Hands one task for a whole batch of rows to the broker; False (and a pause) when it is not taken."""
    from .tasks import send_notification_batch

    what = f"{len(notification_ids)} notifications from {notification_ids[0]} on"
    return _hand_over(send_notification_batch, notification_ids, what=what)


def _hand_over(task, argument, *, what: str) -> bool:
    global _broker_paused_until

    if monotonic() < _broker_paused_until:
        return False
    try:
        task.delay(argument)
    except Exception:  # broker down or hung: the rows stay due, the tick enqueues them again
        logger.exception("Could not enqueue %s; not trying again for %s s", what, BROKER_PAUSE_SECONDS)
        _broker_paused_until = monotonic() + BROKER_PAUSE_SECONDS
        return False
    return True


def notifications_hand_to_worker(*, notification_ids: Iterable[int]) -> int:
    """Enqueues a send for rows recorded outside the tick (an invitation, a feedback request) at once.

    Each row is marked on its way with a conditional update first, so a tick that took it in between
    is not doubled; a row the broker did not take is unmarked, so the next tick enqueues it instead of
    waiting for `NOTIFICATIONS_SENDING_TIMEOUT`. Never raises; returns how many were handed over.
    """
    handed = 0
    for pk in notification_ids:
        marked = Notification.objects.filter(pk=pk, status=Status.PENDING, enqueued_at__isnull=True).update(
            enqueued_at=timezone.now()
        )
        if not marked:
            continue  # a tick took it already, or it is no longer pending
        if _publish(pk):
            handed += 1
        else:
            Notification.objects.filter(pk=pk, status=Status.PENDING).update(enqueued_at=None)
    return handed


def _enqueue_sends(notification_ids: list[int]) -> None:
    """One task message for the whole batch: a worker claims each row in turn with the same
    conditional update as a single send (`notification_deliver`). A batch the broker does not take
    stays marked, so the tick enqueues its rows again after `NOTIFICATIONS_SENDING_TIMEOUT`, as for a
    lost message."""
    if notification_ids:
        _publish_batch(notification_ids)


def notifications_enqueue_due(*, now: datetime) -> int:
    """Enqueues a send for each due row not already on its way; returns how many were enqueued.

    A row counts as on its way for `NOTIFICATIONS_SENDING_TIMEOUT` after it was enqueued, so a lost
    task message or a worker killed mid-send is retried after that time, never sooner. Rows are taken
    a batch at a time: locked (`SKIP LOCKED`: a second tick at the same moment passes over them and,
    once this batch commits, no longer sees them as due), marked with one UPDATE, and their sends
    enqueued when the batch commits, one task message per `NOTIFICATIONS_SEND_BATCH` rows (a batch
    locks and marks up to `MARK_BATCH` rows, several messages' worth, with two statements).
    So two ticks at the same moment enqueue each row once, with two statements and one broker
    message per batch instead of one of each per row.
    """
    global _broker_paused_until
    _broker_paused_until = 0.0  # the tick is where a paused process tries the broker again
    stale = now - timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT)
    not_on_its_way = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale)
    due = (Q(status=Status.PENDING, due_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=stale)) & not_on_its_way
    send_batch = settings.NOTIFICATIONS_SEND_BATCH
    # Rows are locked and marked several messages' worth at a time: fewer statements and commits.
    mark_batch = send_batch * max(1, MARK_BATCH // send_batch)
    enqueued = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            pks = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(due, pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:mark_batch]
            )
            if not pks:
                return enqueued
            last_pk = pks[-1]
            Notification.objects.filter(pk__in=pks).update(enqueued_at=now)
            for start in range(0, len(pks), send_batch):
                transaction.on_commit(partial(_enqueue_sends, pks[start : start + send_batch]))
        enqueued += len(pks)


@dataclass
class TickResult:
    offered: int = 0
    released: int = 0
    enqueued: int = 0
    failures: int = 0


def tick(*, now: datetime | None = None) -> TickResult:
    """Records what every source says is due, releases messages held by the daily limit, enqueues sends.

    Failures are isolated per row and per source: a row whose message cannot be worked out or
    recorded is skipped, logged and counted in `SourceFailure`, and everything else goes on.
    """
    now = now or timezone.now()
    with _without_jit():
        return _tick(now)


@contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL's JIT compiler off for the tick's statements: the finders' queries over every person
    are estimated as expensive, and compiling them took longer than running them (half a second a
    minute at 100,000 leaders). Only this connection, only while the tick runs."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET jit")
        except DatabaseError:  # the transaction failed: its SET is undone with it
            pass


def _tick(now: datetime) -> TickResult:
    result = TickResult()
    with registry.collecting_failures() as failures:
        for source in registry.sources():
            try:
                result.offered += _record(source.due(now), now, kind=source.kind)
            except Exception as exc:  # one broken source must not silence every other reminder
                logger.exception("Notification source %s failed", source.kind)
                registry.row_failed(kind=source.kind, row="", stage=SourceFailure.Stage.SOURCE, exc=exc)
    try:
        result.failures = source_failures_store(failures=failures, now=now)
    except Exception:  # counting is bookkeeping: the messages still go out
        logger.exception("Could not count %s failed notification source rows", len(failures))
    result.released = Notification.objects.filter(status=Status.DEFERRED, due_at__lte=now).update(
        status=Status.PENDING, enqueued_at=None
    )
    result.enqueued = notifications_enqueue_due(now=now)
    return result


# --- Claiming and sending ---------------------------------------------------------------------


class _LostClaim(Exception):
    """Another worker took the row over (it was stuck past the timeout); this one stops quietly."""


def notification_claim(*, notification_id: int, now: datetime) -> Notification | None:
    """Moves a due row to sending with a conditional update; None when there is nothing to claim."""
    stale = now - timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT)
    claimable = Q(status=Status.PENDING, due_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=stale)
    claimed = Notification.objects.filter(claimable, pk=notification_id).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return None
    return Notification.objects.select_related("recipient").get(pk=notification_id)


def _mine(notification: Notification):
    """The row, as long as this worker's claim still holds it."""
    return Notification.objects.filter(pk=notification.pk, status=Status.SENDING, attempts=notification.attempts)


def _finish(notification: Notification, **fields) -> str:
    if not _mine(notification).update(**fields):
        logger.warning(
            "Notification %s was taken over before it could be marked %s", notification.pk, fields.get("status")
        )
    return fields["status"]


def _fail(notification: Notification, error: str) -> str:
    logger.warning("Notification %s failed: %s", notification.pk, error)
    return _finish(notification, status=Status.FAILED, last_error=error, cap_day=None)


def _skip(notification: Notification, reason: str) -> str:
    return _finish(notification, status=Status.SKIPPED, skip_reason=reason[:200], cap_day=None)


def _defer(notification: Notification, now: datetime) -> str:
    """Held back by the daily limit: tried again on the recipient's next morning (not an attempt)."""
    return _finish(
        notification,
        status=Status.DEFERRED,
        due_at=notification.next_day_release(now),
        claimed_at=None,
        enqueued_at=None,
        attempts=F("attempts") - 1,
    )


def _take_daily_slot(notification: Notification, now: datetime) -> bool:
    """Takes the recipient's one non-urgent e-mail of the day; False if another message has it.

    The partial unique constraint on (recipient key, cap day) decides, so two workers sending two
    messages to one person at the same moment cannot both pass.
    """
    day = notification.local_day(now)
    try:
        with transaction.atomic():
            if not _mine(notification).update(cap_day=day):
                raise _LostClaim
    except IntegrityError:
        return False
    notification.cap_day = day
    return True


def _opt_out_reason(notification: Notification) -> str:
    if OptOut.objects.filter(recipient_key=notification.recipient_key, kind=notification.kind).exists():
        return gettext_noop("The recipient has turned these e-mails off.")
    if notification.recipient is not None and not notification.recipient.is_active:
        return gettext_noop("The recipient's account is inactive.")
    return ""


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def installation_key() -> uuid.UUID:
    """This database's random key (`Installation`), made by a migration or, failing that, on first use."""
    installation = Installation.objects.filter(pk=1).first()
    if installation is None:
        try:
            with transaction.atomic():
                installation = Installation.objects.create(pk=1)
        except IntegrityError:  # another process made it at the same moment
            installation = Installation.objects.get(pk=1)
    return installation.key


def message_id(notification: Notification) -> str:
    """The Message-ID of a notification's e-mail: the same for every retry of that message, and never
    the same for two messages of one installation or of two (a reset database starts ids again at 1,
    but with a new installation key). It names the site's own domain, from `SITE_URL`."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}.{installation_key().hex}@{domain}>"


def recipient_language(notification: Notification, source: registry.Source | None = None) -> str:
    """The language the notification's e-mail is written in: the recipient's, never the sender's or
    the worker's. A person with an account reads their own (or their practice's default); someone
    without one (a stakeholder) the one their source names."""
    if notification.recipient is not None:
        return language_for_user(notification.recipient)
    source = source or registry.source_for(notification.kind)
    if source is not None and source.language_of is not None:
        return supported(source.language_of(notification)) or default_language()
    return default_language()


def _email_context(notification: Notification, message: registry.Message) -> dict:
    recipient = notification.recipient
    return {
        **message.context,
        "link": _absolute(message.link),
        "recipient_name": recipient.get_short_name() if recipient is not None else "",
        "recipient_tz": notification.time_zone,
        "kind_label": notification.get_kind_display(),
        "unsubscribe_url": unsubscribe_url(notification_id=notification.pk),
        "preferences_url": settings.SITE_URL + reverse("notifications:preferences") if recipient is not None else "",
    }


def compose(notification: Notification, message: registry.Message, *, also: list | None = None):
    """The e-mail for a notification: the source's triple plus unsubscribe links and headers.

    With `also` (other rows of the same recipient with their messages), one digest e-mail carries
    them all: each message's subject, text and link, and every attachment.
    """
    recipient = notification.recipient
    address = recipient.email if recipient is not None else notification.recipient_email
    context = _email_context(notification, message)
    unsubscribe = context["unsubscribe_url"]
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "Message-ID": message_id(notification),
        "X-Coaching-Notification": str(notification.pk),
    }
    if also:
        items = []
        attachments = []
        for row, row_message in [(notification, message), *also]:
            row_context = _email_context(row, row_message)
            subject, text, _ = render_email(row_message.template, row_context)
            items.append({"subject": subject, "text": text, "link": row_context["link"], **row_context})
            attachments.extend(row_message.attachments)
        digest_context = {**context, "items": items, "first_subject": items[0]["subject"], "more": len(items) - 1}
        return build_email(
            template="digest", to=[address], context=digest_context, headers=headers, attachments=attachments
        )
    from_email = ""
    if message.on_behalf_of_name:
        from_email = sender_on_behalf_of(
            person_name=message.on_behalf_of_name, organisation=message.on_behalf_of_organisation
        )
    return build_email(
        template=message.template,
        to=[address],
        context=context,
        headers=headers,
        attachments=message.attachments,
        from_email=from_email,
        reply_to=message.reply_to,
    )


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> str:
    """Claims and sends one notification; returns its new status, or "" when there was nothing to claim.

    Raises `TransientDeliveryError` after putting the row back to pending when the mail server asks to
    try again later and attempts remain (the Celery task retries with backoff).
    """
    now = now or timezone.now()
    notification = notification_claim(notification_id=notification_id, now=now)
    if notification is None:
        return ""
    max_attempts = settings.NOTIFICATIONS_MAX_ATTEMPTS
    if notification.attempts > max_attempts:
        return _fail(
            notification, notification.last_error or f"Interrupted {notification.attempts - 1} times while sending."
        )
    source = registry.source_for(notification.kind)
    if source is None:
        return _fail(notification, f"Nothing in the product sends {notification.get_kind_display().lower()}s any more.")
    reason = _opt_out_reason(notification)
    if reason:
        return _skip(notification, reason)
    try:
        language = recipient_language(notification, source)
        with translation.override(language):
            message = source.build(notification)
            email = compose(notification, message)
    except registry.Skip as skip:
        return _skip(notification, str(skip) or gettext_noop("No longer needed."))
    except Exception as exc:  # a bug or missing row: record it on the outbox rather than retrying forever
        logger.exception("Could not prepare notification %s", notification.pk)
        return _fail(notification, describe(exc))
    alert_digest = notification.kind in COACH_ALERT_KINDS and _wants_alert_digest(notification)
    if alert_digest and not notification.is_morning_release():
        return _defer(notification, now)  # the coach reads alerts in one e-mail each morning
    try:
        if (
            notification.counts_against_daily_limit
            and notification.cap_day is None
            and not _take_daily_slot(notification, now)
        ):
            return _defer(notification, now)
    except _LostClaim:
        return ""
    also = []
    if notification.counts_against_daily_limit or alert_digest:
        with translation.override(language):
            also = _join_waiting(notification, now)
        if also:
            try:
                with translation.override(language):
                    email = compose(notification, message, also=also)
            except Exception as exc:
                logger.exception("Could not prepare the digest of notification %s", notification.pk)
                _give_back(also)
                return _fail(notification, describe(exc))
    try:
        email.send()
    except Exception as exc:
        _give_back(also)
        error = describe(exc)
        if not is_transient(exc) or notification.attempts >= max_attempts:
            return _fail(notification, error)
        _mine(notification).update(status=Status.PENDING, last_error=error, claimed_at=None, enqueued_at=timezone.now())
        raise TransientDeliveryError(error) from exc
    sent_at = timezone.now()
    status = _finish(notification, status=Status.SENT, sent_at=sent_at)
    _after_send(source, notification)
    for row, _ in also:
        _finish(row, status=Status.SENT, sent_at=sent_at)
        _after_send(registry.source_for(row.kind), row)
    return status


def _after_send(source, notification: Notification) -> None:
    if source is not None and source.after_send is not None:
        try:
            source.after_send(notification)
        except Exception:  # the e-mail is out; a bookkeeping error must not make it look unsent
            logger.exception("After-send step of notification %s failed", notification.pk)


# --- Digests ----------------------------------------------------------------------------------

#: At most this many waiting messages join one digest; any others go in the next one.
DIGEST_LIMIT = 20


def _wants_alert_digest(notification: Notification) -> bool:
    return notification.recipient_id is not None and (
        NotificationPreference.objects.filter(
            user_id=notification.recipient_id, coach_alerts=NotificationPreference.CoachAlerts.DIGEST
        ).exists()
    )


def _join_waiting(notification: Notification, now: datetime) -> list[tuple[Notification, registry.Message]]:
    """Claims the recipient's other non-urgent messages held for this morning (by the daily limit, or
    a coach's alert digest) so that they go out in this one e-mail instead of waiting a day each.

    Each is claimed with the same conditional update as a single send, so a worker holding one of
    them finds nothing to claim, and none can go out twice. A message that is no longer wanted is
    skipped and one that cannot be built is failed, on its own row.
    """
    waiting = (
        Notification.objects.filter(
            recipient_key=notification.recipient_key,
            status__in=[Status.PENDING, Status.DEFERRED],
            due_at__lte=now,
        )
        .exclude(pk=notification.pk)
        .exclude(kind__in=URGENT_KINDS)
        .order_by("due_at", "pk")
        .only("pk", "due_at", "time_zone")
    )
    # Held messages are due at a morning release; a message that simply fell due keeps its own turn.
    candidates = [row.pk for row in waiting[: DIGEST_LIMIT * 5] if row.is_morning_release()][:DIGEST_LIMIT]
    joined: list[tuple[Notification, registry.Message]] = []
    for pk in candidates:
        claimed = Notification.objects.filter(
            pk=pk, status__in=[Status.PENDING, Status.DEFERRED], due_at__lte=now
        ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        if claimed != 1:
            continue
        row = Notification.objects.select_related("recipient").get(pk=pk)
        source = registry.source_for(row.kind)
        if source is None:
            _fail(row, f"Nothing in the product sends {row.get_kind_display().lower()}s any more.")
            continue
        reason = _opt_out_reason(row)
        if reason:
            _skip(row, reason)
            continue
        try:
            joined.append((row, source.build(row)))
        except registry.Skip as skip:
            _skip(row, str(skip) or gettext_noop("No longer needed."))
        except Exception as exc:
            logger.exception("Could not prepare notification %s", row.pk)
            _fail(row, describe(exc))
    return joined


def _give_back(joined: list[tuple[Notification, registry.Message]]) -> None:
    """The digest did not go out: its other messages wait again, due now, as if never claimed."""
    for row, _ in joined:
        _mine(row).update(status=Status.PENDING, claimed_at=None, enqueued_at=None, attempts=F("attempts") - 1)


# --- Unsubscribing and preferences ------------------------------------------------------------


def unsubscribe_token(*, notification_id: int) -> str:
    """The signed, opaque token of a message's unsubscribe link: it names the message, not the person."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(notification_id))


def unsubscribe_url(*, notification_id: int) -> str:
    return settings.SITE_URL + reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(notification_id=notification_id)]
    )


def unsubscribe_read(*, token: str) -> tuple[str, str] | None:
    """(recipient key, kind) of the message behind an unsubscribe link; None for a forged or unknown one."""
    if not token or len(token) > 200:
        return None
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    if not value.isdigit():
        return None
    return Notification.objects.filter(pk=int(value)).values_list("recipient_key", "kind").first()


def opt_out_add(*, recipient_key: str, kind: str, via: str = OptOut.Via.LINK) -> OptOut:
    """Turns one kind of e-mail off for one recipient; doing it twice is harmless."""
    if kind not in Kind.values:
        raise ValidationError({"kind": gettext("Unknown kind of e-mail.")})
    try:
        with transaction.atomic():
            opt_out, _ = OptOut.objects.get_or_create(recipient_key=recipient_key, kind=kind, defaults={"via": via})
    except IntegrityError:  # the same click arriving twice at once
        opt_out = OptOut.objects.get(recipient_key=recipient_key, kind=kind)
    return opt_out


@transaction.atomic
def preferences_update(
    *,
    user,
    reflection_weekday: int,
    reflection_time: time,
    wanted_kinds: Iterable[str],
    offered_kinds: Iterable[str],
    coach_alerts: str = "",
) -> NotificationPreference:
    """Saves when the weekly reflection prompt comes, which of the offered kinds the person wants,
    and (for a coach) whether alerts come as they happen or in one e-mail each morning."""
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    preference.reflection_weekday = reflection_weekday
    preference.reflection_time = reflection_time.replace(second=0, microsecond=0)
    if coach_alerts:
        preference.coach_alerts = coach_alerts
    preference.full_clean()
    preference.save()
    key = user_recipient_key(user.pk)
    wanted = set(wanted_kinds)
    offered = set(offered_kinds)
    OptOut.objects.filter(recipient_key=key, kind__in=wanted & offered).delete()
    for kind in sorted(offered - wanted):
        OptOut.objects.get_or_create(recipient_key=key, kind=kind, defaults={"via": OptOut.Via.PREFERENCES})
    return preference


def preferences_seed_defaults(*, users: Iterable) -> int:
    """Gives each person a preference row with the defaults (Friday 16:00); existing rows are kept."""
    created = 0
    for user in users:
        _, was_created = NotificationPreference.objects.get_or_create(user=user)
        created += was_created
    return created
