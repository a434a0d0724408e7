"""Reminder planning: settings parsing, timing across timezones and DST, catch-up, digests."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.ledger import InstallmentState, Status
from tracker.reminders import (
    SETTING_FIELDS,
    InstallmentFacts,
    Intent,
    IntentKind,
    InvalidReminderSetting,
    Progress,
    ReminderPrefs,
    ReminderSetting,
    local_today,
    parse_lead_days,
    parse_reminder_setting,
    parse_reminder_time,
    plan_digest,
    plan_due_and_overdue,
    plan_risk,
    scan_window,
    send_time,
)
from tracker.risk import RiskAssessment, RiskInputs, assess_risk

D = Decimal
USER = 7
DUE = date(2025, 3, 10)  # a Monday
SHANGHAI = ReminderPrefs()  # Asia/Shanghai, 3/1/0 days before, 09:00 (01:00 UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def facts(**overrides: Any) -> InstallmentFacts:
    """Installment 11 of debt 5 (金条), 1,050.00 due on DUE, unpaid, no grace."""
    fields: dict[str, Any] = {
        "installment_id": 11,
        "debt_id": 5,
        "debt_name": "金条",
        "currency": "CNY",
        "due_date": DUE,
        "remaining": D("1050.00"),
        "status": Status.UPCOMING,
    }
    fields.update(overrides)
    return InstallmentFacts(**fields)


def plan(now: datetime, *items: InstallmentFacts, prefs: ReminderPrefs = SHANGHAI) -> list[Intent]:
    return plan_due_and_overdue(USER, items or (facts(),), prefs, now)


def keys(intents: list[Intent]) -> list[str]:
    return [i.key for i in intents]


# --- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("3,1,0", (3, 1, 0)),
        ("0,1,3", (3, 1, 0)),
        ("３，１，０", (3, 1, 0)),
        ("7、3、1", (7, 3, 1)),
        (" 3, 1 ,0 ", (3, 1, 0)),
        ("1,1,1,0", (1, 0)),
        ("30", (30,)),
        ("5,4,3,2,1", (5, 4, 3, 2, 1)),
    ],
)
def test_parse_lead_days(text: str, days: tuple[int, ...]) -> None:
    assert parse_lead_days(text) == days


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "reminder_days_garbage"),
        ("a,b", "reminder_days_garbage"),
        ("3;x", "reminder_days_garbage"),
        ("-1", "reminder_days_garbage"),
        ("1.5", "reminder_days_garbage"),
        ("31", "reminder_days_range"),
        ("6,5,4,3,2,1", "reminder_days_range"),
        ("99999999999999999999", "reminder_days_range"),
    ],
)
def test_parse_lead_days_errors(text: str, code: str) -> None:
    with pytest.raises(InvalidReminderSetting) as error:
        parse_lead_days(text)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("09:00", time(9)),
        ("9", time(9)),
        ("21:30", time(21, 30)),
        ("０９：１５", time(9, 15)),
        ("9点", time(9)),
        ("9点半", time(9, 30)),
        ("21点15分", time(21, 15)),
        ("8时", time(8)),
        ("9pm", time(21)),
        ("9:30 PM", time(21, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("0:00", time(0)),
    ],
)
def test_parse_reminder_time(text: str, at: time) -> None:
    assert parse_reminder_time(text) == at


@pytest.mark.parametrize("text", ["", "24:00", "9:60", "13pm", "0am", "9:5", "noon", "9点61分"])
def test_parse_reminder_time_errors(text: str) -> None:
    with pytest.raises(InvalidReminderSetting) as error:
        parse_reminder_time(text)
    assert error.value.code == "reminder_time_garbage"


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("3,1,0 09:00", ReminderSetting((3, 1, 0), time(9))),
        ("3, 1, 0  21:30", ReminderSetting((3, 1, 0), time(21, 30))),
        ("３，１，０ ９点半", ReminderSetting((3, 1, 0), time(9, 30))),
        ("3,1,0", ReminderSetting((3, 1, 0), None)),
        ("2", ReminderSetting((2,), None)),
        ("20:00", ReminderSetting(None, time(20))),
        ("8pm", ReminderSetting(None, time(20))),
    ],
)
def test_parse_reminder_setting(text: str, setting: ReminderSetting) -> None:
    assert parse_reminder_setting(text) == setting


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "reminder_days_garbage"),
        ("soon", "reminder_days_garbage"),
        ("3,1,0 soon", "reminder_time_garbage"),
        ("3,1,0 25:00", "reminder_time_garbage"),
        ("40 09:00", "reminder_days_range"),
    ],
)
def test_parse_reminder_setting_errors(text: str, code: str) -> None:
    with pytest.raises(InvalidReminderSetting) as error:
        parse_reminder_setting(text)
    assert error.value.code == code


def test_unreadable_days_are_quoted_as_the_user_wrote_them() -> None:
    """Found by the fuzz test: ";AAa" was quoted back as ",AAa", which the user never typed."""
    with pytest.raises(InvalidReminderSetting) as error:
        parse_reminder_setting(";AAa 09:00")
    assert error.value.params["text"] == ";AAa 09:00"


# --- preferences --------------------------------------------------------------------------


def test_prefs_from_user_settings() -> None:
    stored: dict[str, Any] = {
        "timezone": "America/New_York",
        "reminders_enabled": True,
        "reminder_lead_days": "0,3",
        "reminder_time": time(8, 30),
        "quiet_start": time(22),
        "quiet_end": time(7),
        "digest_enabled": False,
        "digest_weekday": 6,
        "digest_time": time(18),
    }
    assert set(stored) == set(SETTING_FIELDS)
    prefs = ReminderPrefs.from_settings(**stored)
    assert prefs.lead_days == (3, 0)
    assert prefs.quiet == (time(22), time(7))
    assert prefs.zone == ZoneInfo("America/New_York")


def test_prefs_validation() -> None:
    with pytest.raises(InvalidReminderSetting) as error:
        ReminderPrefs(timezone="Mars/Olympus")
    assert error.value.code == "reminder_timezone_unknown"
    with pytest.raises(InvalidReminderSetting):
        ReminderPrefs(lead_days=(31,))
    with pytest.raises(ValueError, match="weekday"):
        ReminderPrefs(digest_weekday=7)
    with pytest.raises(ValueError, match="tzinfo"):
        ReminderPrefs(at=time(9, tzinfo=UTC))
    # Half a quiet window, or an empty one, is no window.
    assert ReminderPrefs(quiet_start=time(22)).quiet is None
    assert ReminderPrefs(quiet_start=time(22), quiet_end=time(22)).quiet is None


def test_local_today_and_aware_now() -> None:
    assert local_today(utc(2025, 3, 9, 16), "Asia/Shanghai") == date(2025, 3, 10)
    assert local_today(utc(2025, 3, 9, 16), "America/New_York") == date(2025, 3, 9)
    with pytest.raises(ValueError, match="aware"):
        plan(datetime(2025, 3, 7, 9))  # naive: the mistake under test


# --- due reminders ------------------------------------------------------------------------


def test_due_reminder_at_the_local_reminder_time() -> None:
    assert plan(utc(2025, 3, 7, 0, 59)) == []
    [intent] = plan(utc(2025, 3, 7, 1))
    assert intent == Intent(
        key="due:11:3",
        kind=IntentKind.DUE,
        user_id=USER,
        installment_id=11,
        debt_id=5,
        occasion=3,
        send_at=utc(2025, 3, 7, 1),
        # Stale when the 1-day reminder can go: 09:00 on 9 March in Shanghai (UTC+8).
        expires_at=utc(2025, 3, 9, 1),
        payload={
            "installment_id": 11,
            "debt_id": 5,
            "debt_name": "金条",
            "currency": "CNY",
            "due_date": "2025-03-10",
            "remaining": "1050.00",
            "lead_days": 3,
        },
    )
    assert json.loads(json.dumps(intent.payload)) == intent.payload


def test_catch_up_after_an_outage_sends_only_the_latest() -> None:
    # Down from before the 3-days reminder until the day before: 3 and 1 are both due.
    assert keys(plan(utc(2025, 3, 9, 2))) == ["due:11:1"]
    # On the due day every lead is still fresh; the due-day one wins.
    assert keys(plan(utc(2025, 3, 10, 15, 59))) == ["due:11:0"]
    # Once the due day is over, due reminders are stale; the first overdue alert is next.
    assert plan(utc(2025, 3, 10, 16)) == []


def test_nothing_for_paid_installments_or_with_reminders_off() -> None:
    now = utc(2025, 3, 10, 2)
    assert plan(now, facts(remaining=D(0), status=Status.PAID)) == []
    assert plan(now, facts(remaining=D(0), status=Status.UPCOMING)) == []
    assert plan(now, prefs=dataclasses.replace(SHANGHAI, enabled=False)) == []


def test_partly_paid_installment_reminds_of_what_is_left() -> None:
    [intent] = plan(utc(2025, 3, 10, 2), facts(remaining=D("50.5"), status=Status.PARTIAL))
    assert intent.payload["remaining"] == "50.50"


def test_several_installments_are_planned_independently_and_in_order() -> None:
    other = facts(installment_id=12, debt_id=6, debt_name="白条", due_date=DUE + timedelta(days=2))
    assert keys(plan(utc(2025, 3, 9, 2), other, facts())) == ["due:11:1", "due:12:3"]
    with pytest.raises(ValueError, match="twice"):
        plan(utc(2025, 3, 9, 2), facts(), facts())


# --- overdue alerts -----------------------------------------------------------------------


def overdue(**overrides: Any) -> InstallmentFacts:
    fields: dict[str, Any] = {
        "status": Status.OVERDUE,
        "days_overdue": 1,
        "penalty_accrued": D("0.55"),
        "penalty_per_day": D("0.55"),
    }
    return facts(**(fields | overrides))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2025, 3, 11, 0, 59), []),
        (utc(2025, 3, 11, 1), ["overdue:11:1"]),
        (utc(2025, 3, 13, 0, 59), ["overdue:11:1"]),
        (utc(2025, 3, 13, 1), ["overdue:11:3"]),
        (utc(2025, 3, 15, 1), []),  # 3 went stale after two days; 7 is not due yet
        (utc(2025, 3, 18, 1), ["overdue:11:7"]),
        (utc(2025, 3, 22, 1), []),
        (utc(2025, 4, 9, 1), ["overdue:11:30"]),
        (utc(2025, 4, 11, 1), []),  # after the last occasion the weekly digest carries it
    ],
)
def test_overdue_occasions(now: datetime, expected: list[str]) -> None:
    assert keys(plan(now, overdue())) == expected


def test_overdue_payload_and_expiry() -> None:
    [intent] = plan(utc(2025, 3, 11, 3), overdue())
    assert intent.kind is IntentKind.OVERDUE
    assert intent.expires_at == utc(2025, 3, 13, 1)
    assert intent.payload["penalty_accrued"] == "0.55"
    assert intent.payload["penalty_per_day"] == "0.55"
    assert intent.payload["days_overdue"] == 1
    assert plan(utc(2025, 3, 11, 3), overdue(remaining=D(0), status=Status.PAID)) == []


def test_grace_days_delay_the_first_alert() -> None:
    late = overdue(grace_days=2)
    assert plan(utc(2025, 3, 12, 2), late) == []  # still within grace: no due, no overdue
    assert keys(plan(utc(2025, 3, 13, 1), late)) == ["overdue:11:1"]
    assert keys(plan(utc(2025, 3, 15, 1), late)) == ["overdue:11:3"]


# --- quiet hours and timezones ------------------------------------------------------------


def test_quiet_window_across_midnight_moves_to_its_end_next_morning() -> None:
    prefs = ReminderPrefs(at=time(23), quiet_start=time(22), quiet_end=time(7))
    assert send_time(date(2025, 3, 7), time(23), prefs) == utc(2025, 3, 7, 23)  # 07:00 on the 8th
    assert send_time(date(2025, 3, 7), time(6), prefs) == utc(2025, 3, 6, 23)  # 07:00 same day
    assert send_time(date(2025, 3, 7), time(7), prefs) == utc(2025, 3, 6, 23)  # the end is free
    assert send_time(date(2025, 3, 7), time(21, 59), prefs) == utc(2025, 3, 7, 13, 59)
    # The due-day reminder would land the morning after the due day: stale, so not sent.
    assert keys(plan(utc(2025, 3, 11, 0), prefs=prefs)) == []
    assert keys(plan(utc(2025, 3, 9, 23), prefs=prefs)) == ["due:11:1"]


def test_quiet_window_within_a_day() -> None:
    prefs = ReminderPrefs(at=time(12, 30), quiet_start=time(12), quiet_end=time(14))
    assert send_time(DUE, time(12, 30), prefs) == utc(2025, 3, 10, 6)  # 14:00 Shanghai
    assert send_time(DUE, time(11, 59), prefs) == utc(2025, 3, 10, 3, 59)


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # New York springs forward on 2025-03-09 at 02:00 → 03:00.
        ("America/New_York", date(2025, 3, 8), time(9), utc(2025, 3, 8, 14)),
        ("America/New_York", date(2025, 3, 9), time(9), utc(2025, 3, 9, 13)),
        ("America/New_York", date(2025, 3, 9), time(2, 30), utc(2025, 3, 9, 7, 30)),  # 03:30 EDT
        # ...and falls back on 2025-11-02: 01:30 happens twice, the first (EDT) is used.
        ("America/New_York", date(2025, 11, 2), time(1, 30), utc(2025, 11, 2, 5, 30)),
        ("America/New_York", date(2025, 11, 3), time(9), utc(2025, 11, 3, 14)),
        # Auckland leaves daylight time on 2025-04-06 (+13 → +12): the UTC date is the day before.
        ("Pacific/Auckland", date(2025, 4, 5), time(9), utc(2025, 4, 4, 20)),
        ("Pacific/Auckland", date(2025, 4, 6), time(9), utc(2025, 4, 5, 21)),
        ("Pacific/Auckland", date(2025, 9, 28), time(2, 30), utc(2025, 9, 27, 14, 30)),  # 03:30
        ("Asia/Shanghai", date(2025, 3, 9), time(0, 30), utc(2025, 3, 8, 16, 30)),
    ],
)
def test_send_time_across_dst(zone: str, day: date, at: time, expected: datetime) -> None:
    assert send_time(day, at, ReminderPrefs(timezone=zone)) == expected


def test_quiet_end_swallowed_by_a_dst_gap_moves_on_a_day() -> None:
    # Only 02:30–03:00 is free, and on 9 March New York skips 02:00–03:00 altogether.
    prefs = ReminderPrefs(
        timezone="America/New_York", quiet_start=time(3), quiet_end=time(2, 30), at=time(23)
    )
    assert send_time(date(2025, 3, 8), time(23), prefs) == utc(2025, 3, 10, 6, 30)  # 02:30 EDT


def test_due_reminders_follow_local_days_in_auckland() -> None:
    prefs = ReminderPrefs(timezone="Pacific/Auckland")
    due = facts(due_date=date(2025, 4, 7))
    [intent] = plan(utc(2025, 4, 5, 21), due, prefs=prefs)  # 09:00 on 6 April, NZST
    # Stale at the due day's own reminder: 09:00 on 7 April, NZST (UTC+12) = 21:00 UTC on the 6th.
    assert (intent.key, intent.expires_at) == ("due:11:1", utc(2025, 4, 6, 21))


# --- risk warnings ------------------------------------------------------------------------


def assessment(**overrides: Any) -> RiskAssessment:
    fields: dict[str, Any] = {
        "currency": "CNY",
        "amount_due": D(1050),
        "due_date": DUE,
        "days_until_due": 5,
        "affordable": D(800),
    }
    return assess_risk(RiskInputs(**(fields | overrides)))


def test_risk_warning_five_days_ahead_once_per_installment() -> None:
    high = assessment()
    assert plan_risk(USER, facts(), high, SHANGHAI, utc(2025, 3, 5, 0, 59)) is None
    intent = plan_risk(USER, facts(), high, SHANGHAI, utc(2025, 3, 5, 1))
    assert intent is not None
    assert (intent.key, intent.kind, intent.occasion) == ("risk:11", IntentKind.RISK, 5)
    assert intent.expires_at == utc(2025, 3, 9, 16)  # the due date begins in Shanghai
    assert intent.payload["level"] == "high"
    assert intent.payload["reasons"] == [
        {"code": "due_exceeds_affordable", "params": {"due": "1050.00", "affordable": "800.00"}}
    ]
    later = plan_risk(USER, facts(), high, SHANGHAI, utc(2025, 3, 8, 1))
    assert later is not None
    assert later.key == intent.key  # a later scan plans the same message: the outbox drops it
    assert plan_risk(USER, facts(), high, SHANGHAI, utc(2025, 3, 9, 16)) is None


def test_risk_warning_only_when_worth_it() -> None:
    now = utc(2025, 3, 6, 1)
    medium = assessment(affordable=D(2000), recent_late=3)
    assert plan_risk(USER, facts(), medium, SHANGHAI, now) is None
    hardship = assessment(affordable=D(2000), recent_hardship=1)
    assert plan_risk(USER, facts(), hardship, SHANGHAI, now) is not None
    high = assessment()
    paid = facts(remaining=D(0), status=Status.PAID)
    assert plan_risk(USER, paid, high, SHANGHAI, now) is None
    off = dataclasses.replace(SHANGHAI, enabled=False)
    assert plan_risk(USER, facts(), high, off, now) is None


# --- digest -------------------------------------------------------------------------------


def test_weekly_digest() -> None:
    items = [
        facts(),
        facts(installment_id=12, due_date=date(2025, 4, 9), remaining=D(100)),
        facts(installment_id=13, due_date=date(2025, 4, 10)),  # beyond 30 days
        facts(installment_id=14, due_date=date(2025, 2, 10), status=Status.OVERDUE,
              days_overdue=28, penalty_accrued=D("12.3")),
        facts(installment_id=15, remaining=D(0), status=Status.PAID),
    ]  # fmt: skip
    progress = [Progress("CNY", planned=D(2100), paid=D(1050))]
    assert plan_digest(USER, SHANGHAI, items, progress, utc(2025, 3, 10, 0, 59)) is None
    intent = plan_digest(USER, SHANGHAI, items, progress, utc(2025, 3, 10, 1))
    assert intent is not None
    assert (intent.key, intent.kind, intent.occasion) == ("digest:7:2025-W11", "digest", 11)
    assert intent.expires_at == utc(2025, 3, 11, 1)
    payload = intent.payload
    assert [i["installment_id"] for i in payload["upcoming"]] == [11, 12]
    assert [(i["installment_id"], i["days_overdue"]) for i in payload["overdue"]] == [(14, 28)]
    assert payload["upcoming_totals"] == {"CNY": "1150.00"}
    assert payload["progress"] == [
        {"currency": "CNY", "planned": "2100.00", "paid": "1050.00", "behind": "1050.00"}
    ]
    assert json.loads(json.dumps(payload, ensure_ascii=False)) == payload
    assert plan_digest(USER, SHANGHAI, items, progress, utc(2025, 3, 11, 1)) is None


def test_digest_late_on_sunday_is_still_sent_on_monday() -> None:
    prefs = ReminderPrefs(digest_weekday=6, digest_time=time(23))
    intent = plan_digest(USER, prefs, [facts()], [], utc(2025, 3, 10, 0))  # Monday 08:00
    assert intent is not None
    assert intent.key == "digest:7:2025-W10"


def test_no_digest_when_off_or_nothing_to_tell() -> None:
    now = utc(2025, 3, 10, 1)
    off = dataclasses.replace(SHANGHAI, digest_enabled=False)
    assert plan_digest(USER, off, [facts()], [], now) is None
    paid = facts(remaining=D(0), status=Status.PAID)
    assert plan_digest(USER, SHANGHAI, [paid], [], now) is None


# --- scan window and ledger glue ----------------------------------------------------------


def test_scan_window() -> None:
    now = utc(2025, 3, 10, 12)
    assert scan_window(now) == (date(2025, 2, 2), date(2025, 4, 10))
    assert scan_window(now, 3, 30 + 2) == (date(2025, 1, 31), date(2025, 3, 16))  # risk: 5 days


def test_facts_from_ledger_state() -> None:
    state = InstallmentState(
        number=2,
        due_date=DUE,
        status=Status.OVERDUE,
        scheduled=D(1050),
        paid=D(50),
        remaining=D(1000),
        penalty_accrued=D("1.10"),
        penalty_unpaid=D("1.10"),
        days_overdue=2,
        settled_on=None,
        paid_by_component={},
    )
    built = InstallmentFacts.from_state(
        state,
        installment_id=11,
        debt_id=5,
        debt_name="金条",
        currency="CNY",
        penalty_per_day=D("0.55"),
        grace_days=0,
    )
    assert built == overdue(
        remaining=D(1000), days_overdue=2, penalty_accrued=D("1.10"), penalty_per_day=D("0.55")
    )


# --- properties ---------------------------------------------------------------------------

ZONES = ["Asia/Shanghai", "America/New_York", "Pacific/Auckland"]
#: DST changes in New York and Auckland (Shanghai has none): where wall times go missing or repeat.
TRANSITIONS = [
    date(2024, 3, 10),
    date(2024, 11, 3),
    date(2024, 4, 7),
    date(2024, 9, 29),
    date(2025, 3, 9),
    date(2025, 11, 2),
    date(2025, 4, 6),
    date(2025, 9, 28),
]
PROPS = settings(max_examples=300, deadline=None)


def wall(day: date, at: time, zone: ZoneInfo) -> tuple[date, time]:
    """Where wall time ``at`` on ``day`` really lands (a DST gap pushes it an hour on)."""
    local = datetime.combine(day, at, tzinfo=zone).astimezone(UTC).astimezone(zone)
    return local.date(), local.time()


def is_quiet(prefs: ReminderPrefs, at: time) -> bool:
    if prefs.quiet_start is None or prefs.quiet_end is None:
        return False
    start, end = prefs.quiet_start, prefs.quiet_end
    if start <= end:
        return start <= at < end
    return at >= start or at < end


def near(days: int) -> st.SearchStrategy[date]:
    offsets = st.integers(-days, days).map(lambda k: timedelta(days=k))
    return st.builds(lambda d, k: d + k, st.sampled_from(TRANSITIONS), offsets)


def clock_times(minutes: list[int] | None = None) -> st.SearchStrategy[time]:
    minute = st.sampled_from(minutes) if minutes else st.integers(0, 59)
    return st.builds(time, st.integers(0, 23), minute)


@st.composite
def reminder_prefs(
    draw: st.DrawFn, max_lead: int = 30, minutes: list[int] | None = None
) -> ReminderPrefs:
    quiet = draw(st.none() | st.tuples(clock_times(minutes), clock_times(minutes)))
    return ReminderPrefs(
        timezone=draw(st.sampled_from(ZONES)),
        lead_days=tuple(draw(st.sets(st.integers(0, max_lead), min_size=1, max_size=5))),
        at=draw(clock_times(minutes)),
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
        digest_weekday=draw(st.integers(0, 6)),
        digest_time=draw(clock_times(minutes)),
    )


moments = st.builds(
    lambda day, minute: datetime.combine(day, time(0), UTC) + timedelta(minutes=minute),
    near(40),
    st.integers(0, 24 * 60 - 1),
)
#: Offsets of the due date from today, biased towards the days something is sent.
due_offsets = st.integers(-40, 35) | st.sampled_from([0, 1, 3, 5, -1, -2, -3, -4, -7, -8, -30])


@st.composite
def installments(draw: st.DrawFn, today: date) -> list[InstallmentFacts]:
    ids = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=4, unique=True))
    items = []
    for installment_id in ids:
        remaining = D(draw(st.integers(0, 10**6))).scaleb(-2)
        status = Status.PAID if remaining == 0 else draw(st.sampled_from(list(Status)))
        if draw(st.booleans()) and status is not Status.PAID:
            remaining = D(0)  # ledgers report remaining 0 as PAID; the planner checks both
        items.append(
            facts(
                installment_id=installment_id,
                due_date=today + timedelta(days=draw(due_offsets)),
                remaining=remaining,
                status=status,
                grace_days=draw(st.integers(0, 3)),
            )
        )
    return items


def scheduled_day(intent: Intent, item: InstallmentFacts) -> date:
    """The local day an intent belongs to, before any move out of quiet hours."""
    if intent.kind is IntentKind.DUE:
        return item.due_date - timedelta(days=intent.occasion)
    if intent.kind is IntentKind.RISK:
        return item.due_date - timedelta(days=5)
    return item.due_date + timedelta(days=item.grace_days + intent.occasion)


def assert_placed(sent: datetime, day: date, at: time, prefs: ReminderPrefs) -> None:
    """``sent`` is ``at`` on ``day``, or the end of quiet hours after it; never inside them."""
    assert sent.utcoffset() == timedelta(0)
    local = sent.astimezone(prefs.zone)
    placed = (local.date(), local.time())
    asked = wall(day, at, prefs.zone)
    assert not is_quiet(prefs, placed[1])
    if not is_quiet(prefs, asked[1]):
        assert placed == asked
        return
    assert prefs.quiet_end is not None
    assert placed > asked
    ends = {wall(day + timedelta(days=k), prefs.quiet_end, prefs.zone) for k in range(3)}
    assert placed in ends


@PROPS
@given(reminder_prefs(), near(3), clock_times())
def test_send_time_is_the_reminder_time_or_the_end_of_quiet_hours(
    prefs: ReminderPrefs, day: date, at: time
) -> None:
    assert_placed(send_time(day, at, prefs), day, at, prefs)


@PROPS
@given(st.data(), reminder_prefs(), moments)
def test_plan_invariants(data: st.DataObject, prefs: ReminderPrefs, now: datetime) -> None:
    items = data.draw(installments(local_today(now, prefs.timezone)))
    intents = plan_due_and_overdue(USER, items, prefs, now)
    # Deterministic whatever the input order: keys stay stable across scans.
    assert intents == plan_due_and_overdue(USER, list(reversed(items)), prefs, now)
    assert len({i.key for i in intents}) == len(intents)
    assert len({(i.installment_id, i.kind) for i in intents}) == len(intents)  # catch-up
    by_id = {item.installment_id: item for item in items}
    low, high = scan_window(now, max(prefs.lead_days), 3 + 30)
    for intent in intents:
        item = by_id[intent.installment_id or 0]
        assert item.remaining > 0
        assert item.status is not Status.PAID
        assert intent.send_at <= now < intent.expires_at
        assert low <= item.due_date <= high
        assert intent.key == f"{intent.kind}:{item.installment_id}:{intent.occasion}"
        assert_placed(intent.send_at, scheduled_day(intent, item), prefs.at, prefs)
        assert json.loads(json.dumps(intent.payload)) == intent.payload


@PROPS
@given(reminder_prefs(), moments, due_offsets, st.integers(0, 3))
def test_risk_and_digest_are_placed_like_reminders(
    prefs: ReminderPrefs, now: datetime, offset: int, hardship: int
) -> None:
    item = facts(due_date=local_today(now, prefs.timezone) + timedelta(days=offset))
    risk = assessment(due_date=item.due_date, recent_hardship=hardship)
    warning = plan_risk(USER, item, risk, prefs, now)
    if warning is not None:
        assert warning.key == "risk:11"
        assert warning.send_at <= now < warning.expires_at
        assert_placed(warning.send_at, scheduled_day(warning, item), prefs.at, prefs)
        assert in_scan_window(item.due_date, now, prefs)
    digest = plan_digest(USER, prefs, [item], [], now)
    if digest is not None:
        assert digest.send_at <= now < digest.expires_at
        year, week = (int(part) for part in digest.key.rsplit(":", 1)[1].split("-W"))
        day = date.fromisocalendar(year, week, prefs.digest_weekday + 1)
        assert_placed(digest.send_at, day, prefs.digest_time, prefs)
        assert digest == plan_digest(USER, prefs, [item], [], now)


def in_scan_window(due: date, now: datetime, prefs: ReminderPrefs) -> bool:
    low, high = scan_window(now, max(prefs.lead_days))
    return low <= due <= high


@settings(max_examples=25, deadline=None)
@given(
    reminder_prefs(max_lead=7, minutes=[0, 30]),
    near(5),
    st.integers(0, 3),
    st.data(),
)
def test_regular_scans_send_every_reminder_once_and_outages_at_most_one(
    prefs: ReminderPrefs, due: date, grace: int, data: st.DataObject
) -> None:
    """Scan every half hour like the job would; an outbox keeps the first intent per key."""
    item = facts(due_date=due, grace_days=grace, status=Status.OVERDUE)
    # Every zone here is a whole number of hours off UTC, so each send lands on a scan.
    start = datetime.combine(due - timedelta(days=9), time(0), UTC)
    scans = [start + timedelta(minutes=30 * k) for k in range(48 * (9 + grace + 10))]
    outage_from = data.draw(st.integers(0, len(scans) - 1))
    outage_to = data.draw(st.integers(outage_from, min(len(scans), outage_from + 48 * 4)))
    first_seen: dict[str, int] = {}  # key → scan index, as an outbox with a unique key keeps it
    with_outage: list[str] = []
    resumed: list[str] = []
    for k, now in enumerate(scans):
        for intent in plan_due_and_overdue(USER, [item], prefs, now):
            first_seen.setdefault(intent.key, k)
            if not outage_from <= k < outage_to and intent.key not in with_outage:
                with_outage.append(intent.key)
                if k == outage_to:
                    resumed.append(intent.key)
    end_of_due_day = datetime.combine(due + timedelta(days=1), time(0), prefs.zone)
    expected = [
        f"due:11:{lead}"
        for lead in prefs.lead_days
        if send_time(due - timedelta(days=lead), prefs.at, prefs) < end_of_due_day
    ] + ["overdue:11:1", "overdue:11:3", "overdue:11:7"]
    assert list(first_seen) == expected
    # An outage only drops what it covered and keeps the order; the first scan after it
    # catches up with one message per kind at most.
    assert with_outage == [key for key in expected if key in with_outage]
    assert all(key in with_outage for key, k in first_seen.items() if k >= outage_to)
    assert len({key.split(":")[0] for key in resumed}) == len(resumed)


# --- the day overdue is first discovered (issue 9) ----------------------------------------
# A loan added while running can have an installment overdue already: its first alert goes out
# at the first send slot after tracking began, whatever day past the due date that is.


def tracked(since: datetime, **overrides: Any) -> InstallmentFacts:
    return overdue(tracked_since=since, **overrides)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2025, 3, 21, 3), []),  # added at 10:00 on day 11: today's 09:00 has gone
        (utc(2025, 3, 22, 0, 59), []),
        (utc(2025, 3, 22, 1), ["overdue:11:12"]),  # the next 09:00: day 12
        (utc(2025, 3, 24, 0, 59), ["overdue:11:12"]),  # until it goes stale two days on
        (utc(2025, 3, 24, 1), []),
        (utc(2025, 4, 9, 1), ["overdue:11:30"]),  # then the regular occasions
    ],
)
def test_overdue_found_when_tracking_began_is_alerted_at_the_next_slot(
    now: datetime, expected: list[str]
) -> None:
    assert keys(plan(now, tracked(utc(2025, 3, 21, 2)))) == expected


def test_the_found_alert_says_how_late_it_is_and_expires_like_the_others() -> None:
    [intent] = plan(utc(2025, 3, 22, 1), tracked(utc(2025, 3, 21, 2), days_overdue=12))
    assert (intent.occasion, intent.send_at, intent.expires_at) == (
        12,
        utc(2025, 3, 22, 1),
        utc(2025, 3, 24, 1),
    )
    assert intent.payload["days_overdue"] == 12


def test_found_on_a_regular_occasions_day_is_that_occasion_once() -> None:
    # Added at 20:00 on day 6: the next slot is day 7's, which is a regular occasion anyway.
    item = tracked(utc(2025, 3, 16, 12))
    assert plan(utc(2025, 3, 16, 13), item) == []
    assert keys(plan(utc(2025, 3, 17, 1), item)) == ["overdue:11:7"]
    assert keys(plan(utc(2025, 4, 9, 1), item)) == ["overdue:11:30"]


def test_before_tracking_began_nothing_is_planned_and_slots_before_it_are_not_caught_up() -> None:
    # Added at 09:30 on day 1, after that day's 09:00 slot: day 1's alert is not sent late.
    item = tracked(utc(2025, 3, 11, 1, 30))
    assert plan(utc(2025, 3, 11, 2), item) == []
    assert keys(plan(utc(2025, 3, 12, 1), item)) == ["overdue:11:2"]
    assert keys(plan(utc(2025, 3, 13, 1), item)) == ["overdue:11:3"]


def test_tracked_before_it_was_overdue_keeps_the_regular_occasions() -> None:
    for since in (utc(2025, 3, 1), utc(2025, 3, 10, 12)):  # earlier, or on the due day itself
        item = tracked(since)
        assert keys(plan(utc(2025, 3, 11, 1), item)) == ["overdue:11:1"]
        assert keys(plan(utc(2025, 3, 13, 1), item)) == ["overdue:11:3"]
    graced = tracked(utc(2025, 3, 12, 6), grace_days=2)  # within grace: not overdue yet
    assert plan(utc(2025, 3, 12, 7), graced) == []
    assert keys(plan(utc(2025, 3, 13, 1), graced)) == ["overdue:11:1"]


def test_found_respects_quiet_hours() -> None:
    prefs = ReminderPrefs(quiet_start=time(8), quiet_end=time(10))  # 09:00 moves to 10:00
    item = tracked(utc(2025, 3, 21, 1, 30))  # 09:30 on day 11, inside the quiet hours
    [intent] = plan(utc(2025, 3, 21, 2), item, prefs=prefs)
    assert (intent.key, intent.send_at) == ("overdue:11:11", utc(2025, 3, 21, 2))  # 10:00


def test_found_more_than_30_days_late_is_left_to_the_digest() -> None:
    item = tracked(utc(2025, 4, 15, 2))  # day 36
    for day in range(15, 25):
        assert plan(utc(2025, 4, day, 1), item) == []


@settings(max_examples=40, deadline=None)
@given(
    reminder_prefs(max_lead=7, minutes=[0, 30]),
    near(5),
    st.integers(0, 2),
    st.integers(-2 * 48, 34 * 48),
)
def test_scans_after_tracking_began_send_the_first_alert_at_the_next_slot_once(
    prefs: ReminderPrefs, due: date, grace: int, half_hours: int
) -> None:
    """Scan every half hour from when tracking began; an outbox keeps the first intent per key."""
    start = datetime.combine(due, time(0), prefs.zone).astimezone(UTC)
    since = start + timedelta(minutes=30 * half_hours)
    item = facts(due_date=due, grace_days=grace, status=Status.OVERDUE, tracked_since=since)
    last_grace_day = due + timedelta(days=grace)
    seen: dict[str, Intent] = {}
    now = since
    while now < start + timedelta(days=40 + grace):
        for intent in plan_due_and_overdue(USER, [item], prefs, now):
            if intent.kind is IntentKind.OVERDUE:
                seen.setdefault(intent.key, intent)
        now += timedelta(minutes=30)
    sent = list(seen.values())
    assert all(i.send_at > since for i in sent)  # nothing from before tracking began
    assert [i.occasion for i in sent] == sorted({i.occasion for i in sent})  # once each
    for intent in sent:
        day = last_grace_day + timedelta(days=intent.occasion)
        assert_placed(intent.send_at, day, prefs.at, prefs)
    local_start = since.astimezone(prefs.zone).date()
    regular = [i.occasion for i in sent if i.occasion in (1, 3, 7, 30)]
    if local_start <= last_grace_day:  # not overdue when tracking began: the regular ones
        assert [i.occasion for i in sent] == regular
        return
    first_slot_day = next(
        last_grace_day + timedelta(days=n)
        for n in range(1, 60)
        if send_time(last_grace_day + timedelta(days=n), prefs.at, prefs) > since
    )
    found = (first_slot_day - last_grace_day).days
    if found > 30:
        assert sent == []
        return
    # The first alert is the found one; after it only later regular occasions.
    assert sent[0].occasion == found
    assert [i.occasion for i in sent[1:]] == [n for n in (1, 3, 7, 30) if n > found]
