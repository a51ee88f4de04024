"""Shared vocabulary for the URL privacy classification."""

from __future__ import annotations

from dataclasses import dataclass, field

# The people every URL is classified for. "stakeholder" is someone holding a private feedback
# link (no account); "anonymous" is anyone else without a session.
PEOPLE = ("anonymous", "coach", "other_coach", "leader", "other_leader", "sponsor", "other_sponsor", "stakeholder")

ALLOWED = "allowed"  # 200 for GET; for POST a success (2xx/3xx) whose effect the case may check
HIDDEN = "hidden"  # 404: the object does not exist for this person
LOGIN = "login"  # redirect to the sign-in page
FORBIDDEN = "forbidden"  # 403: the person is signed in but has no such role (not object-bound)
GONE = "gone"  # 404 or 410: a private link that is unknown, used or expired


@dataclass
class UrlCase:
    """How one URL answers each person.

    `url_name` is the URL's name (`namespace:name`), `path` the concrete path requested.
    `expect` maps each person in PEOPLE to one of the outcomes above; people left out default to
    HIDDEN, except "anonymous" and "stakeholder" which default to LOGIN.
    `must_not_contain` lists texts that must never appear in a response that is not ALLOWED.
    `method` is GET or POST; POST cases send `data`.
    """

    url_name: str
    path: str
    expect: dict[str, str]
    method: str = "GET"
    data: dict = field(default_factory=dict)
    must_not_contain: tuple[str, ...] = ()
    stakeholder_path: str | None = None  # the path the stakeholder requests, if it differs (their own link)

    def outcome_for(self, person: str) -> str:
        if person in self.expect:
            return self.expect[person]
        return LOGIN if person in ("anonymous", "stakeholder") else HIDDEN


def team_only(**overrides: str) -> dict[str, str]:
    """Coach and leader of the engagement may open it; everyone signed in else gets a 404."""
    return {"coach": ALLOWED, "leader": ALLOWED, **overrides}


def coach_only(**overrides: str) -> dict[str, str]:
    return {"coach": ALLOWED, **overrides}
