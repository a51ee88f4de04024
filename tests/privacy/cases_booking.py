"""Booking: the coach's own availability, the booking, move and cancel pages of Lee's engagement (coach
and leader), the leader's assistants, and the scheduling assistant's private link.

The "assistant" person holds a valid link for Lee's engagement; everyone else requests a forged link
and gets GONE. An assistant who puts a session of another engagement behind their own link gets a 404.
"""

from datetime import time

from booking import services
from booking.models import Availability, AvailabilityException, SchedulingAssistant, WeeklyHours

from .base import ALLOWED, FORBIDDEN, GONE, HIDDEN, PEOPLE, UrlCase, team_only

FORGED = "/book/a/forged-or-mistyped-token"


def _setup(cast):
    """Ada's availability (one span of hours, one day off) and Lee's assistant; made once per cast."""
    availability, created = Availability.objects.get_or_create(coach=cast.ada)
    if created:
        for weekday in range(5):
            WeeklyHours.objects.create(availability=availability, weekday=weekday, starts=time(9), ends=time(17))
        AvailabilityException.objects.create(availability=availability, day=cast.lee_engagement.planned_end_date)
    assistant = SchedulingAssistant.objects.filter(engagement=cast.lee_engagement, revoked_at__isnull=True).first()
    if assistant is None:
        assistant = services.assistant_add(
            engagement=cast.lee_engagement, name="Avery Assistant", email="avery@example.com"
        )
    return availability, assistant


def cases(cast) -> list[UrlCase]:
    e, nxt = cast.lee_engagement, cast.lee_next_session
    liv_session_id = cast.liv_engagement.sessions.values_list("pk", flat=True).first() or nxt.pk + 10_000
    availability, assistant = _setup(cast)
    hours = availability.weekly_hours.first()
    day_off = availability.exceptions.first()
    link = f"/book/a/{services.assistant_link_token(assistant=assistant)}"
    secrets = tuple(cast.secrets.values())
    coaches = {"coach": ALLOWED, "other_coach": ALLOWED}
    not_coaches = {
        p: FORBIDDEN
        for p in ("leader", "other_leader", "sponsor", "other_sponsor", "practice_admin", "program_manager", "reviewer")
    }
    gone_for_all = {p: GONE for p in PEOPLE}
    only_the_assistant = {**gone_for_all, "assistant": ALLOWED}
    return [
        # The coach's own availability: every coach has one, no one else does.
        UrlCase("booking:availability", "/availability/", expect={**coaches, **not_coaches}),
        UrlCase(
            "booking:hours_add",
            "/availability/hours/",
            method="POST",
            data={"weekday": "5", "starts": "09:00", "ends": "10:00"},
            expect={**coaches, **not_coaches},
        ),
        # Ada's own hours and exceptions: another coach cannot remove them (404).
        UrlCase(
            "booking:hours_remove",
            f"/availability/hours/{hours.pk}/remove/",
            method="POST",
            expect={"coach": ALLOWED, "other_coach": HIDDEN, **not_coaches},
        ),
        UrlCase(
            "booking:exception_add",
            "/availability/exceptions/",
            method="POST",
            data={"day": e.planned_end_date.isoformat(), "kind": "day_off"},
            expect={**coaches, **not_coaches},
        ),
        UrlCase(
            "booking:exception_remove",
            f"/availability/exceptions/{day_off.pk}/remove/",
            method="POST",
            expect={"coach": ALLOWED, "other_coach": HIDDEN, **not_coaches},
        ),
        UrlCase(
            "booking:calendar_connect",
            "/availability/calendar/",
            method="POST",
            data={"url": "https://calendar.example.com/dav/cal/", "username": "me", "password": "app-password"},
            expect={**coaches, **not_coaches},
        ),
        UrlCase(
            "booking:calendar_disconnect",
            "/availability/calendar/disconnect/",
            method="POST",
            expect={**coaches, **not_coaches},
        ),
        UrlCase(
            "booking:calendar_sync", "/availability/calendar/sync/", method="POST", expect={**coaches, **not_coaches}
        ),
        # Lee's engagement: its coach and its leader book, move and cancel; everyone else gets a 404.
        UrlCase("booking:book", f"/engagements/{e.pk}/book/", expect=team_only(), must_not_contain=secrets),
        UrlCase("booking:move", f"/sessions/{nxt.pk}/move/", expect=team_only(), must_not_contain=secrets),
        UrlCase("booking:cancel", f"/sessions/{nxt.pk}/cancel-booking/", expect=team_only(), must_not_contain=secrets),
        # Only the leader names and removes assistants.
        UrlCase(
            "booking:assistant_add",
            f"/engagements/{e.pk}/assistants/new/",
            expect={"leader": ALLOWED, "coach": FORBIDDEN},
        ),
        UrlCase(
            "booking:assistant_remove",
            f"/engagements/{e.pk}/assistants/{assistant.pk}/remove/",
            method="POST",
            expect={"leader": ALLOWED, "coach": FORBIDDEN},
        ),
        # The assistant's private link: times only, for whoever holds the valid link.
        UrlCase("booking:assistant", f"{FORGED}/", assistant_path=f"{link}/", expect=only_the_assistant),
        UrlCase("booking:assistant_book", f"{FORGED}/book/", assistant_path=f"{link}/book/", expect=only_the_assistant),
        UrlCase(
            "booking:assistant_move",
            f"{FORGED}/sessions/{nxt.pk}/move/",
            assistant_path=f"{link}/sessions/{nxt.pk}/move/",
            expect=only_the_assistant,
        ),
        UrlCase(
            "booking:assistant_cancel",
            f"{FORGED}/sessions/{nxt.pk}/cancel/",
            assistant_path=f"{link}/sessions/{nxt.pk}/cancel/",
            expect=only_the_assistant,
        ),
        # Tampering: the assistant's own link with another engagement's session.
        UrlCase(
            "booking:assistant_move",
            f"{link}/sessions/{liv_session_id}/move/",
            expect=gone_for_all,
        ),
        UrlCase(
            "booking:assistant_cancel",
            f"{link}/sessions/{liv_session_id}/cancel/",
            method="POST",
            data={"confirm_late": "1"},
            expect=gone_for_all,
        ),
    ]
