"""E-mail preferences, the unsubscribe link and the per-engagement outbox."""

from notifications.services import unsubscribe_token

from .base import ALLOWED, GONE, PEOPLE, UrlCase, coach_only


def cases(cast) -> list[UrlCase]:
    e = cast.lee_engagement
    everyone_signed_in = {p: ALLOWED for p in PEOPLE if p not in ("anonymous", "stakeholder")}
    # The unsubscribe link works like a private link: whoever holds a valid one may use it, signed in
    # or not (a stakeholder holds one for their own address); a forged one is gone for everybody.
    lee_link = "/notifications/unsubscribe/{}/".format(
        unsubscribe_token(recipient_key=f"user:{cast.lee.pk}", kind="reflection_prompt")
    )
    stakeholder_link = "/notifications/unsubscribe/{}/".format(
        unsubscribe_token(recipient_key="email:pat@example.com", kind="stakeholder_nudge")
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
            "/notifications/unsubscribe/forged.token:value/",
            expect={p: GONE for p in PEOPLE},
        ),
        UrlCase(
            "engagement_outbox",
            f"/engagements/{e.pk}/outbox/",
            expect=coach_only(),
            must_not_contain=(cast.lee.email,),
        ),
    ]
