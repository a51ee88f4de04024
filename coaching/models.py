"""The partnership check-in: every third held session the leader says how the coaching is working.

It lives in `coaching` because it belongs to the leader's home page and the coach's view of the
partnership, not to the session bookkeeping of `engagements` (which stays unaware of it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.limits import max_chars, text_within

CHECK_IN_EVERY = 3
COMMENT_MAX = 2000


class PartnershipCheckIn(models.Model):
    """ "How is the coaching working for you?" from 1 to 5 and a comment. Coach and leader only.

    `held_sessions` is the milestone the answer belongs to (3, 6, 9, ...): one check-in per milestone.
    """

    class Score(models.IntegerChoices):
        POOR = 1, _("1 · Not working")
        FAIR = 2, _("2 · Could be better")
        OK = 3, _("3 · Working")
        GOOD = 4, _("4 · Working well")
        GREAT = 5, _("5 · Working very well")

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="partnership_checkins"
    )
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    held_sessions = models.PositiveSmallIntegerField(help_text="Sessions held when this check-in fell due.")
    score = models.PositiveSmallIntegerField(choices=Score.choices)
    comment = models.TextField(blank=True, max_length=COMMENT_MAX, validators=[max_chars(COMMENT_MAX)])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_sessions", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="checkin_score_1_5"),
            models.CheckConstraint(condition=Q(held_sessions__gte=CHECK_IN_EVERY), name="checkin_after_third_session"),
            models.UniqueConstraint(fields=["engagement", "held_sessions"], name="checkin_one_per_milestone"),
            text_within("comment", COMMENT_MAX, name="checkin_comment_length"),
        ]

    def __str__(self) -> str:
        return f"Check-in after {self.held_sessions} sessions: {self.score}/5"

    @staticmethod
    def milestone_for(held_count: int) -> int | None:
        """The check-in milestone reached with `held_count` held sessions (3, 6, 9, ...), or None before the third."""
        if held_count < CHECK_IN_EVERY:
            return None
        return held_count - held_count % CHECK_IN_EVERY

    @classmethod
    def due_milestone(cls, *, held_count: int, last_answered: int | None) -> int | None:
        """The milestone whose check-in is still owed, given the last one answered (None if none)."""
        milestone = cls.milestone_for(held_count)
        if milestone is None or (last_answered is not None and last_answered >= milestone):
            return None
        return milestone
