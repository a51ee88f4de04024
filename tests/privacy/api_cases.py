"""How each REST API endpoint answers each person of the matrix, calling with their own token.

The API counterpart of the URL classification: `tests/api/test_api_privacy.py` calls every endpoint
with a personal access token of each person of `PEOPLE` (anonymous: no token; the stakeholder: their
private link's token, which is no API token; the former sponsor: a token made before the account was
deactivated) and checks the status and that no response carries a private text that person may not
read (`tests/privacy/secrets.py`). `tests/privacy/cases_api.py` checks that the same endpoints refuse
a session cookie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from .base import ALLOWED, FORBIDDEN, HIDDEN, TOKEN_REQUIRED

NO_TOKEN = ("anonymous", "stakeholder", "former_sponsor", "former_coach", "assistant")


@dataclass
class ApiCase:
    """`expect` maps people to ALLOWED (2xx), HIDDEN (404), FORBIDDEN (403) or TOKEN_REQUIRED (401).

    People left out get HIDDEN, except those without a working token (TOKEN_REQUIRED) and the second
    sponsor, who gets the sponsor's outcome.
    """

    url_name: str
    path: str
    expect: dict[str, str]
    method: str = "GET"
    data: dict = field(default_factory=dict)

    def outcome_for(self, person: str) -> str:
        if person in self.expect:
            return self.expect[person]
        if person in NO_TOKEN:
            return TOKEN_REQUIRED
        if person == "second_sponsor":
            return self.outcome_for("sponsor")
        return HIDDEN


def _team(**more: str) -> dict[str, str]:
    return {"coach": ALLOWED, "leader": ALLOWED, **more}


def _everyone_with_a_token() -> dict[str, str]:
    return dict.fromkeys(
        (
            "coach",
            "other_coach",
            "leader",
            "other_leader",
            "sponsor",
            "second_sponsor",
            "other_sponsor",
            "practice_admin",
            "program_manager",
            "reviewer",
        ),
        ALLOWED,
    )


def api_cases(cast) -> list[ApiCase]:
    e = cast.lee_engagement.pk
    private = cast.private
    upcoming = cast.lee_next_session.pk
    past = cast.lee_past_session.pk
    later = (timezone.now() + timedelta(days=20)).replace(microsecond=0).isoformat()
    sponsors_too = _team(sponsor=ALLOWED)
    return [
        ApiCase("api:engagements", "/api/v1/engagements/", _everyone_with_a_token()),
        ApiCase("api:engagement", f"/api/v1/engagements/{e}/", sponsors_too),
        ApiCase("api:goals", f"/api/v1/engagements/{e}/goals/", sponsors_too),
        ApiCase("api:summary", f"/api/v1/engagements/{e}/summary/", sponsors_too),
        ApiCase("api:sessions", f"/api/v1/engagements/{e}/sessions/", _team()),
        ApiCase(
            "api:sessions",
            f"/api/v1/engagements/{e}/sessions/",
            {"coach": ALLOWED},
            method="POST",
            data={"starts_at": later, "kind": "regular"},
        ),
        ApiCase("api:commitments", f"/api/v1/engagements/{e}/commitments/", _team()),
        ApiCase("api:practice_logs", f"/api/v1/engagements/{e}/practice-logs/", _team()),
        ApiCase("api:reflections", f"/api/v1/engagements/{e}/reflections/", _team()),
        ApiCase(
            "api:reflections",
            f"/api/v1/engagements/{e}/reflections/",
            _team(coach=FORBIDDEN),
            method="POST",
            data={"wins": "Spoke up first in the planning round."},
        ),
        ApiCase("api:stakeholders", f"/api/v1/engagements/{e}/stakeholders/", _team()),
        ApiCase("api:rounds", f"/api/v1/engagements/{e}/rounds/", _team()),
        ApiCase("api:round_results", f"/api/v1/rounds/{private.closed_round.pk}/results/", _team()),
        ApiCase("api:round_results", f"/api/v1/rounds/{private.current_round.pk}/results/", _team()),
        ApiCase("api:session", f"/api/v1/sessions/{past}/", _team()),
        ApiCase("api:session", f"/api/v1/sessions/{private.three_way_held.pk}/", _team()),
        ApiCase("api:agenda", f"/api/v1/sessions/{upcoming}/agenda/", _team()),
        ApiCase("api:agenda", f"/api/v1/sessions/{private.three_way_meeting.pk}/agenda/", _team()),
        ApiCase(
            "api:agenda",
            f"/api/v1/sessions/{upcoming}/agenda/",
            _team(),
            method="POST",
            data={"text": "What to say when the VP interrupts"},
        ),
        ApiCase(
            "api:session_move",
            f"/api/v1/sessions/{upcoming}/move/",
            {"coach": ALLOWED},
            method="POST",
            data={"starts_at": later},
        ),
        ApiCase("api:session_cancel", f"/api/v1/sessions/{upcoming}/cancel/", {"coach": ALLOWED}, method="POST"),
        ApiCase(
            "api:session_outcome",
            f"/api/v1/sessions/{past}/outcome/",
            {"coach": ALLOWED},
            method="POST",
            data={"status": "held"},
        ),
        ApiCase(
            "api:practice_log_create",
            f"/api/v1/commitments/{private.commitment.pk}/practice-logs/",
            _team(coach=FORBIDDEN),
            method="POST",
            data={"note": "Took one breath before answering"},
        ),
        # Liv's engagement: Lee's people see none of it.
        ApiCase(
            "api:engagement",
            f"/api/v1/engagements/{cast.liv_engagement.pk}/",
            {"other_coach": ALLOWED, "other_leader": ALLOWED, "other_sponsor": ALLOWED},
        ),
        ApiCase(
            "api:sessions",
            f"/api/v1/engagements/{cast.liv_engagement.pk}/sessions/",
            {"other_coach": ALLOWED, "other_leader": ALLOWED},
        ),
    ]
