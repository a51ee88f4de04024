"""The "forgotten" rule at its boundary: a reason of exactly the minimum word count is a reason."""

from __future__ import annotations

import pytest

from fieldwork.models import MIN_REASON_WORDS, Commitment, is_forgotten

NOT_DONE = Commitment.Outcome.NOT_DONE


def test_the_minimum_is_three_words():
    assert MIN_REASON_WORDS == 3


def test_a_not_done_with_a_reason_of_exactly_the_minimum_word_count_is_not_forgotten():
    assert not is_forgotten(NOT_DONE, "VP cancelled meetings")


def test_a_not_done_with_one_word_fewer_than_the_minimum_is_forgotten():
    assert is_forgotten(NOT_DONE, "VP cancelled")


def test_an_empty_reason_is_forgotten_and_a_done_outcome_never_is():
    assert is_forgotten(NOT_DONE, "")
    assert not is_forgotten(Commitment.Outcome.DONE, "")
    assert not is_forgotten(Commitment.Outcome.PARTLY, "")


@pytest.mark.parametrize("reason", ["I simply forgot it", "no time this week", "was too busy"])
def test_a_short_excuse_of_forgetting_is_forgotten_even_at_the_minimum_length(reason):
    assert is_forgotten(NOT_DONE, reason)


def test_a_long_explanation_that_mentions_forgetting_is_a_reason():
    assert not is_forgotten(NOT_DONE, "I forgot twice because the VP moved both our one-on-ones to Friday")
