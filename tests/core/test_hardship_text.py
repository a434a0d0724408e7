"""Free text that reads like hardship, in both languages, and text that must pass through."""

from __future__ import annotations

import pytest

from tracker.parsing.hardship_text import Cause, recognise_hardship

HARDSHIP = [
    ("我失业了", Cause.JOB_LOSS),
    ("我失业了，这个月还不上", Cause.JOB_LOSS),
    ("被裁员了", Cause.JOB_LOSS),
    ("公司倒闭了，没工作了", Cause.JOB_LOSS),
    ("生病住院了", Cause.ILLNESS),
    ("做手术花了很多钱", Cause.ILLNESS),
    ("收入减少", Cause.INCOME_DROP),
    ("这两个月工资降了一半", Cause.INCOME_DROP),
    ("降薪了", Cause.INCOME_DROP),
    ("家里出事了", Cause.FAMILY),
    ("妈妈住院了", Cause.ILLNESS),
    ("没钱还了", Cause.OTHER),
    ("这个月还不上了", Cause.OTHER),
    ("ＩＬＯＳＴ　my job", None),  # full-width without a space is no phrase we know
    ("I lost my job", Cause.JOB_LOSS),
    ("i LOST MY JOB last week", Cause.JOB_LOSS),
    ("I was laid off", Cause.JOB_LOSS),
    ("I'm unemployed now", Cause.JOB_LOSS),
    ("I'm in hospital", Cause.ILLNESS),
    ("I got sick and can't work", Cause.ILLNESS),
    ("my income dropped", Cause.INCOME_DROP),
    ("took a pay cut", Cause.INCOME_DROP),
    ("family emergency", Cause.FAMILY),
    ("I can't pay this month", Cause.OTHER),
    ("I can’t afford the payment", Cause.OTHER),
]

NOT_HARDSHIP = [
    "",
    "还了500",
    "paid 500",
    "失业了还了500",  # a payment report wins
    "我没有失业",
    "我没失业",
    "如果失业了怎么办",
    "万一生病了能延期吗",
    "我朋友失业了",
    "what if I lose my job",
    "I'm not unemployed",
    "I'm worried I might lose my job",
    "my friend lost his job",
    "hello",
    "金条 12000 18% 12",
    "/hardship",
    "1000",
    "我失业了" + "，" * 100,  # too long to be a short message
]


@pytest.mark.parametrize(("text", "cause"), HARDSHIP)
def test_hardship_is_recognised(text: str, cause: Cause | None) -> None:
    assert recognise_hardship(text) is cause


@pytest.mark.parametrize("text", NOT_HARDSHIP)
def test_other_text_passes_through(text: str) -> None:
    assert recognise_hardship(text) is None


def test_none_is_not_hardship() -> None:
    assert recognise_hardship(None) is None
