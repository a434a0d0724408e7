"""The .ics file: events parse back, cancelled ones under the same UID, SEQUENCE that grows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from tracker.calendar_export import CalendarEvent, build_ics, sequence_at, uid_for

STAMP = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def events(ics: bytes) -> list[Any]:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def ics(*items: CalendarEvent, stamp: datetime = STAMP) -> bytes:
    return build_ics(items, lead_days=[3, 0], at=time(9, 0), stamp=stamp, name="Repayments")


OPEN = CalendarEvent(uid_for(7), date(2026, 12, 15), "Pay ¥1,000.00 — 金条", "…")


def test_an_open_and_a_cancelled_event_parse_back() -> None:
    cancelled = CalendarEvent(uid_for(8), date(2027, 1, 15), "Pay ¥1,000.00 — 金条", "…", True)
    open_, gone = events(ics(OPEN, cancelled))
    assert (str(open_["uid"]), str(open_["status"])) == ("installment-7@repaybot", "CONFIRMED")
    assert open_.decoded("dtstart") == date(2026, 12, 15)
    assert open_.decoded("dtend") == date(2026, 12, 16)
    # 3 days before at 09:00, and 09:00 on the day, from the day's midnight.
    assert sorted(a.decoded("trigger") for a in open_.walk("VALARM")) == [
        timedelta(days=-3, hours=9),
        timedelta(hours=9),
    ]
    assert (str(gone["uid"]), str(gone["status"])) == ("installment-8@repaybot", "CANCELLED")
    assert list(gone.walk("VALARM")) == []


def test_cancelling_then_reopening_an_installment_reaches_a_calendar_that_holds_it() -> None:
    first = events(ics(OPEN))[0]
    later = STAMP + timedelta(hours=2)
    cancelled = events(ics(CalendarEvent(OPEN.uid, OPEN.day, "x", "y", True), stamp=later))[0]
    reopened = events(ics(OPEN, stamp=later + timedelta(days=1)))[0]
    assert str(cancelled["uid"]) == str(first["uid"]) == str(reopened["uid"])
    assert int(first["sequence"]) < int(cancelled["sequence"]) < int(reopened["sequence"])
    # In the same minute, the cancellation still outranks the open version.
    same = events(ics(CalendarEvent(OPEN.uid, OPEN.day, "x", "y", True)))[0]
    assert int(same["sequence"]) > int(first["sequence"])


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2999, 12, 31)),
    st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=3650)),
    st.booleans(),
    st.booleans(),
)
def test_a_later_file_always_counts_higher_within_32_bits(
    when: datetime, later: timedelta, first_cancelled: bool, then_cancelled: bool
) -> None:
    stamp = when.replace(tzinfo=UTC)
    before = sequence_at(stamp, cancelled=first_cancelled)
    after = sequence_at(stamp + later, cancelled=then_cancelled)
    assert 0 <= before < after < 2**31
