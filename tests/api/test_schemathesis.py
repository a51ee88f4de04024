"""Schemathesis against the schema the site serves: for a coach, a leader and a sponsor, every operation
is called with generated input (valid and invalid) through the whole Django stack; no answer is a
5xx, and every answer's status, content type and body conform to the schema.

Path ids are drawn half from the ids of the cast's own rows (so reads and writes reach real objects,
and the access rules answer 404 for the wrong person) and half by Schemathesis. The number of examples
per operation is bounded (`API_FUZZ_EXAMPLES`, default 12), which keeps the run to a few minutes.
Each call runs in a savepoint that is rolled back, so one example's write never changes the next.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import api_token_create
from tests.conftest import build_cast
from tests.privacy.secrets import seed_private_content

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
MIN_SUCCESSES = {"coach": 10, "leader": 10, "sponsor": 4}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The cast with private content in every field, and a read-and-write token for three of them.
    Built once per module in a transaction rolled back at the end. As Django's test client does, the
    WSGI requests leave the database connection open (it holds that transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cast = build_cast()
            private = seed_private_content(cast)
            tokens = {
                role: api_token_create(user=user, name="schema test", scope="write", days=7).secret
                for role, user in (("coach", cast.ada), ("leader", cast.lee), ("sponsor", cast.sam))
            }
            ids = sorted(
                {
                    cast.lee_engagement.pk,
                    cast.liv_engagement.pk,
                    cast.lee_past_session.pk,
                    cast.lee_next_session.pk,
                    private.three_way_meeting.pk,
                    private.commitment.pk,
                    private.closed_round.pk,
                    private.current_round.pk,
                }
            )
            schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
            yield schema, tokens, ids
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coach", "leader", "sponsor"])
def test_every_operation_answers_without_a_server_error_and_as_the_schema_says(fuzz_world, role):
    schema, tokens, ids = fuzz_world
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    operations = _operations(schema)
    assert len(operations) >= 20, [op.label for op in operations]
    failures: list[str] = []
    calls = {"count": 0, "2xx": 0}
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, real_id=st.one_of(st.none(), st.sampled_from(ids)))
        def call(case, real_id):
            if real_id is not None and case.path_parameters and "id" in case.path_parameters:
                case.path_parameters["id"] = real_id
            sid = transaction.savepoint()
            try:
                response = case.call(headers=headers)
                calls["count"] += 1
                calls["2xx"] += 200 <= response.status_code < 300
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except Exception as exc:  # noqa: BLE001 - every failure is collected and reported below
                    failures.append(f"{case.operation.label} as {role}: {exc}"[:2000])
            finally:
                transaction.savepoint_rollback(sid)

        call()
    assert not failures, "\n\n".join(failures[:10])
    # The run reached real rows, not only 404s: a sponsor may use four operations, the others most.
    assert calls["2xx"] >= MIN_SUCCESSES[role], calls
