"""Object permissions for engagements and sessions (the `rules` package).

Views first fetch objects through `visible_to(user)` (another person's object is a 404); these
predicates then decide what a person may do with an object they can see.
"""

import rules


@rules.predicate
def is_coach_of(user, engagement) -> bool:
    return engagement is not None and engagement.coach_id == user.pk


@rules.predicate
def is_leader_of(user, engagement) -> bool:
    return engagement is not None and engagement.leader_id == user.pk


@rules.predicate
def is_open(user, engagement) -> bool:
    return engagement is not None and not engagement.is_finished


rules.add_perm("engagements.manage_engagement", is_coach_of)
rules.add_perm("engagements.view_private_notes", is_coach_of)
rules.add_perm("engagements.add_agenda_item", (is_coach_of | is_leader_of) & is_open)
rules.add_perm("engagements.view_engagement_work", is_coach_of | is_leader_of)
