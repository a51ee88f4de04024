"""The demo's e-mail preferences: defaults for everyone, Liv's own choice, seeded once."""

from __future__ import annotations

from datetime import time

from notifications import demo
from notifications.models import NotificationPreference


def test_seeding_gives_everyone_the_defaults_and_keeps_a_persons_choice(cast):
    people = [cast.ada, cast.lee, cast.liv]
    demo.seed(people=people, reflection_choices={cast.liv: (0, time(8, 30))})
    demo.seed(people=people, reflection_choices={cast.liv: (0, time(8, 30))})
    preferences = {p.user: (p.reflection_weekday, p.reflection_time) for p in NotificationPreference.objects.all()}
    assert preferences == {cast.ada: (4, time(16)), cast.lee: (4, time(16)), cast.liv: (0, time(8, 30))}


def test_seeding_never_overwrites_what_a_person_chose_later(cast):
    demo.seed(people=[cast.lee])
    NotificationPreference.objects.filter(user=cast.lee).update(reflection_weekday=2)
    demo.seed(people=[cast.lee], reflection_choices={cast.lee: (0, time(8, 30))})
    assert NotificationPreference.objects.get(user=cast.lee).reflection_weekday == 2
