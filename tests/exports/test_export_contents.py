"""An export holds exactly what its owner reads on the pages: checked against the table of secrets.

Each export is built by the same service the worker runs, from the cast with a secret in every
private field (`tests/privacy/secrets.py`), and read back as its owner reads it.
"""

from __future__ import annotations

import pytest

from exports import services
from exports.models import Export
from tests.exports.helpers import readable, squeeze
from tests.privacy.secrets import NEVER_TOGETHER, seed_private_content, unreadable_by

# What each owner's export must show (so an empty file cannot pass) ...
LEADER_READS = (
    "shared_summary",
    "agenda_item",
    "reflection_agenda",
    "goal_why",
    "commitment_text",
    "commitment_where",
    "commitment_review_reason",
    "log_note",
    "log_went_well",
    "log_will_adjust",
    "reflection_wins",
    "reflection_struggles",
    "checkin_comment",
    "rater0_suggestion",
    "rater_support",
)
COACH_READS = (*LEADER_READS, "private_notes", "three_way_private_notes")

CASES = [
    ("leader", Export.Kind.LEADER_RECORD, Export.Format.JSON, LEADER_READS),
    ("leader", Export.Kind.LEADER_RECORD, Export.Format.PDF, LEADER_READS),
    ("coach", Export.Kind.PRACTICE, Export.Format.ZIP, COACH_READS),
    ("other_leader", Export.Kind.LEADER_RECORD, Export.Format.JSON, ("liv_goal_why",)),
    ("other_coach", Export.Kind.PRACTICE, Export.Format.ZIP, ("liv_goal_why", "liv_private_notes")),
]


def _built(owner, kind: str, export_format: str) -> bytes:
    export = services.export_request(owner=owner, kind=kind, export_format=export_format)
    assert services.export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    return bytes(export.content)


@pytest.mark.parametrize(("person", "kind", "export_format", "reads"), CASES, ids=lambda v: str(v)[:20])
def test_an_export_holds_what_its_owner_reads_and_nothing_else(cast, person, kind, export_format, reads):
    texts = seed_private_content(cast).texts
    body = squeeze(readable(_built(cast.people[person], kind, export_format), export_format))

    leaked = [name for name, text in unreadable_by(person, texts).items() if squeeze(text) in body]
    assert leaked == []
    paired = [(a, b) for a, b in NEVER_TOGETHER if squeeze(texts[a]) in body and squeeze(texts[b]) in body]
    assert paired == []
    missing = [name for name in reads if squeeze(texts[name]) not in body]
    assert missing == []


def test_the_leaders_record_leaves_out_the_lone_peer_and_names_no_stakeholder(cast):
    texts = seed_private_content(cast).texts
    body = squeeze(readable(_built(cast.lee, Export.Kind.LEADER_RECORD, Export.Format.JSON), "json"))
    for name in ("lone_peer_suggestion", "lone_peer_support", "lone_peer_name", "rater0_name", "rater0_email"):
        assert squeeze(texts[name]) not in body, name


def test_the_practice_export_neutralises_spreadsheet_formulas(cast):
    from tests.factories import CommitmentFactory, PracticeLogFactory

    commitment = CommitmentFactory(session=cast.lee_past_session, text='=HYPERLINK("http://evil.example")')
    PracticeLogFactory(commitment=commitment, note="+1 more try")
    archive = readable(_built(cast.ada, Export.Kind.PRACTICE, Export.Format.ZIP), "zip")
    assert "'=HYPERLINK" in archive
    assert "'+1 more try" in archive


def test_an_engagement_the_leader_has_not_accepted_is_not_in_their_record(cast):
    from engagements.models import Engagement

    Engagement.objects.filter(pk=cast.lee_engagement.pk).update(awaiting_leader=True)
    with pytest.raises(services.PermissionDenied):
        services.export_request(owner=cast.lee, kind=Export.Kind.LEADER_RECORD, export_format=Export.Format.JSON)
