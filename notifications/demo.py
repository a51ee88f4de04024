"""Demo data for the outbox: everybody's e-mail preferences (the defaults, and one person who chose).

Nothing is recorded in the outbox itself: once `make run` starts, beat's first tick finds what the
demo engagements make due (tomorrow's session reminders, say) and the worker sends it to var/mail/.
"""

from __future__ import annotations

from datetime import time

from .models import NotificationPreference
from .services import preferences_seed_defaults


def seed(*, people, reflection_choices: dict | None = None) -> None:
    """Default preferences (Friday 16:00) for `people`; `reflection_choices` maps a person to
    (weekday, time) they chose instead. Existing choices are kept, so seeding twice changes nothing."""
    preferences_seed_defaults(users=people)
    for user, (weekday, at) in (reflection_choices or {}).items():
        preference = NotificationPreference.objects.get(user=user)
        if (preference.reflection_weekday, preference.reflection_time) == (4, time(16, 0)):
            preference.reflection_weekday, preference.reflection_time = weekday, at
            preference.save(update_fields=["reflection_weekday", "reflection_time", "updated_at"])
