"""One list of "skip" / "none" answers for every optional step, and reminder days typed with
half- or full-width commas."""

from __future__ import annotations

import pytest

from tracker.parsing.text import SKIP_WORDS, is_dont_know, is_skip
from tracker.reminders import parse_lead_days


@pytest.mark.parametrize(
    "text",
    [
        "skip",
        "Skip",
        " SKIP ",
        "none",
        "None.",
        "no",
        "-",
        "跳过",
        "不",
        "没有",
        "没有。",
        "无",
        "没",
    ],
)
def test_skip_and_none_words_in_both_languages(text: str) -> None:
    assert is_skip(text)


@pytest.mark.parametrize(
    "text", ["", "KF-2026-0042", "王女士", "不知道", "nobody", "3", "不用了吧"]
)
def test_an_answer_is_not_a_skip(text: str) -> None:
    assert not is_skip(text)


def test_the_words_the_issue_names_are_in_the_one_list() -> None:
    assert {"不", "没有", "none", "skip"} <= SKIP_WORDS


def test_full_width_skip_words_count_too() -> None:
    assert is_skip("ｓｋｉｐ")  # typed with a Chinese keyboard in full-width mode
    assert is_skip("－")


@pytest.mark.parametrize("text", ["不知道", "Unknown", "I don’t know", "dont know", "说不准", "?"])
def test_dont_know_words_in_both_languages(text: str) -> None:
    assert is_dont_know(text)
    assert not is_skip(text)  # "I don't know" is an answer of its own, not "none"


@pytest.mark.parametrize("text", ["skip", "王女士", "know", "不", ""])
def test_an_answer_is_not_a_dont_know(text: str) -> None:
    assert not is_dont_know(text)


@pytest.mark.parametrize("text", ["5,2,0", "5，2，0", "5, 2, 0", "5 ，2，0", "0,2,5"])
def test_reminder_days_with_either_comma(text: str) -> None:
    assert parse_lead_days(text) == (5, 2, 0)  # from the farthest day to the due day
