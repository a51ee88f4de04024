"""Writes of the top layer: the leader's partnership check-in."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.idempotency import idempotent
from accounts.models import User
from engagements.models import Engagement, Session

from .models import PartnershipCheckIn


def checkin_due_milestone(*, engagement: Engagement) -> int | None:
    """The milestone (3, 6, 9, ... held sessions) whose check-in the leader still owes, or None. Two queries."""
    held = engagement.sessions.filter(status=Session.Status.HELD).count()
    last = engagement.partnership_checkins.aggregate(last=Max("held_sessions"))["last"]
    return PartnershipCheckIn.due_milestone(held_count=held, last_answered=last)


@idempotent(PartnershipCheckIn, user="leader")
def checkin_submit(*, engagement: Engagement, leader: User, score: int, comment: str = "") -> PartnershipCheckIn:
    """Records the leader's answer for the milestone now due. Raises ValidationError when none is due."""
    if engagement.leader_id != leader.pk:
        raise PermissionDenied(_("Only the leader of this engagement answers its check-in."))
    milestone = checkin_due_milestone(engagement=engagement)
    if milestone is None:
        raise ValidationError(_("No check-in is due right now. The next one comes after every third session."))
    checkin = PartnershipCheckIn(
        engagement=engagement, leader=leader, held_sessions=milestone, score=score, comment=comment.strip()
    )
    checkin.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError:  # a second tab submitted the same milestone a moment earlier
        raise ValidationError(_("You have already answered this check-in. Thank you!")) from None
    return checkin
