"""The weekly reflection form, its history with the self-rating chart, and who may open them."""

from __future__ import annotations

import pytest

from engagements.models import AgendaItem
from fieldwork.models import WeeklyReflection
from tests.factories import EngagementFactory, GoalFactory, SelfRatingFactory, WeeklyReflectionFactory


def _form(cast, **overrides):
    calm, delegate = cast.lee_goals
    data = {
        "wins": "Held my ground in the planning round",
        "struggles": "Still approving every purchase order",
        f"goal_{calm.pk}": "6",
        f"goal_{delegate.pk}": "3",
        "topics": "How to hand over purchase approvals",
    }
    data.update(overrides)
    return data


def test_the_leader_opens_this_weeks_reflection(cast, client_for):
    html = client_for("lee").get("/reflection/").content.decode()

    assert "Wins this week" in html
    assert cast.lee_goals[0].title in html and cast.lee_goals[1].title in html
    assert f'name="goal_{cast.lee_goals[0].pk}" id="id_goal_{cast.lee_goals[0].pk}_10" value="10"' in html


def test_saving_a_reflection_stores_ratings_and_puts_topics_on_the_next_agenda(cast, client_for):
    response = client_for("lee").post("/reflection/", _form(cast))

    assert response.status_code == 302
    assert response["Location"] == f"/engagements/{cast.lee_engagement.pk}/reflections/"
    reflection = WeeklyReflection.objects.get()
    assert reflection.wins == "Held my ground in the planning round"
    assert dict(reflection.ratings.values_list("goal_id", "score")) == {
        cast.lee_goals[0].pk: 6,
        cast.lee_goals[1].pk: 3,
    }
    item = AgendaItem.objects.get(source=AgendaItem.Source.REFLECTION)
    assert (item.session, item.text) == (cast.lee_next_session, "How to hand over purchase approvals")


def test_saving_again_the_same_week_edits_it_without_duplicating_topics(cast, client_for):
    client = client_for("lee")
    client.post("/reflection/", _form(cast))

    page = client.get("/reflection/").content.decode()
    assert "Held my ground in the planning round" in page and "Save changes" in page
    client.post("/reflection/", _form(cast, wins="Held my ground twice"))

    assert WeeklyReflection.objects.get().wins == "Held my ground twice"
    assert AgendaItem.objects.filter(source=AgendaItem.Source.REFLECTION).count() == 1


def test_an_empty_reflection_is_refused_with_a_message(cast, client_for):
    calm, delegate = cast.lee_goals
    response = client_for("lee").post(
        "/reflection/", {"wins": "", "struggles": "", "topics": "", f"goal_{calm.pk}": "", f"goal_{delegate.pk}": ""}
    )

    assert "Write at least a win, a struggle, a rating or a topic" in response.content.decode()
    assert not WeeklyReflection.objects.exists()


def test_a_rating_of_eleven_is_refused_and_the_rest_is_kept(cast, client_for):
    response = client_for("lee").post("/reflection/", _form(cast, **{f"goal_{cast.lee_goals[0].pk}": "11"}))

    html = response.content.decode()
    assert "Rate from 1 to 10." in html
    assert "Held my ground in the planning round" in html and "How to hand over purchase approvals" in html
    assert 'value="3" checked' in html
    assert not WeeklyReflection.objects.exists()


def test_too_many_topics_are_refused_and_kept(cast, client_for):
    topics = "\n".join(f"Topic number {n}" for n in range(7))

    html = client_for("lee").post("/reflection/", _form(cast, topics=topics)).content.decode()

    assert "at most 5 topics" in html and "Topic number 6" in html
    assert not WeeklyReflection.objects.exists()


def test_a_leader_with_two_engagements_chooses_one(cast, client_for):
    second = EngagementFactory(leader=cast.lee, organisation="Second Org")
    client = client_for("lee")

    chooser = client.get("/reflection/").content.decode()
    assert f"/reflection/?engagement={second.pk}" in chooser and "Second Org" in chooser

    GoalFactory(engagement=second, title="Second goal")
    client.post(f"/reflection/?engagement={second.pk}", {"wins": "Second engagement win"})
    assert WeeklyReflection.objects.get().engagement == second


def test_another_leaders_engagement_is_not_found(cast, client_for):
    response = client_for("liv").post(f"/reflection/?engagement={cast.lee_engagement.pk}", {"wins": "x"})

    assert response.status_code == 404
    assert not WeeklyReflection.objects.exists()


@pytest.mark.parametrize("person", ["ada", "sam"])
def test_people_who_lead_no_engagement_have_no_reflection_form(cast, client_for, person):
    assert client_for(person).get("/reflection/").status_code == 404


def test_history_shows_reflections_and_the_chart_to_leader_and_coach(cast, client_for):
    calm = cast.lee_goals[0]
    for week, score in ((40, 3), (41, 5), (42, 7)):
        reflection = WeeklyReflectionFactory(
            engagement=cast.lee_engagement, iso_year=2026, iso_week=week, wins=f"Win {week}"
        )
        SelfRatingFactory(reflection=reflection, goal=calm, score=score)

    for person in ("lee", "ada"):
        html = client_for(person).get(f"/engagements/{cast.lee_engagement.pk}/reflections/").content.decode()
        assert "<svg" in html and "<polyline" in html
        assert "Win 40" in html and "Win 42" in html
        assert f"{calm.title}, week 42: 7" in html


@pytest.mark.parametrize("person", ["sam", "ben", "liv"])
def test_history_is_not_found_for_outsiders(cast, client_for, person):
    WeeklyReflectionFactory(engagement=cast.lee_engagement, wins="Private win")

    assert client_for(person).get(f"/engagements/{cast.lee_engagement.pk}/reflections/").status_code == 404


def test_the_saved_message_names_the_session_day_without_a_leading_zero(cast, client_for):
    from datetime import UTC, datetime

    from django.utils import timezone

    now = timezone.now()
    year, month = (now.year, now.month + 1) if now.month < 12 else (now.year + 1, 1)
    starts_at = datetime(year, month, 3, 15, 0, tzinfo=UTC)
    cast.lee_next_session.starts_at = starts_at
    cast.lee_next_session.save(update_fields=["starts_at"])

    response = client_for("lee").post("/reflection/", _form(cast), follow=True)

    day = starts_at.astimezone(cast.lee.tz)
    expected = f"1 topic added to the agenda of your session on {day:%A} 3 {day:%B}."
    html = response.content.decode()
    assert expected in html, html
    assert f" 03 {day:%B}" not in html
