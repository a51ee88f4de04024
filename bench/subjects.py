"""Whose pages are measured, found the same way in the demo database and in the large one.

Coach Ada, leader Lee and sponsor Sam of the demo exist at both sizes (the large practice keeps them,
with years of history). The engagement is Lee's running one with Ada; the session is its next one
(agenda items, last session's fieldwork to review); the stakeholder link is an unanswered request of
its open feedback round, whose token the benchmark rebuilds from SECRET_KEY as the e-mail would.
"""

from __future__ import annotations

from dataclasses import dataclass

TRIVIAL = "trivial"


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    user_id: int | None  # None: no sign-in (the stakeholder's private link)


def pages() -> list[Page]:
    from accounts.models import User
    from engagements.models import Engagement, Session
    from stakeholders.models import FeedbackRequest, FeedbackRound
    from stakeholders.services import link_token

    ada = User.objects.get(email="ada@example.com")
    lee = User.objects.get(email="lee@example.com")
    sam = User.objects.get(email="sam@example.com")
    pia = User.objects.get(email="pia@example.com")
    engagement = (
        Engagement.objects.filter(coach=ada, leader=lee, status=Engagement.Status.ACTIVE)
        .order_by("-start_date")
        .first()
    )
    if engagement is None:
        raise RuntimeError("No running engagement of Lee with Ada: the database was not seeded for the benchmark.")
    session = Session.objects.filter(engagement=engagement).upcoming().first()
    if session is None:
        raise RuntimeError(f"Engagement {engagement.pk} has no upcoming session.")
    request = (
        FeedbackRequest.objects.filter(
            round__engagement=engagement,
            round__status=FeedbackRound.Status.OPEN,
            answered_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if request is None:
        raise RuntimeError(f"Engagement {engagement.pk} has no unanswered request in an open feedback round.")
    program = engagement.program
    if program is None:
        raise RuntimeError(f"Engagement {engagement.pk} is in no program.")
    return [
        Page("coach_home", "Coach home", "/coach/", ada.pk),
        Page("engagement", "Engagement page", f"/engagements/{engagement.pk}/", ada.pk),
        Page("session", "Session page", f"/sessions/{session.pk}/", ada.pk),
        Page("leader_home", "Leader home", "/leader/", lee.pk),
        Page("sponsor_summary", "Sponsor summary", f"/engagements/{engagement.pk}/summary/", sam.pk),
        Page("stakeholder_link", "Stakeholder link page", f"/f/{link_token(request=request)}/", None),
        Page("program_dashboard", "Program dashboard", f"/programs/{program.pk}/", pia.pk),
        Page(TRIVIAL, "Trivial page (floor)", "/bench/trivial/", ada.pk),
    ]


def signed_in_client(user_id: int | None):
    """A test client with a session for the person (none for the private link page)."""
    from django.test import Client

    from accounts.models import User

    client = Client()
    if user_id is not None:
        client.force_login(User.objects.get(pk=user_id), backend="django.contrib.auth.backends.ModelBackend")
    return client
