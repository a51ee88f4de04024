"""The three-way progress summary, its PDF, releasing a summary from it, and the leader's check-in."""

from .base import ALLOWED, UrlCase


def cases(cast) -> list[UrlCase]:
    e = cast.lee_engagement
    past = cast.lee_past_session
    secrets = tuple(cast.secrets.values())
    # The summary's own readers: the engagement's coach, its leader (the "sponsor view") and its sponsor.
    readers = {"coach": ALLOWED, "leader": ALLOWED, "sponsor": ALLOWED}
    return [
        UrlCase("summary", f"/engagements/{e.pk}/summary/", expect=readers, must_not_contain=secrets),
        UrlCase("summary_pdf", f"/engagements/{e.pk}/summary.pdf", expect=readers, must_not_contain=secrets),
        UrlCase(
            "summary_release",
            f"/engagements/{e.pk}/summary/sessions/{past.pk}/release/",
            method="POST",
            expect={"coach": ALLOWED},
            must_not_contain=secrets,
        ),
        UrlCase(
            "checkin",
            f"/engagements/{e.pk}/check-in/",
            method="POST",
            data={"score": "4", "comment": "Useful so far."},
            expect={"leader": ALLOWED},
        ),
    ]
