"""Whose pages are measured, found the same way in the demo database and in the large one.

Coach Ada, leader Lee and sponsor Sam of the demo exist at both sizes (the large practice keeps them,
with years of history). The engagement is Lee's running one with Ada; the session is its next one
(agenda items, last session's fieldwork to review); the stakeholder link is an unanswered request of
its open feedback round, whose token the benchmark rebuilds from SECRET_KEY as the e-mail would. The
program dashboard is Pia's view of that engagement's program. The API's list endpoints are read as
Ada, with a personal access token of the benchmark's own sent in the `Authorization` header (made
once per database, read only, never shown anywhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field

TRIVIAL = "trivial"
#: The benchmark's own API token (only its hash is stored, in the benchmark's databases only).
BENCH_API_TOKEN = "cpat_bench-only-token-of-the-benchmark-never-a-real-one"  # noqa: S105


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    user_id: int | None  # None: no sign-in (the stakeholder's private link, the API)
    headers: dict[str, str] = field(default_factory=dict)  # sent with every request (the API's token)


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
        *api_pages(ada, engagement),
        Page(TRIVIAL, "Trivial page (floor)", "/bench/trivial/", ada.pk),
    ]


def _api_token(user) -> str:
    """The benchmark's read-only token for `user`, made on first use (only its hash is stored)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tokens import hash_token
    from api.models import ApiToken

    now = timezone.now()
    ApiToken.objects.update_or_create(
        token_hash=hash_token(BENCH_API_TOKEN),
        defaults={
            "user": user,
            "name": "benchmark",
            "scope": ApiToken.Scope.READ,
            "prefix": BENCH_API_TOKEN[:12],
            "created_at": now,
            "expires_at": now + timedelta(days=365),
            "revoked_at": None,
        },
    )
    return BENCH_API_TOKEN


def api_pages(coach, engagement) -> list[Page]:
    """The API's main list endpoints, read with a token in the `Authorization` header."""
    headers = {"Authorization": f"Bearer {_api_token(coach)}"}
    base = f"/api/v1/engagements/{engagement.pk}"
    return [
        Page("api_engagements", "API: engagements", "/api/v1/engagements/", None, headers),
        Page("api_sessions", "API: sessions", f"{base}/sessions/", None, headers),
        Page("api_commitments", "API: commitments", f"{base}/commitments/", None, headers),
        Page("api_practice_logs", "API: practice logs", f"{base}/practice-logs/", None, headers),
    ]


def signed_in_client(user_id: int | None):
    """A test client with a session for the person (none for the private link page)."""
    from django.test import Client

    from accounts.models import User

    client = Client()
    if user_id is not None:
        client.force_login(User.objects.get(pk=user_id), backend="django.contrib.auth.backends.ModelBackend")
    return client
