"""The benchmark's large practice: it loads with COPY, keeps every constraint, and its pages open."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from api.models import ApiToken
from api.services import api_token_authenticate
from bench.seed import PracticeSeeder
from bench.subjects import BENCH_API_TOKEN, TRIVIAL, pages, signed_in_client
from engagements.models import Engagement
from fieldwork.models import PracticeLog


@pytest.fixture
def practice(db):
    if connection.vendor != "postgresql":
        pytest.skip("The seeder loads with PostgreSQL's COPY (set DATABASE_URL=postgres://...).")
    return PracticeSeeder(scale=0.01, seed=7).build()


def test_the_practice_holds_years_of_history_for_the_measured_coach(practice):
    ada = User.objects.get(email="ada@example.com")
    assert Engagement.objects.filter(coach=ada).count() == practice["counts"]["engagements.Engagement"] // 4
    assert Engagement.objects.filter(coach=ada).dates("start_date", "year").count() >= 3
    assert PracticeLog.objects.count() == practice["counts"]["fieldwork.PracticeLog"] > 1000


def test_every_measured_page_opens_for_its_person(practice):
    found = pages()
    assert [p.key for p in found] == [
        "coach_home",
        "engagement",
        "session",
        "leader_home",
        "sponsor_summary",
        "stakeholder_link",
        "program_dashboard",
        "api_engagements",
        "api_sessions",
        "api_commitments",
        "api_practice_logs",
        TRIVIAL,
    ]
    for page in found:
        if page.key == TRIVIAL:
            continue  # only in the benchmark's own URLconf
        response = signed_in_client(page.user_id).get(page.path, headers=page.headers)
        assert response.status_code == 200, page.path
        if page.key.startswith("api_"):
            assert response.json()["results"], page.path  # the token reads Ada's rows


def test_the_api_is_read_with_one_read_only_token_of_the_benchmark_made_once(practice):
    pages()
    pages()
    ada = User.objects.get(email="ada@example.com")
    token = api_token_authenticate(secret=BENCH_API_TOKEN)
    assert (token.user, token.can_write) == (ada, False)
    assert ApiToken.objects.filter(user=ada).count() == 1
    assert signed_in_client(None).get("/api/v1/engagements/").status_code == 401  # no header, no rows


def test_ids_handed_out_by_the_seeder_do_not_collide_with_new_rows(practice):
    ada = User.objects.get(email="ada@example.com")
    engagement = Engagement.objects.create(
        coach=ada,
        leader=User.objects.create_user(email="new-leader@example.com", full_name="New"),
        organisation="After seeding",
        start_date="2026-01-05",
        planned_end_date="2026-06-05",
    )
    assert engagement.pk > practice["counts"]["engagements.Engagement"]
