"""The e-mail preferences page: which kinds a person gets, and when the weekly reflection prompt comes."""

from __future__ import annotations

from datetime import time

import pytest

from notifications.models import NotificationPreference, OptOut

URL = "/account/notifications/"


@pytest.mark.django_db
def test_a_leader_sees_the_reflection_schedule_defaulting_to_friday_at_four(cast, client_for):
    response = client_for("lee").get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="4" selected>Friday' in page
    assert 'value="16:00"' in page
    assert "Your next prompt: Friday" in page
    assert "America/New_York" in page


@pytest.mark.django_db
def test_a_leader_chooses_monday_morning_and_turns_agenda_prompts_off(cast, client_for):
    response = client_for("lee").post(
        URL, {"reflection_weekday": "0", "reflection_time": "08:30", "wanted": ["session_reminder"]}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=cast.lee)
    assert (preference.reflection_weekday, preference.reflection_time) == (0, time(8, 30))
    opted_out = set(OptOut.objects.filter(recipient_key=f"user:{cast.lee.pk}").values_list("kind", flat=True))
    assert "agenda_prompt" in opted_out
    assert "session_reminder" not in opted_out
    page = client_for("lee").get(URL).content.decode()
    assert 'value="0" selected>Monday' in page
    assert 'id="kind-agenda_prompt" aria-describedby="kind-agenda_prompt-help">' in page  # unchecked
    assert 'id="kind-session_reminder" aria-describedby="kind-session_reminder-help" checked>' in page


@pytest.mark.django_db
def test_turning_a_kind_back_on_removes_the_opt_out(cast, client_for):
    OptOut.objects.create(recipient_key=f"user:{cast.lee.pk}", kind="agenda_prompt")
    client_for("lee").post(
        URL, {"reflection_weekday": "4", "reflection_time": "16:00", "wanted": ["session_reminder", "agenda_prompt"]}
    )
    assert not OptOut.objects.filter(recipient_key=f"user:{cast.lee.pk}", kind="agenda_prompt").exists()


@pytest.mark.django_db
def test_a_bad_time_is_shown_again_with_a_clear_message_and_nothing_is_saved(cast, client_for):
    response = client_for("lee").post(URL, {"reflection_weekday": "2", "reflection_time": "25:99", "wanted": []})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a time such as 16:00." in page
    assert 'value="25:99"' in page
    assert 'value="2" selected>Wednesday' in page
    assert not NotificationPreference.objects.exists()
    assert not OptOut.objects.exists()


@pytest.mark.django_db
def test_a_weekday_out_of_range_is_refused(cast, client_for):
    response = client_for("lee").post(URL, {"reflection_weekday": "9", "reflection_time": "10:00"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.exists()


@pytest.mark.django_db
def test_a_coach_gets_coach_kinds_and_no_reflection_schedule(cast, client_for):
    page = client_for("ada").get(URL).content.decode()
    assert "No-show follow-up" in page
    assert "No next session booked" in page
    assert "Weekly reflection prompt</h2>" not in page
    response = client_for("ada").post(URL, {"wanted": ["session_reminder"]})
    assert response.status_code == 302
    assert set(OptOut.objects.filter(recipient_key=f"user:{cast.ada.pk}").values_list("kind", flat=True)) == {
        "no_show_follow_up",
        "no_next_session",
    }


@pytest.mark.django_db
def test_someone_outside_any_engagement_is_told_they_receive_no_reminders(cast, client_for):
    page = client_for("pam").get(URL).content.decode()
    assert "You receive no reminders" in page


@pytest.mark.django_db
def test_a_sponsor_chooses_calendar_invitations_reminders_and_agenda_prompts_only(cast, client_for):
    page = client_for("sam").get(URL).content.decode()
    for offered in ("session_invitation", "session_reminder", "agenda_prompt"):
        assert f'value="{offered}"' in page
    for never in ("no_show_follow_up", "reflection_prompt", "fieldwork_nudge"):
        assert f'value="{never}"' not in page
    response = client_for("sam").post(URL, {"wanted": ["session_reminder", "agenda_prompt"]})
    assert response.status_code == 302
    assert list(OptOut.objects.filter(recipient_key=f"user:{cast.sam.pk}").values_list("kind", flat=True)) == [
        "session_invitation"
    ]


@pytest.mark.django_db
def test_someone_cannot_opt_out_of_a_kind_not_offered_to_them(cast, client_for):
    response = client_for("sam").post(URL, {"wanted": ["no_show_follow_up"]})
    assert response.status_code == 200
    assert not OptOut.objects.exists()


@pytest.mark.django_db
def test_the_account_preferences_page_links_here(cast, client_for):
    assert f'href="{URL}"' in client_for("liv").get("/account/preferences/").content.decode()


@pytest.mark.django_db
def test_a_coach_chooses_alerts_in_one_morning_e_mail_and_back(cast, client_for):
    client = client_for("ada")
    page = client.get(URL).content.decode()
    assert "Alerts about my clients" in page
    assert 'id="coach-alerts-immediate" value="immediate" checked' in page
    response = client.post(URL, {"wanted": ["no_show_follow_up", "no_next_session"], "coach_alerts": "digest"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=cast.ada).coach_alerts == "digest"
    assert 'id="coach-alerts-digest" value="digest" checked' in client.get(URL).content.decode()
    client.post(URL, {"wanted": ["no_show_follow_up"], "coach_alerts": "immediate"})
    assert NotificationPreference.objects.get(user=cast.ada).coach_alerts == "immediate"


@pytest.mark.django_db
def test_an_unknown_alert_choice_is_refused_and_the_rest_is_kept(cast, client_for):
    response = client_for("ada").post(URL, {"wanted": ["no_show_follow_up"], "coach_alerts": "hourly"})
    html = response.content.decode()
    assert response.status_code == 200 and "Choose how alerts reach you." in html
    assert 'value="no_show_follow_up" id="kind-no_show_follow_up"' in html
    assert not NotificationPreference.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("person", ["lee", "sam"])
def test_people_who_get_no_coach_alerts_are_not_offered_the_choice(cast, client_for, person):
    client = client_for(person)
    assert "Alerts about my clients" not in client.get(URL).content.decode()
    client.post(URL, {"reflection_weekday": "4", "reflection_time": "16:00", "coach_alerts": "digest"})
    assert not NotificationPreference.objects.filter(coach_alerts="digest").exists()
