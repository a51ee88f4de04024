"""The coach's fieldwork library: list, add, edit, remove; nobody else sees it."""

from __future__ import annotations

from fieldwork.models import FieldworkTemplate
from tests.factories import FieldworkTemplateFactory


def test_coach_adds_a_template(cast, client_for):
    response = client_for("ada").post(
        "/fieldwork/library/",
        {"title": "Journal after a meeting", "description": "Five minutes.", "goal_theme": "awareness"},
    )

    assert response.status_code == 302
    template = FieldworkTemplate.objects.get()
    assert (template.coach, template.title) == (cast.ada, "Journal after a meeting")


def test_a_duplicate_title_is_refused_and_kept(cast, client_for):
    FieldworkTemplateFactory(coach=cast.ada, title="Journal after a meeting")

    html = (
        client_for("ada")
        .post("/fieldwork/library/", {"title": "journal after a meeting", "description": "Typed text"})
        .content.decode()
    )

    assert "already has a template with this title" in html
    assert 'value="journal after a meeting"' in html and "Typed text" in html
    assert FieldworkTemplate.objects.count() == 1


def test_an_empty_title_is_refused(cast, client_for):
    html = client_for("ada").post("/fieldwork/library/", {"title": "", "description": "x"}).content.decode()

    assert "Give the practice a short title." in html
    assert not FieldworkTemplate.objects.exists()


def test_each_coach_sees_only_their_own_library(cast, client_for):
    FieldworkTemplateFactory(coach=cast.ada, title="Ada practice")
    FieldworkTemplateFactory(coach=cast.ben, title="Ben practice")

    html = client_for("ada").get("/fieldwork/library/").content.decode()

    assert "Ada practice" in html and "Ben practice" not in html


def test_coach_edits_and_removes_a_template(cast, client_for):
    template = FieldworkTemplateFactory(coach=cast.ada, title="Old title")
    client = client_for("ada")

    client.post(f"/fieldwork/library/{template.pk}/edit/", {"title": "New title", "goal_theme": "calm"})
    template.refresh_from_db()
    assert template.title == "New title"

    client.post(f"/fieldwork/library/{template.pk}/delete/")
    assert not FieldworkTemplate.objects.exists()


def test_another_coachs_template_is_not_found(cast, client_for):
    template = FieldworkTemplateFactory(coach=cast.ada, title="Ada practice")
    ben = client_for("ben")

    assert ben.get(f"/fieldwork/library/{template.pk}/edit/").status_code == 404
    assert ben.post(f"/fieldwork/library/{template.pk}/delete/").status_code == 404
    assert FieldworkTemplate.objects.filter(pk=template.pk).exists()


def test_leaders_and_sponsors_have_no_library(cast, client_for):
    for person in ("lee", "sam"):
        assert client_for(person).get("/fieldwork/library/").status_code == 403


def test_the_library_runs_one_query_for_any_number_of_templates(cast, client_for, django_assert_num_queries):
    client = client_for("ada")
    counts = []
    for size in (1, 12):
        FieldworkTemplateFactory.create_batch(size, coach=cast.ada)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            client.get("/fieldwork/library/")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
