"""The booking panel of the engagement page (registered in `BookingConfig.ready`)."""

from __future__ import annotations

from django.utils import timezone

from engagements.panels import Panel

from . import selectors
from .models import Availability


def engagement_panel(request, engagement) -> Panel | None:
    """Remaining planned sessions, whether the coach takes bookings, move/cancel links for upcoming
    sessions and the leader's scheduling assistants (four queries)."""
    now = timezone.now()
    counted = selectors.counted_sessions(engagement=engagement)
    takes_bookings = Availability.objects.filter(coach_id=engagement.coach_id, accepts_bookings=True).exists()
    context = {
        "engagement": engagement,
        "is_coach": engagement.coach_id == request.user.pk,
        "is_leader": engagement.leader_id == request.user.pk,
        "remaining": max(0, engagement.planned_sessions - counted),
        "takes_bookings": takes_bookings,
        "upcoming": selectors.upcoming_sessions(engagement=engagement, now=now),
        "assistants": selectors.active_assistants(engagement=engagement),
        "bookable": engagement.status == engagement.Status.ACTIVE,
    }
    return Panel(template="booking/_engagement_section.html", context=context, order=5)
