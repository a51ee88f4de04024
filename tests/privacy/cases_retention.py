"""Retention: the practice admin's retention page, and "erase now" (the leader, or the practice admin)."""

from .base import ALLOWED, FORBIDDEN, SIGNED_IN, UrlCase


def cases(cast) -> list[UrlCase]:
    e = cast.lee_engagement.pk
    admin_only = {person: FORBIDDEN for person in SIGNED_IN} | {"practice_admin": ALLOWED}
    return [
        UrlCase("retention:practice", "/practice/retention/", expect=admin_only),
        UrlCase("retention:practice", "/practice/retention/", method="POST", data={"months": "12"}, expect=admin_only),
        # The leader of the engagement and the practice admin of its coach's practice; everyone else,
        # the coach included, gets a 404. Lee's engagement is open: the page explains, nothing is erased.
        UrlCase("retention:erase", f"/engagements/{e}/erase/", expect={"leader": ALLOWED, "practice_admin": ALLOWED}),
    ]
