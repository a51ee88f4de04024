"""The time-zone picker: common zones first, every zone once, and a plain select that works without JavaScript."""

from __future__ import annotations

import re

from accounts.forms import AcceptInvitationForm, PreferencesForm
from accounts.models import COMMON_TIME_ZONES, grouped_time_zone_choices, time_zone_choices


def test_common_zones_come_first_and_every_zone_is_listed_once():
    (common_label, common), (others_label, others) = grouped_time_zone_choices()
    assert common_label == "Common time zones" and others_label == "All other time zones"
    assert [name for name, _ in common] == list(COMMON_TIME_ZONES)
    listed = [name for name, _ in common + others]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(name for name, _ in time_zone_choices())
    assert ("America/New_York", "America/New York") in common


def test_both_forms_accept_a_zone_from_either_group_and_refuse_an_unknown_one():
    for zone in ("Europe/Berlin", "Pacific/Chatham"):
        assert PreferencesForm({"full_name": "Lee", "time_zone": zone}).is_valid()
    form = PreferencesForm({"full_name": "Lee", "time_zone": "Mars/Olympus"})
    assert not form.is_valid() and "time_zone" in form.errors
    assert not AcceptInvitationForm({"password1": "x", "password2": "x", "time_zone": "Mars/Olympus"}).is_valid()


def test_the_preferences_page_shows_the_grouped_select_with_the_current_zone_selected(cast, client_for):
    cast.lee.time_zone = "Pacific/Chatham"
    cast.lee.save(update_fields=["time_zone"])
    html = client_for("lee").get("/account/preferences/").content.decode()
    select = re.search(r"<select[^>]*name=\"time_zone\".*?</select>", html, re.S).group(0)
    assert "data-time-zone-picker" in select
    assert select.index('<optgroup label="Common time zones">') < select.index(
        '<optgroup label="All other time zones">'
    )
    assert select.count("selected") == 1
    assert re.search(r'<option value="Pacific/Chatham" selected>', select)


def test_a_zone_chosen_without_javascript_is_saved(cast, client_for):
    response = client_for("lee").post("/account/preferences/", {"full_name": "Lee L", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    cast.lee.refresh_from_db()
    assert cast.lee.time_zone == "Asia/Tokyo"
