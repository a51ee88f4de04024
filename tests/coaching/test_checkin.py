"""The partnership check-in: due after every third held session, answered by the leader, read by the coach."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coaching.models import PartnershipCheckIn
from coaching.services import checkin_due_milestone, checkin_submit
from tests.coaching.helpers import PartnershipCheckInFactory, held

pytestmark = pytest.mark.django_db

COMMENT = "Check-in: I would like more challenge and fewer check-ins on my calendar."


def _hold(engagement, n: int) -> None:
    for i in range(n):
        held(engagement, 40 + i)


@pytest.mark.parametrize(
    ("held_count", "last_answered", "due"),
    [(0, None, None), (2, None, None), (3, None, 3), (5, None, 3), (5, 3, None), (6, 3, 6), (9, None, 9), (7, 6, None)],
)
def test_a_check_in_falls_due_every_third_held_session(held_count, last_answered, due):
    assert PartnershipCheckIn.due_milestone(held_count=held_count, last_answered=last_answered) == due


def test_the_leader_answers_the_check_in_once_it_is_due(cast):
    _hold(cast.lee_engagement, 2)  # three held with the cast's kick-off
    checkin = checkin_submit(engagement=cast.lee_engagement, leader=cast.lee, score=4, comment="  Helpful.  ")

    assert (checkin.held_sessions, checkin.score, checkin.comment) == (3, 4, "Helpful.")
    assert checkin_due_milestone(engagement=cast.lee_engagement) is None


def test_no_check_in_is_accepted_before_it_is_due(cast):
    with pytest.raises(ValidationError, match="No check-in is due"):
        checkin_submit(engagement=cast.lee_engagement, leader=cast.lee, score=4)
    assert not PartnershipCheckIn.objects.exists()


def test_a_milestone_is_answered_only_once(cast):
    _hold(cast.lee_engagement, 2)
    checkin_submit(engagement=cast.lee_engagement, leader=cast.lee, score=4)
    with pytest.raises(ValidationError):
        checkin_submit(engagement=cast.lee_engagement, leader=cast.lee, score=2)
    assert PartnershipCheckIn.objects.count() == 1


def test_the_leader_posts_the_check_in_and_returns_home(cast, client_for):
    _hold(cast.lee_engagement, 2)
    response = client_for("lee").post(
        f"/engagements/{cast.lee_engagement.pk}/check-in/", {"score": "5", "comment": COMMENT}
    )

    assert response.status_code == 302 and response["Location"] == "/leader/"
    checkin = PartnershipCheckIn.objects.get()
    assert (checkin.leader, checkin.score, checkin.comment, checkin.held_sessions) == (cast.lee, 5, COMMENT, 3)


def test_a_check_in_without_a_score_is_shown_again_with_the_comment_kept(cast, client_for):
    _hold(cast.lee_engagement, 2)
    response = client_for("lee").post(f"/engagements/{cast.lee_engagement.pk}/check-in/", {"comment": COMMENT})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a score from 1 to 5." in html
    assert COMMENT in html
    assert not PartnershipCheckIn.objects.exists()


def test_a_score_outside_one_to_five_is_refused_with_a_message(cast, client_for):
    _hold(cast.lee_engagement, 2)
    response = client_for("lee").post(f"/engagements/{cast.lee_engagement.pk}/check-in/", {"score": "9"})
    assert "Choose a score from 1 to 5." in response.content.decode()
    assert not PartnershipCheckIn.objects.exists()


def test_posting_when_nothing_is_due_says_so_and_records_nothing(cast, client_for):
    response = client_for("lee").post(f"/engagements/{cast.lee_engagement.pk}/check-in/", {"score": "3"}, follow=True)
    assert "No check-in is due right now" in response.content.decode()
    assert not PartnershipCheckIn.objects.exists()


@pytest.mark.parametrize("person", ["ada", "sam", "liv", "ben"])
def test_only_the_leader_can_answer(cast, client_for, person):
    _hold(cast.lee_engagement, 2)
    response = client_for(person).post(f"/engagements/{cast.lee_engagement.pk}/check-in/", {"score": "1"})
    assert response.status_code == 404
    assert not PartnershipCheckIn.objects.exists()


def test_the_coach_reads_check_ins_on_the_engagement_page(cast, client_for):
    PartnershipCheckInFactory(engagement=cast.lee_engagement, score=2, comment=COMMENT)
    html = client_for("ada").get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()
    assert "Partnership check-ins" in html and COMMENT in html and "2/5" in html


def test_the_leader_sees_their_own_check_ins_on_the_engagement_page(cast, client_for):
    PartnershipCheckInFactory(engagement=cast.lee_engagement, score=4, comment=COMMENT)
    assert COMMENT in client_for("lee").get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()


def test_check_ins_never_reach_the_sponsor(cast, client_for):
    PartnershipCheckInFactory(engagement=cast.lee_engagement, score=4, comment=COMMENT)
    sam = client_for("sam")
    for path in ("/", "/sponsor/", f"/engagements/{cast.lee_engagement.pk}/summary/"):
        assert COMMENT not in sam.get(path).content.decode()
