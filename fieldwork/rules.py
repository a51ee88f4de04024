"""Object permissions for fieldwork (the `rules` package).

Views first fetch objects through `visible_to(user)`-style querysets (anyone outside the engagement
gets a 404); these predicates then decide what the coach or the leader may do.
"""

import rules

from engagements.rules import is_coach_of, is_leader_of, is_open


@rules.predicate
def is_log_author(user, log) -> bool:
    return log is not None and log.author_id == user.pk


@rules.predicate
def is_log_editable(user, log) -> bool:
    return log is not None and log.is_editable()


# On an engagement: agree commitments at a session, review them later, log practice, reflect.
rules.add_perm("fieldwork.codesign", (is_coach_of | is_leader_of) & is_open)
# The review outcome (done, partly, not done) feeds the completion rate the sponsor sees, so it is
# recorded by the coach at the review with the leader, never by the leader alone.
rules.add_perm("fieldwork.review_commitment", is_coach_of)
rules.add_perm("fieldwork.log_practice", is_leader_of & is_open)
# On a practice log: its author, for 24 hours.
rules.add_perm("fieldwork.edit_log", is_log_author & is_log_editable)
