"""The REST API and exports give the same plain facts of goals, sessions, agenda items, commitments and
practice logs (`coaching.facts`): the same fields, the same values, private notes for the coach only."""

from __future__ import annotations

import json

from exports import records
from tests.api.helpers import api_client_for
from tests.factories import CommitmentFactory, PracticeLogFactory

API_ONLY = {"commitments": {"attempts_logged", "could_not_logged"}}
EXPORT_NESTED = {"sessions": {"agenda"}, "commitments": {"logs"}}


def _api(client, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return json.loads(response.content)["results"]


def _by_id(rows: list[dict]) -> dict[int, dict]:
    return {row["id"]: row for row in rows}


def _same(api_rows: list[dict], export_rows: list[dict], kind: str) -> None:
    api, export = _by_id(api_rows), _by_id(export_rows)
    assert set(api) == set(export), kind
    for pk, row in api.items():
        exported = {k: v for k, v in export[pk].items() if k not in EXPORT_NESTED.get(kind, set())}
        shown = {k: v for k, v in row.items() if k not in API_ONLY.get(kind, set())}
        assert set(shown) == set(exported), kind
        for key, value in shown.items():  # moments are written in UTC by exports, in the site's zone by the API
            if isinstance(value, str) and key.endswith("_at") and value:
                continue
            assert exported[key] == value, (kind, key)


def test_the_api_and_the_exports_give_the_same_facts_of_every_row(cast):
    e = cast.lee_engagement
    commitment = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0], text="Ask first")
    PracticeLogFactory(commitment=commitment, note="Asked Dana first")
    cast.lee_past_session.private_notes = "Coach's own note"
    cast.lee_past_session.save(update_fields=["private_notes"])

    for person, record in (
        (cast.ada, records.practice_record(coach=cast.ada)),
        (cast.lee, records.leader_record(leader=cast.lee)),
    ):
        client = api_client_for(person)
        [exported] = [x for x in record["engagements"] if x["id"] == e.pk]
        base = f"/api/v1/engagements/{e.pk}"
        _same(_api(client, f"{base}/goals/"), exported["goals"], "goals")
        _same(_api(client, f"{base}/sessions/"), exported["sessions"], "sessions")
        _same(_api(client, f"{base}/commitments/"), exported["commitments"], "commitments")
        _same(
            _api(client, f"{base}/practice-logs/"),
            [log for c in exported["commitments"] for log in c["logs"]],
            "logs",
        )
        notes = {s["id"]: s["private_notes"] for s in exported["sessions"]}
        expected = "Coach's own note" if person == cast.ada else None
        assert notes[cast.lee_past_session.pk] == expected


def test_agenda_items_carry_the_same_fields_in_both(cast):
    from api.serializers import AgendaItemSerializer
    from coaching import facts

    [exported] = [x for x in records.leader_record(leader=cast.lee)["engagements"] if x["id"] == cast.lee_engagement.pk]
    agenda = [a for s in exported["sessions"] for a in s["agenda"]]
    assert agenda and all(set(a) == set(facts.AGENDA_ITEM_FIELDS) for a in agenda)
    assert AgendaItemSerializer.Meta.fields == list(facts.AGENDA_ITEM_FIELDS)
