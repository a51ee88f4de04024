"""The "your export is ready" e-mail, sent through the outbox (kind `export_ready`, period `export:<id>`).

The link is rebuilt from the row's nonce and the secret key when the e-mail is sent, so the token is
never stored. An export that expired or was dropped before the e-mail could go out is skipped.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from notifications import registry
from notifications.models import Kind, Notification

from .models import Export
from .services import export_url


def _build(notification: Notification) -> registry.Message:
    export = (
        Export.objects.defer("content").select_related("owner").filter(pk=notification.context.get("export_id")).first()
    )
    if export is None or export.status != Export.Status.READY:
        raise registry.Skip(gettext("The export is no longer available."))
    if export.is_expired():
        raise registry.Skip(gettext("The export's link expired before the e-mail could be sent."))
    url = export_url(export=export)
    if url is None:
        raise registry.Skip(gettext("The secret key changed since the export was made; ask for a new export."))
    context = {"export": export, "url": url, "days": settings.EXPORT_LINK_DAYS}
    return registry.Message(template="export-ready", context=context, link=url)


def register_sources() -> None:
    registry.register(
        registry.Source(
            kind=Kind.EXPORT_READY,
            find_due=lambda now: (),  # recorded when the export is built, never found by the tick
            build=_build,
            applies_to=lambda user: False,  # not a preference: the person asked for this export
            description=gettext_lazy("A link to an export the person asked for."),
        )
    )
