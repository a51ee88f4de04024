"""The stakeholder survey and its results read in German from the catalogue, while what is stored stays the
same in every language: scores are numbers and round names are worked out when shown, never saved."""

from __future__ import annotations

from django.utils import translation

from engagements.models import Goal
from stakeholders.charts import _short
from stakeholders.forms import AnswerForm
from stakeholders.models import FeedbackRound, Relationship


def test_round_names_follow_the_readers_language(german):
    assert FeedbackRound(kind="progress", sequence=2).label == "Fortschrittsrunde 2"
    assert FeedbackRound(kind="baseline", sequence=1).label == "Ausgangsrunde"
    assert FeedbackRound(kind="baseline", sequence=2).label == "Ausgangsrunde 2"
    assert FeedbackRound(kind="progress", sequence=None).label == "Fortschrittsrunde (Entwurf)"
    assert _short("Fortschrittsrunde 3") == "Runde 3"
    with translation.override("en-gb"):
        assert FeedbackRound(kind="progress", sequence=2).label == "Progress round 2"
        assert _short("Progress round 3") == "Round 3"


def test_rater_groups_are_named_in_german_but_keyed_in_english(german):
    assert Relationship.plural("direct_report") == "Direkt Unterstellte"
    assert str(Relationship.MANAGER.label) == "Vorgesetzte Person"
    assert Relationship.MANAGER.value == "manager"


def test_the_survey_asks_in_german_and_keeps_the_scale_as_numbers(german):
    goal = Goal(pk=41, title="Ruhig bleiben unter Druck")
    feedback_round = FeedbackRound(kind="progress", ask_support=True)
    form = AnswerForm(
        data={"score_41": "-3", "suggestion_41": "Mehr zuhören.", "support": ""},
        feedback_round=feedback_round,
        goals=[goal],
        leader_name="Lee",
    )
    assert form.fields["score_41"].label == (
        "Inwieweit ist Lee hierbei wirksamer oder weniger wirksam geworden: Ruhig bleiben unter Druck?"
    )
    assert form.fields["support"].label == "Wie kann Lee Sie am besten unterstützen? (optional)"
    # The scale keeps its seven ordered steps; the labels are only the signed numbers.
    assert [value for value, _label in form.fields["score_41"].choices] == [-3, -2, -1, 0, 1, 2, 3]
    assert form.is_valid(), form.errors
    assert form.submission()["scores"] == {41: -3}


def test_a_missing_score_is_explained_in_german(german):
    form = AnswerForm(
        data={},
        feedback_round=FeedbackRound(kind="progress"),
        goals=[Goal(pk=7, title="Delegieren")],
        leader_name="Lee",
    )
    assert not form.is_valid()
    assert form.errors["score_7"] == ["Wählen Sie einen Wert von −3 bis +3."]
