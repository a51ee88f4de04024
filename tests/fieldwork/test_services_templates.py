"""template_save and template_delete: each coach's own library."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fieldwork.models import Commitment, FieldworkTemplate
from fieldwork.services import template_delete, template_save
from tests.factories import CommitmentFactory, FieldworkTemplateFactory


def test_coach_adds_a_template_to_their_library(cast):
    template = template_save(
        coach=cast.ada, title="  Ask a peer  for help ", description="Before deciding.", goal_theme="collaboration"
    )

    template.refresh_from_db()
    assert (template.coach, template.title, template.goal_theme) == (cast.ada, "Ask a peer for help", "collaboration")


def test_titles_are_unique_within_a_library_ignoring_case(cast):
    template_save(coach=cast.ada, title="Journal after a meeting")

    with pytest.raises(ValidationError) as exc:
        template_save(coach=cast.ada, title="journal AFTER a meeting")

    assert "already has" in exc.value.message_dict["title"][0]


def test_two_coaches_may_use_the_same_title(cast):
    template_save(coach=cast.ada, title="Journal after a meeting")
    template_save(coach=cast.ben, title="Journal after a meeting")

    assert FieldworkTemplate.objects.count() == 2


def test_an_empty_title_is_refused(cast):
    with pytest.raises(ValidationError):
        template_save(coach=cast.ada, title="   ")


def test_leaders_keep_no_library(cast):
    with pytest.raises(PermissionDenied):
        template_save(coach=cast.lee, title="Mine")


def test_a_coach_cannot_edit_or_delete_another_coachs_template(cast):
    template = FieldworkTemplateFactory(coach=cast.ben)

    with pytest.raises(PermissionDenied):
        template_save(coach=cast.ada, title="Taken over", template=template)
    with pytest.raises(PermissionDenied):
        template_delete(template=template, coach=cast.ada)
    template.refresh_from_db()
    assert template.title != "Taken over"


def test_deleting_a_template_keeps_the_commitments_started_from_it(cast):
    template = FieldworkTemplateFactory(coach=cast.ada)
    commitment = CommitmentFactory(session=cast.lee_past_session, template=template)

    template_delete(template=template, coach=cast.ada)

    commitment.refresh_from_db()
    assert commitment.template is None
    assert Commitment.objects.filter(pk=commitment.pk).exists()
