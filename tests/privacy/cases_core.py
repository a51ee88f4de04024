"""Home pages, accounts, health: URLs of the `coaching` and `accounts` apps."""

from .base import ALLOWED, FORBIDDEN, GONE, UrlCase


def cases(cast) -> list[UrlCase]:
    everyone_signed_in = {
        p: ALLOWED for p in ("coach", "other_coach", "leader", "other_leader", "sponsor", "other_sponsor")
    }
    not_coach = {p: FORBIDDEN for p in ("leader", "other_leader", "sponsor", "other_sponsor")}
    return [
        UrlCase("healthz", "/healthz", expect={p: ALLOWED for p in ("anonymous", "stakeholder")} | everyone_signed_in),
        UrlCase("home", "/", expect={**everyone_signed_in}),
        UrlCase(
            "coach_home",
            "/coach/",
            expect={"coach": ALLOWED, "other_coach": ALLOWED, **not_coach},
            must_not_contain=(cast.secrets["private_notes"],),
        ),
        UrlCase("leader_home", "/leader/", expect={**everyone_signed_in}),
        UrlCase("sponsor_home", "/sponsor/", expect={**everyone_signed_in}),
        UrlCase("practice", "/practice/", expect={p: FORBIDDEN for p in everyone_signed_in}),
        UrlCase("accounts:preferences", "/account/preferences/", expect={**everyone_signed_in}),
        UrlCase(
            "accounts:invitation",
            "/account/invitation/not-a-real-token/",
            expect={p: GONE for p in ("anonymous", "stakeholder", *everyone_signed_in)},
        ),
        UrlCase(
            "engagements:create", "/engagements/new/", expect={"coach": ALLOWED, "other_coach": ALLOWED, **not_coach}
        ),
    ]
