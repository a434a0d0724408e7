"""Urgency of each reminder and when a queued one goes stale (issue 12, the morning peak).

Expected values are worked out by hand: Shanghai is UTC+8 all year, so 09:00 there is 01:00 UTC
and its midnight is 16:00 UTC the day before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from tracker.ledger import Status
from tracker.reminders import (
    InstallmentFacts,
    IntentKind,
    Progress,
    ReminderPrefs,
    plan_digest,
    plan_due_and_overdue,
    urgency,
)

USER = 7
DUE = date(2025, 3, 10)  # a Monday
LEADS = ReminderPrefs(lead_days=(7, 3, 1, 0))  # Shanghai, 09:00


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


def unpaid(status: Status = Status.UPCOMING, **kw: Any) -> InstallmentFacts:
    return InstallmentFacts(
        installment_id=11,
        debt_id=5,
        debt_name="金条",
        currency="CNY",
        due_date=DUE,
        remaining=Decimal("1050.00"),
        status=status,
        **kw,
    )


@pytest.mark.parametrize(
    ("kind", "occasion", "expected"),
    [
        (IntentKind.OVERDUE, 1, 0),
        (IntentKind.OVERDUE, 30, 0),
        (IntentKind.DUE, 0, 0),  # due today
        (IntentKind.DUE, 1, 1),  # due tomorrow
        (IntentKind.RISK, 5, 1),  # a risk warning, five days ahead
        (IntentKind.DUE, 2, 2),
        (IntentKind.DUE, 3, 2),
        (IntentKind.DUE, 30, 2),
        (IntentKind.DIGEST, 11, 2),  # occasion: the ISO week
    ],
)
def test_urgency(kind: IntentKind, occasion: int, expected: int) -> None:
    assert urgency(kind, occasion) == expected


@pytest.mark.parametrize(
    ("now", "key", "level"),
    [
        (utc(3, 3, 1), "due:11:7", 2),
        (utc(3, 7, 1), "due:11:3", 2),
        (utc(3, 9, 1), "due:11:1", 1),
        (utc(3, 10, 1), "due:11:0", 0),
    ],
)
def test_each_planned_reminder_carries_its_urgency(now: datetime, key: str, level: int) -> None:
    [intent] = plan_due_and_overdue(USER, [unpaid()], LEADS, now)
    assert (intent.key, intent.urgency) == (key, level)


def test_an_overdue_alert_is_most_urgent() -> None:
    item = unpaid(Status.OVERDUE, days_overdue=1)
    [intent] = plan_due_and_overdue(USER, [item], LEADS, utc(3, 11, 1))
    assert (intent.key, intent.urgency) == ("overdue:11:1", 0)


@pytest.mark.parametrize(
    ("now", "key", "expires_at"),
    [
        # Each reminder is stale when the next one can go: 09:00 on its day, 01:00 UTC.
        (utc(3, 3, 1), "due:11:7", utc(3, 7, 1)),
        (utc(3, 7, 1), "due:11:3", utc(3, 9, 1)),
        (utc(3, 9, 1), "due:11:1", utc(3, 10, 1)),
        # The last one lives to the end of the due day: midnight in Shanghai.
        (utc(3, 10, 1), "due:11:0", utc(3, 10, 16)),
    ],
)
def test_a_due_reminder_is_stale_when_the_next_one_can_be_sent(
    now: datetime, key: str, expires_at: datetime
) -> None:
    [intent] = plan_due_and_overdue(USER, [unpaid()], LEADS, now)
    assert (intent.key, intent.expires_at) == (key, expires_at)


def test_the_planner_hands_over_at_the_next_reminders_moment() -> None:
    def keys(now: datetime) -> list[str]:
        return [i.key for i in plan_due_and_overdue(USER, [unpaid()], LEADS, now)]

    assert keys(utc(3, 9, 0, 59)) == ["due:11:3"]  # a day late: still the 3-day one
    assert keys(utc(3, 9, 1)) == ["due:11:1"]


def test_a_reminder_whose_successor_falls_after_the_due_day_lives_to_its_end() -> None:
    # At 23:30 with quiet hours 23:00–08:00: each day's reminder moves to 08:00 the next day.
    # The 1-day one goes at 08:00 on the due day (00:00 UTC); the due-day one would go at
    # 08:00 on the 11th, after the due day, so it never goes and the 1-day one lives until
    # the due day ends (16:00 UTC).
    prefs = ReminderPrefs(
        lead_days=(1, 0), at=time(23, 30), quiet_start=time(23), quiet_end=time(8)
    )
    [intent] = plan_due_and_overdue(USER, [unpaid()], prefs, utc(3, 10, 0))
    assert (intent.key, intent.send_at, intent.expires_at) == (
        "due:11:1",
        utc(3, 10, 0),
        utc(3, 10, 16),
    )
    assert plan_due_and_overdue(USER, [unpaid()], prefs, utc(3, 10, 16)) == []


def test_a_digest_is_least_urgent_and_stale_long_before_the_next() -> None:
    progress = [Progress("CNY", Decimal(100), Decimal(0))]
    digest = plan_digest(USER, LEADS, [unpaid()], progress, utc(3, 10, 1))  # Monday 09:00
    assert digest is not None
    assert digest.urgency == 2
    assert digest.expires_at == utc(3, 11, 1)  # a day later
    following = plan_digest(USER, LEADS, [unpaid()], progress, utc(3, 17, 1))
    assert following is not None
    assert digest.expires_at < following.send_at == utc(3, 17, 1)
