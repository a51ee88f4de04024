"""Fieldwork reads in German from the catalogue; what the leader logs and rates is stored as typed and as
numbers, whatever the language of the page."""

from __future__ import annotations

from django.utils import translation

from engagements.models import Goal
from fieldwork.forms import TARGET_MESSAGE, CommitmentForm, ReflectionForm
from fieldwork.models import Commitment, PracticeLog


def test_a_full_log_is_shown_with_german_questions(german):
    log = PracticeLog(what_tried="Einmal durchgeatmet.", others_reacted="Der Bereichsleiter nickte.")
    assert log.full_answers() == [
        ("Was ich versucht habe", "Einmal durchgeatmet."),
        ("Wie andere reagiert haben", "Der Bereichsleiter nickte."),
    ]


def test_outcomes_are_named_in_german_and_stored_as_keys(german):
    assert str(Commitment.Outcome.NOT_DONE.label) == "Nicht erledigt"
    assert Commitment.Outcome.NOT_DONE.value == "not_done"
    assert str(PracticeLog.Kind.COULD_NOT.label) == "Hat nicht geklappt"


def test_the_target_message_is_read_in_the_language_of_the_moment(german):
    assert str(TARGET_MESSAGE) == "Wählen Sie eine Anzahl von Versuchen zwischen 1 und 50 bis zur nächsten Sitzung."
    with translation.override("en-gb"):
        assert str(TARGET_MESSAGE) == "Choose a number of attempts from 1 to 50 before the next session."


def test_a_commitment_form_error_is_german(german):
    form = CommitmentForm(data={"text": "", "target_count": "3", "due": "next_session"}, goals=[])
    assert not form.is_valid()
    assert form.errors["text"] == ["Beschreiben Sie in wenigen Worten, was die Führungskraft üben wird."]


def test_self_ratings_keep_their_ten_numbered_steps_in_german(german):
    goal = Goal(pk=5, title="Ruhig bleiben")
    form = ReflectionForm(data={"goal_5": "7", "wins": "Ein ruhiges Gespräch."}, goals=[goal])
    assert [label for _value, label in form.fields["goal_5"].choices] == [str(n) for n in range(1, 11)]
    assert form.is_valid(), form.errors
    assert form.ratings() == {5: 7}
    bad = ReflectionForm(data={"goal_5": "11"}, goals=[goal])
    assert not bad.is_valid()
    assert bad.errors["goal_5"] == ["Bewerten Sie von 1 bis 10."]
