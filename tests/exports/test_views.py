"""Asking for an export, following it, and the e-mailed download link: for its owner only, until it expires."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from engagements.models import Engagement
from exports import services
from exports.models import Export
from notifications.models import Kind, Notification
from notifications.services import notification_deliver


def _send_owed_export_emails() -> list[str]:
    pending = Notification.objects.filter(kind=Kind.EXPORT_READY, status=Notification.Status.PENDING)
    return [notification_deliver(notification_id=pk) for pk in pending.values_list("pk", flat=True)]


def _link_path(message) -> str:
    link = next(line.strip() for line in message.body.splitlines() if "/exports/download/" in line)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _ready(owner, kind="leader_record", export_format="json") -> Export:
    export = services.export_request(owner=owner, kind=kind, export_format=export_format)
    services.export_build(export_id=export.pk)
    export.refresh_from_db()
    return export


def test_a_leader_asks_for_their_record_and_downloads_it_from_the_emailed_link(
    cast, client_for, django_capture_on_commit_callbacks
):
    lee = client_for("lee")
    with django_capture_on_commit_callbacks(execute=True):
        response = lee.post("/exports/new/", {"kind": "leader_record", "format": "json"})
    export = Export.objects.get(owner=cast.lee)
    assert response.status_code == 302 and response["Location"] == f"/exports/{export.pk}/"
    assert export.status == Export.Status.READY and export.progress == 100
    assert export.expires_at == export.finished_at + timedelta(days=7)

    _send_owed_export_emails()
    message = mail.outbox[-1]
    assert message.to == ["lee@example.com"]
    assert message.subject == "Your coaching record is ready"
    assert "expires in 7 days" in message.body
    path = _link_path(message)
    assert export.token_hash not in path and path.startswith("/exports/download/")

    download = lee.get(path)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json"
    assert download["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    assert download["Cache-Control"] == "no-store" and download["Referrer-Policy"] == "no-referrer"
    record = json.loads(download.content)
    assert [e["organisation"] for e in record["engagements"]] == ["Acme Logistics"]
    assert record["engagements"][0]["sessions"][0]["private_notes"] is None  # the coach's own (coaching.facts)


@pytest.mark.parametrize("person", ["ada", "liv", "sam"])
def test_the_download_link_works_for_its_owner_only(cast, client_for, person):
    export = _ready(cast.lee)
    path = f"/exports/download/{services.export_token(export=export)}/"
    assert client_for(person).get(path).status_code == 404
    assert client_for("lee").get(path).status_code == 200


def test_a_signed_out_visitor_with_the_link_is_sent_to_sign_in(cast, client):
    export = _ready(cast.lee)
    response = client.get(f"/exports/download/{services.export_token(export=export)}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_forged_link_is_a_404(cast, client_for):
    _ready(cast.lee)
    assert client_for("lee").get("/exports/download/not-a-real-token/").status_code == 404


def test_an_expired_link_says_so_and_the_file_is_deleted(cast, client_for):
    export = _ready(cast.lee)
    path = f"/exports/download/{services.export_token(export=export)}/"
    with time_machine.travel(export.expires_at + timedelta(seconds=1)):
        response = client_for("lee").get(path)
        assert response.status_code == 410
        assert "This download link has expired" in response.content.decode()
        assert services.exports_purge_expired() == 1
        page = client_for("lee").get(f"/exports/{export.pk}/").content.decode()
        assert "link has expired and its file was deleted" in page
    export.refresh_from_db()
    assert export.content is None


def test_a_link_still_valid_the_minute_before_it_expires(cast, client_for):
    export = _ready(cast.lee)
    with time_machine.travel(export.expires_at - timedelta(minutes=1)):
        assert services.exports_purge_expired() == 0
        response = client_for("lee").get(f"/exports/download/{services.export_token(export=export)}/")
    assert response.status_code == 200


def test_a_replayed_build_does_nothing(cast):
    export = _ready(cast.lee)
    assert services.export_build(export_id=export.pk) == "not claimed"
    assert Notification.objects.filter(kind=Kind.EXPORT_READY).count() == 1


def test_asking_twice_while_one_is_in_progress_gives_one_export(cast, client_for):
    lee = client_for("lee")
    first = lee.post("/exports/new/", {"kind": "leader_record", "format": "pdf"})
    second = lee.post("/exports/new/", {"kind": "leader_record", "format": "pdf"})
    assert first["Location"] == second["Location"]
    assert Export.objects.filter(owner=cast.lee).count() == 1


def test_an_export_stuck_longer_than_the_limit_is_given_up_and_replaced(cast):
    stuck = services.export_request(owner=cast.lee, kind="leader_record", export_format="json")
    later = timezone.now() + timedelta(minutes=31)
    fresh = services.export_request(owner=cast.lee, kind="leader_record", export_format="json", now=later)
    stuck.refresh_from_db()
    assert fresh.pk != stuck.pk
    assert stuck.status == Export.Status.FAILED and "too long" in stuck.error


@pytest.mark.parametrize(
    ("person", "kind", "export_format"),
    [("ada", "leader_record", "json"), ("sam", "leader_record", "pdf"), ("lee", "practice", "zip"), ("lee", "x", "y")],
)
def test_asking_for_an_export_of_someone_elses_data_is_refused(cast, client_for, person, kind, export_format):
    response = client_for(person).post("/exports/new/", {"kind": kind, "format": export_format})
    assert response.status_code == 403
    assert "That export is not available to you" in response.content.decode()
    assert not Export.objects.exists()


def test_the_progress_page_polls_while_the_export_runs_and_offers_the_file_when_ready(cast, client_for):
    lee = client_for("lee")
    export = services.export_request(owner=cast.lee, kind="leader_record", export_format="json")
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=40)

    page = lee.get(f"/exports/{export.pk}/").content.decode()
    assert 'value="40" max="100"' in page and 'data-hx-trigger="every 2s"' in page
    fragment = lee.get(f"/exports/{export.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="export-progress"') and "<html" not in fragment

    Export.objects.filter(pk=export.pk).update(status=Export.Status.PENDING)
    services.export_build(export_id=export.pk)
    fragment = lee.get(f"/exports/{export.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in fragment and "/exports/download/" in fragment


def test_another_persons_export_page_is_a_404(cast, client_for):
    export = _ready(cast.lee)
    assert client_for("ada").get(f"/exports/{export.pk}/").status_code == 404


@pytest.mark.parametrize("size", [1, 15])
def test_the_exports_page_runs_the_same_queries_however_many_exports(cast, client_for, django_assert_num_queries, size):
    for _ in range(size):
        Export.objects.create(
            owner=cast.ada, kind="practice", format="zip", status="failed", link_nonce="n", token_hash=f"{_:064d}"
        )
    ada = client_for("ada")
    # session, user, "leads an engagement?" (the choices), the exports listed, and the menu's
    # "leads anything?" and "sponsors anything?"
    with django_assert_num_queries(6):
        response = ada.get("/exports/")
    assert response.content.decode().count("My coaching practice · ZIP") == min(size, 20)


@pytest.mark.parametrize("size", [1, 15])
def test_the_export_page_runs_the_same_queries_however_many_exports(cast, client_for, django_assert_num_queries, size):
    exports = [_ready(cast.lee) for _ in range(size)]
    lee = client_for("lee")
    # session, user, the export (without its file), the menu's "leads anything?" and "sponsors anything?"
    with django_assert_num_queries(5):
        assert lee.get(f"/exports/{exports[-1].pk}/").status_code == 200


def test_the_engagement_page_offers_the_leader_their_record_and_more_so_once_it_is_over(cast, client_for):
    path = f"/engagements/{cast.lee_engagement.pk}/"
    assert "Export my record" in client_for("lee").get(path).content.decode()
    assert "Export my record" not in client_for("ada").get(path).content.decode()
    Engagement.objects.filter(pk=cast.lee_engagement.pk).update(status=Engagement.Status.COMPLETED)
    assert "Take your record with you" in client_for("lee").get(path).content.decode()
