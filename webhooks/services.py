"""Writes of webhooks: registering an address, owing an event to every address that wants it, and
delivering one row (claim, signed POST, retry with backoff, then failed with the reason kept).

Signature: every request carries `X-Coaching-Signature: t=<unix time>,v1=<hex>` where `<hex>` is
HMAC-SHA256 of `"<t>.<body>"` under the endpoint's secret (shown to its owner on the endpoint's page).
The secret is derived from the site's secret key and a random nonce on the row, so the database alone
cannot sign.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.tokens import derive_token

from .models import Delivery, Endpoint

logger = logging.getLogger(__name__)

SECRET_SALT = "webhooks.secret"  # noqa: S105 - a salt for the HMAC, not a password
SIGNATURE_HEADER = "X-Coaching-Signature"
USER_AGENT = "Coaching-Webhooks/1"


def endpoint_secret(*, endpoint: Endpoint) -> str:
    return derive_token(salt=SECRET_SALT, value=endpoint.secret_value)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def may_register(user: User) -> bool:
    return user.is_authenticated and (user.is_coach or (user.is_practice_admin and user.practice_id is not None))


def _public_host(url: str) -> bool:
    """Whether every address the URL's host resolves to is a public one (no loopback, private or link-local)."""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_global for info in infos)


def check_url(url: str) -> str:
    url = url.strip()
    URLValidator(schemes=["https", "http"], message=_("Enter a full address starting with https://."))(url)
    if not settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS and not _public_host(url):
        raise ValidationError(
            _("This address does not lead to a public server. Enter the address of your receiving server.")
        )
    return url


def endpoint_register(*, owner: User, url: str, description: str = "") -> Endpoint:
    """Registers an address: a coach's receives their own engagements' events, a practice admin's the practice's."""
    if not may_register(owner):
        raise PermissionDenied(_("Only coaches and practice admins register webhooks."))
    endpoint = Endpoint(
        owner=owner,
        practice_id=owner.practice_id if owner.is_practice_admin and not owner.is_coach else None,
        url=url.strip(),
        description=description.strip(),
        secret_nonce=secrets.token_urlsafe(32),
    )
    try:
        endpoint.url = check_url(endpoint.url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from None
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def endpoint_deactivate(*, endpoint: Endpoint) -> Endpoint:
    """Stops new events for this address; deliveries already owed are failed, the log stays."""
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active"])
    endpoint.deliveries.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED, last_error=gettext_noop("The address was switched off.")
    )
    return endpoint


#: A pending delivery handed to the broker this long ago and still not claimed lost its message (the
#: broker was down, or restarted without it); so did a delivery claimed this long ago and still sending
#: (its worker died). The re-delivery beat hands both over again.
LOST_AFTER = timedelta(minutes=5)


def _enqueue(delivery_ids: list[int], *, marked: bool = False) -> int:
    """Hands each delivery to the broker, marking it as on its way first (unless the caller already
    claimed it so). Stops at the first refusal: that row and the rest are unmarked and stay pending for
    the re-delivery beat. Returns how many went."""
    from .tasks import deliver

    for handed, delivery_id in enumerate(delivery_ids):
        if not marked:
            Delivery.objects.filter(pk=delivery_id).update(enqueued_at=timezone.now())
        try:
            deliver.delay(delivery_id)
        except Exception:  # noqa: BLE001 - the broker is down: the rows stay pending for the beat
            Delivery.objects.filter(pk__in=delivery_ids[handed:], status=Delivery.Status.PENDING).update(
                enqueued_at=None
            )
            logger.warning("Could not hand webhook delivery %s to the broker.", delivery_id, exc_info=True)
            return handed
    return len(delivery_ids)


def webhooks_redeliver(*, now: datetime | None = None) -> int:
    """The re-delivery beat: hands over again every delivery whose message was lost. Each row is
    claimed with a conditional update on its `enqueued_at`, so two beats (or a beat racing a
    worker) hand it over once; the worker's own claim (pending -> sending) then sends it once.
    Returns how many rows were handed over."""
    now = now or timezone.now()
    lost = now - LOST_AFTER
    # A worker that died while sending: the row goes back to pending (its event id stays, so a
    # receiver that did get the first attempt recognises the second).
    Delivery.objects.filter(status=Delivery.Status.SENDING, last_attempt_at__lt=lost).update(
        status=Delivery.Status.PENDING, enqueued_at=None
    )
    candidates = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, endpoint__is_active=True)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=lost))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at", "pk")
        .values_list("pk", "enqueued_at")[:REDELIVER_BATCH]
    )
    claimed = [
        pk
        for pk, enqueued_at in candidates
        if Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING, enqueued_at=enqueued_at).update(
            enqueued_at=now
        )
    ]
    return _enqueue(claimed, marked=True) if claimed else 0


REDELIVER_BATCH = 500


def webhook_event_owe(*, event: str, coach_id: int, facts: dict, occurred_at: datetime | None = None) -> list[int]:
    """Records one delivery of `event` per active endpoint that receives `coach_id`'s events, and hands
    them to workers after commit. `facts` must hold ids, times and statuses only. A delivery the broker
    does not take stays pending; the re-delivery beat (`webhooks_redeliver`) hands it over later."""
    occurred_at = occurred_at or timezone.now()
    endpoints = list(Endpoint.objects.for_coach(coach_id).values_list("pk", flat=True).distinct())
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), "event": event, "occurred_at": occurred_at.isoformat(), "data": facts}
    Delivery.objects.bulk_create(
        [Delivery(endpoint_id=pk, event=event, event_id=event_id, payload=payload) for pk in endpoints],
        ignore_conflicts=True,
    )
    ids = list(
        Delivery.objects.filter(endpoint_id__in=endpoints, event_id=event_id, status=Delivery.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: _enqueue(ids))
    return ids


def backoff_seconds(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1, 2, ...): doubling, capped."""
    return min(settings.WEBHOOKS_RETRY_BACKOFF * 2 ** (attempt - 1), settings.WEBHOOKS_RETRY_BACKOFF_MAX)


def _post(endpoint: Endpoint, body: bytes) -> tuple[int | None, str]:
    """(HTTP status, error) of one POST; status None when no answer came."""
    if not settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS and not _public_host(endpoint.url):
        return None, gettext_noop("The address no longer leads to a public server.")
    if urlsplit(endpoint.url).scheme not in ("http", "https"):
        return None, gettext_noop("Only http and https addresses are called.")
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: signature(secret=endpoint_secret(endpoint=endpoint), timestamp=timestamp, body=body),
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:500]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: the payload goes to the registered address only."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def webhook_deliver(*, delivery_id: int) -> str:
    """One attempt at one delivery: "delivered", "retry" (the task waits `backoff_seconds`), "failed",
    or "not claimed" when another worker has it or it is done. A 2xx answer is success."""
    now = timezone.now()
    if not Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now
    ):
        return "not claimed"
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    if not delivery.endpoint.is_active:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED, last_error=gettext_noop("The address was switched off.")
        )
        return "failed"
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    status, error = _post(delivery.endpoint, body)
    done = timezone.now()
    if status is not None and 200 <= status < 300:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.DELIVERED,
            last_status_code=status,
            last_error="",
            delivered_at=done,
            next_attempt_at=None,
        )
        return "delivered"
    if delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED, last_status_code=status, last_error=error, next_attempt_at=None
        )
        return "failed"
    next_attempt_at = done + timedelta(seconds=backoff_seconds(delivery.attempts))
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.PENDING,
        last_status_code=status,
        last_error=error,
        next_attempt_at=next_attempt_at,
        # The task's own retry is on its way until then; should it be lost, the beat takes over.
        enqueued_at=next_attempt_at,
    )
    return "retry"
