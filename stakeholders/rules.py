"""Object permissions for stakeholder feedback (the `rules` package).

Views fetch engagements, rounds and stakeholders through `visible_to(user)`-style querysets first
(another engagement's object is a 404); these predicates then decide what a person may do.
"""

import rules

from engagements.rules import is_coach_of, is_leader_of, is_open


@rules.predicate
def is_stakeholders_coach(user, stakeholder) -> bool:
    return stakeholder is not None and stakeholder.engagement.coach_id == user.pk


@rules.predicate
def is_own_waiting_nomination(user, stakeholder) -> bool:
    return (
        stakeholder is not None
        and stakeholder.engagement.leader_id == user.pk
        and stakeholder.nominated_by_id == user.pk
        and stakeholder.status == "nominated"
    )


rules.add_perm("stakeholders.nominate_stakeholder", (is_coach_of | is_leader_of) & is_open)
rules.add_perm("stakeholders.manage_feedback", is_coach_of)
rules.add_perm("stakeholders.view_feedback", is_coach_of | is_leader_of)
rules.add_perm("stakeholders.remove_stakeholder", is_stakeholders_coach | is_own_waiting_nomination)
