"""Fieldwork fixtures on top of the shared cast (tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.factories import CommitmentFactory

COMMITMENT_TEXT = "Count to three before replying to the CFO in planning"


@pytest.fixture
def lee_commitment(cast):
    """An open commitment Lee agreed with Ada at last week's session, four attempts, composure goal."""
    return CommitmentFactory(
        session=cast.lee_past_session,
        goal=cast.lee_goals[0],
        text=COMMITMENT_TEXT,
        where_with_whom="Quarterly planning round",
        target_count=4,
    )
