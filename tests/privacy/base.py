"""Shared vocabulary for the URL privacy classification."""

from __future__ import annotations

from dataclasses import dataclass, field

# The people every URL is classified for (the cast in tests/conftest.py plays them). "stakeholder" is
# someone holding a private feedback link (no account); "anonymous" is anyone else without a session.
# "second_sponsor" is Lee's engagement's second sponsor and gets what "sponsor" gets unless a case says
# otherwise; "former_sponsor" is a deactivated account whose session was opened before deactivation,
# and gets what "anonymous" gets; "practice_admin" sees counts, never content. "program_manager" manages
# the program Lee's engagement belongs to (counts and released rows, never content); "reviewer" is a
# supervising coach of the practice (plain facts, never private notes); "former_coach" is a coach of the
# practice whose account was deactivated, with a session opened before, and gets what "anonymous" gets.
# "assistant" is the leader's scheduling assistant (no account) holding their private booking link for Lee's engagement,
# and gets what "anonymous" gets unless a case says otherwise.
PEOPLE = (
    "anonymous",
    "coach",
    "other_coach",
    "leader",
    "other_leader",
    "sponsor",
    "second_sponsor",
    "other_sponsor",
    "practice_admin",
    "former_sponsor",
    "stakeholder",
    "assistant",
    "program_manager",
    "reviewer",
    "former_coach",
)

# Everyone with a working session. The deactivated former sponsor's and former coach's sessions no longer work.
SIGNED_IN = tuple(
    p for p in PEOPLE if p not in ("anonymous", "stakeholder", "former_sponsor", "assistant", "former_coach")
)

ALLOWED = "allowed"  # 200 for GET; for POST a success (2xx/3xx) whose effect the case may check
HIDDEN = "hidden"  # 404: the object does not exist for this person
LOGIN = "login"  # redirect to the sign-in page
FORBIDDEN = "forbidden"  # 403: the person is signed in but has no such role (not object-bound)
GONE = "gone"  # 404 or 410: a private link that is unknown, used or expired
REDIRECTED = "redirected"  # 302 to a page other than sign-in (a home page sending a role to its own page)
TOKEN_REQUIRED = "token_required"  # 401: the REST API answers personal access tokens only, never a session


@dataclass
class UrlCase:
    """How one URL answers each person.

    `url_name` is the URL's name (`namespace:name`), `path` the concrete path requested.
    `expect` maps each person in PEOPLE to one of the outcomes above; people left out default to
    HIDDEN, except "anonymous" and "stakeholder" which default to LOGIN, "second_sponsor" which
    defaults to the sponsor's outcome and "former_sponsor" and "former_coach" which default to the anonymous one.
    Every response is also checked against the table of who may read which private text
    (`tests/privacy/secrets.py`); `must_not_contain` adds texts that must never appear in a response
    that is not ALLOWED. `method` is GET or POST; POST cases send `data`. `htmx` cases are requested
    twice, as a plain request and as an htmx one (which gets a fragment back), and both are checked.
    """

    url_name: str
    path: str
    expect: dict[str, str]
    method: str = "GET"
    data: dict = field(default_factory=dict)
    must_not_contain: tuple[str, ...] = ()
    stakeholder_path: str | None = None  # the path the stakeholder requests, if it differs (their own link)
    assistant_path: str | None = None  # the path the scheduling assistant requests, if it differs (their link)
    htmx: bool = False

    def outcome_for(self, person: str) -> str:
        if person in self.expect:
            return self.expect[person]
        if person == "second_sponsor":
            return self.outcome_for("sponsor")
        if person in ("former_sponsor", "assistant", "former_coach"):
            return self.outcome_for("anonymous")
        return LOGIN if person in ("anonymous", "stakeholder") else HIDDEN


def team_only(**overrides: str) -> dict[str, str]:
    """Coach and leader of the engagement may open it; everyone signed in else gets a 404."""
    return {"coach": ALLOWED, "leader": ALLOWED, **overrides}


def coach_only(**overrides: str) -> dict[str, str]:
    return {"coach": ALLOWED, **overrides}
