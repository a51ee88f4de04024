"""Home pages, accounts, health: URLs of the `coaching` and `accounts` apps."""

from .base import ALLOWED, FORBIDDEN, GONE, REDIRECTED, SIGNED_IN, UrlCase


def cases(cast) -> list[UrlCase]:
    everyone_signed_in = dict.fromkeys(SIGNED_IN, ALLOWED)
    not_coach = {p: FORBIDDEN for p in SIGNED_IN if p not in ("coach", "other_coach")}
    return [
        UrlCase("healthz", "/healthz", expect={p: ALLOWED for p in ("anonymous", "stakeholder")} | everyone_signed_in),
        # The practice admin's home is the practice page.
        UrlCase(
            "home",
            "/",
            expect={
                **everyone_signed_in,
                "practice_admin": REDIRECTED,
                "program_manager": REDIRECTED,
                "reviewer": REDIRECTED,
            },
        ),
        UrlCase(
            "coach_home",
            "/coach/",
            expect={"coach": ALLOWED, "other_coach": ALLOWED, **not_coach},
            must_not_contain=(cast.secrets["private_notes"],),
        ),
        UrlCase("leader_home", "/leader/", expect={**everyone_signed_in}),
        UrlCase("sponsor_home", "/sponsor/", expect={**everyone_signed_in}),
        UrlCase(
            "practice", "/practice/", expect={**{p: FORBIDDEN for p in everyone_signed_in}, "practice_admin": ALLOWED}
        ),
        # Practice administration: the practice admin only; everyone else signed in gets a 403.
        UrlCase(
            "practice_invitation",
            f"/practice/invitations/{cast.private.coach_invitation.pk}/resend/",
            method="POST",
            expect={**{p: FORBIDDEN for p in everyone_signed_in}, "practice_admin": ALLOWED},
        ),
        UrlCase(
            "practice_coach_deactivate",
            f"/practice/coaches/{cast.ben.pk}/deactivate/",
            method="POST",
            expect={**{p: FORBIDDEN for p in everyone_signed_in}, "practice_admin": ALLOWED},
        ),
        UrlCase(
            "practice_coach_reassign",
            f"/practice/coaches/{cast.ada.pk}/reassign/",
            method="POST",
            data={"coach": str(cast.ben.pk)},
            expect={**{p: FORBIDDEN for p in everyone_signed_in}, "practice_admin": ALLOWED},
        ),
        UrlCase(
            "practice_reviews",
            "/practice/reviews/",
            expect={**{p: FORBIDDEN for p in everyone_signed_in}, "reviewer": ALLOWED},
            must_not_contain=(cast.secrets["private_notes"], cast.secrets["agenda_item"]),
        ),
        UrlCase(
            "practice_review",
            f"/practice/reviews/{cast.lee_engagement.pk}/",
            expect={**{p: FORBIDDEN for p in everyone_signed_in}, "reviewer": ALLOWED},
            must_not_contain=(cast.secrets["private_notes"], cast.secrets["agenda_item"]),
        ),
        UrlCase("accounts:preferences", "/account/preferences/", expect={**everyone_signed_in}),
        # The practice's default language: its practice admin only (a form on the practice page).
        UrlCase(
            "accounts:practice_language",
            "/account/practice/language/",
            method="POST",
            data={"language": "de"},
            expect={**{p: FORBIDDEN for p in everyone_signed_in}, "practice_admin": ALLOWED},
        ),
        UrlCase(
            "accounts:invitation",
            "/account/invitation/not-a-real-token/",
            expect={p: GONE for p in ("anonymous", "stakeholder", *everyone_signed_in)},
        ),
        UrlCase(
            "engagements:create", "/engagements/new/", expect={"coach": ALLOWED, "other_coach": ALLOWED, **not_coach}
        ),
    ]
