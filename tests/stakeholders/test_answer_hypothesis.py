"""Generated bad input for the private link: malformed links and malformed answers.

Whatever arrives, the answer is a clear 4xx page (never a 500) and nothing is stored.
"""

from __future__ import annotations

import itertools
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stakeholders import views
from stakeholders.models import FeedbackRequest, FeedbackResponse, GoalScore
from tests.stakeholders.conftest import request_of

# Each generated example comes from its own address, so the limit on guessed links never interferes.
_addresses = (f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}" for i in itertools.count(1))

TEXT = st.characters(blacklist_categories=("Cs",))  # anything a browser can send (no lone surrogates)

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def link(lee_roster, open_round, monkeypatch):
    # Every example posts to this one link, and a valid link is rate limited on its own: lift its limit.
    monkeypatch.setattr(views, "LINK_REQUESTS_PER_MINUTE", 10**6)
    feedback_round, tokens = open_round(ask_support=True, ask_organisation=True)
    peer = lee_roster.peer[0]
    request = request_of(feedback_round, peer)
    goal_ids = sorted(request.goals.values_list("pk", flat=True))
    return f"/f/{tokens[peer.pk]}/", goal_ids


@SETTINGS
@given(token=st.text(alphabet=TEXT, max_size=300))
def test_malformed_links_get_a_4xx_page_never_a_500(client, db, token):
    response = client.get("/f/" + quote(token, safe="") + "/", REMOTE_ADDR=next(_addresses))

    assert response.status_code == 404


@SETTINGS
@given(
    token=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=43, max_size=43)
)
def test_well_formed_but_unknown_links_are_a_404_with_private_headers(client, db, token):
    response = client.get(f"/f/{token}/", REMOTE_ADDR=next(_addresses))

    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"


SCORE_VALUES = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6).filter(lambda n: not -3 <= n <= 3).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet=TEXT, max_size=20).filter(lambda s: s not in {"-3", "-2", "-1", "0", "1", "2", "3"}),
)
# Longer than 2000 characters even once surrounding white space is stripped.
OVERSIZED = st.builds(
    lambda a, b: a + "x" * 2001 + b, st.text(alphabet=TEXT, max_size=40), st.text(alphabet=TEXT, max_size=40)
)


@st.composite
def malformed_answers(draw, goal_ids):
    """Valid answers with at least one defect: a score off the scale or missing, or a text too long."""
    data = {f"score_{pk}": str(draw(st.integers(-3, 3))) for pk in goal_ids}
    defects = draw(
        st.lists(
            st.sampled_from(["bad_score", "missing_score", "long_suggestion", "long_support"]), min_size=1, unique=True
        )
    )
    for defect in defects:
        pk = draw(st.sampled_from(goal_ids))
        if defect == "bad_score":
            data[f"score_{pk}"] = draw(SCORE_VALUES)
        elif defect == "missing_score":
            data.pop(f"score_{pk}", None)
        elif defect == "long_suggestion":
            data[f"suggestion_{pk}"] = draw(OVERSIZED)
        else:
            data[draw(st.sampled_from(["support", "organisation"]))] = draw(OVERSIZED)
    # Noise that must be ignored: fields for goals nobody asked about, unknown fields.
    data.update(
        draw(
            st.dictionaries(
                st.sampled_from(["score_999999", "goal", "relationship", "stakeholder"]),
                st.text(max_size=10),
                max_size=2,
            )
        )
    )
    return data


@SETTINGS
@given(data=st.data())
def test_malformed_answers_are_a_400_and_store_nothing(client, link, data):
    path, goal_ids = link
    answers = data.draw(malformed_answers(goal_ids))

    response = client.post(path, answers, REMOTE_ADDR=next(_addresses))

    assert response.status_code == 400, answers
    assert not FeedbackResponse.objects.exists()
    assert not GoalScore.objects.exists()
    assert response["Cache-Control"] == "no-store"


@SETTINGS
@given(
    scores=st.lists(st.integers(-3, 3), min_size=2, max_size=2),
    text=st.text(alphabet=TEXT, max_size=2000).filter(lambda s: "\x00" not in s),
)
def test_any_answer_on_the_scale_is_stored(client, link, scores, text):
    path, goal_ids = link
    FeedbackResponse.objects.all().delete()  # the examples share one link: make it unused again
    FeedbackRequest.objects.update(answered_at=None)
    answers = {f"score_{pk}": str(s) for pk, s in zip(goal_ids, scores, strict=True)}
    answers[f"suggestion_{goal_ids[0]}"] = text

    response = client.post(path, answers, REMOTE_ADDR=next(_addresses))

    assert response.status_code == 200
    assert sorted(GoalScore.objects.values_list("score", flat=True)) == sorted(scores)
