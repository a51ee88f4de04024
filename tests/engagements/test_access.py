"""`get_engagement_for`: the coach and the leader open their engagement's pages; everyone else gets a 404."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from engagements.access import get_engagement_for

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize("person", ["ada", "lee"])
def test_the_coach_and_the_leader_open_their_engagement(cast, person):
    engagement = get_engagement_for(_request(getattr(cast, person)), cast.lee_engagement.pk)
    assert engagement == cast.lee_engagement


@pytest.mark.parametrize("person", ["ben", "liv", "sam", "sue", "pam"])
def test_anyone_else_gets_a_404(cast, person):
    with pytest.raises(Http404):
        get_engagement_for(_request(getattr(cast, person)), cast.lee_engagement.pk)


def test_a_coach_only_page_refuses_the_leader_and_opens_for_the_coach(cast):
    assert get_engagement_for(_request(cast.ada), cast.lee_engagement.pk, coach_only=True) == cast.lee_engagement
    with pytest.raises(Http404):
        get_engagement_for(_request(cast.lee), cast.lee_engagement.pk, coach_only=True)
