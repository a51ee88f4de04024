"""E-mail preferences, the unsubscribe link and the per-engagement outbox."""

from notifications.models import Notification
from notifications.services import unsubscribe_token

from .base import ALLOWED, GONE, PEOPLE, SIGNED_IN, UrlCase, coach_only


def _unsubscribe_link(**fields) -> str:
    notification = Notification.objects.create(due_at=Notification._meta.get_field("created_at").default(), **fields)
    return f"/notifications/unsubscribe/{unsubscribe_token(notification_id=notification.pk)}/"


def cases(cast) -> list[UrlCase]:
    e = cast.lee_engagement
    everyone_signed_in = dict.fromkeys(SIGNED_IN, ALLOWED)
    # The unsubscribe link works like a private link: whoever holds a valid one may use it, signed in
    # or not (a stakeholder holds one for their own address); a forged one is gone for everybody.
    lee_link = _unsubscribe_link(
        recipient=cast.lee,
        recipient_email=cast.lee.email,
        recipient_key=f"user:{cast.lee.pk}",
        kind="reflection_prompt",
        period_key="reflection:2026-W11",
        engagement_id=e.pk,
    )
    stakeholder_link = _unsubscribe_link(
        recipient_email="pat@example.com",
        recipient_key="email:pat@example.com",
        kind="stakeholder_nudge",
        period_key="stakeholder:1:1",
        engagement_id=e.pk,
    )
    anyone_with_the_link = {p: ALLOWED for p in PEOPLE}
    return [
        UrlCase("notifications:preferences", "/account/notifications/", expect=everyone_signed_in),
        UrlCase("notifications:unsubscribe", lee_link, expect=anyone_with_the_link, stakeholder_path=stakeholder_link),
        UrlCase(
            "notifications:unsubscribe",
            lee_link,
            method="POST",
            data={"List-Unsubscribe": "One-Click"},
            expect=anyone_with_the_link,
            stakeholder_path=stakeholder_link,
        ),
        UrlCase(
            "notifications:unsubscribe",
            "/notifications/unsubscribe/1:forged-signature/",
            expect={p: GONE for p in PEOPLE},
        ),
        UrlCase(
            "engagement_outbox",
            f"/engagements/{e.pk}/outbox/",
            expect=coach_only(),
            must_not_contain=(cast.lee.email,),
        ),
    ]
