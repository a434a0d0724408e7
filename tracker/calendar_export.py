"""An iCalendar (.ics) file of installments: all-day events with alarms, stable UIDs.

Built here, in the core, because what goes in the file (which events, their UIDs, when the
alarms ring) is a rule of the product that tests check without Telegram; the bot only supplies
the words in the user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Alarm, Calendar, Event

PRODID = "-//repaybot//installments//EN"
#: SEQUENCE counts minutes from here (RFC 5545 keeps it a 32-bit integer: enough for 2,000 years).
_SEQUENCE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One installment as the calendar shows it."""

    uid: str
    day: date
    summary: str
    description: str
    cancelled: bool = False


def uid_for(installment_id: int) -> str:
    """The event's UID: the same installment keeps it, so importing again updates the event."""
    return f"installment-{installment_id}@repaybot"


def alarm_trigger(lead_days: int, at: time) -> timedelta:
    """When to ring, relative to the all-day event's start (midnight, local time)."""
    return timedelta(days=-lead_days, hours=at.hour, minutes=at.minute)


def sequence_at(stamp: datetime, *, cancelled: bool) -> int:
    """An event's SEQUENCE in a file made at ``stamp``: later files always count higher.

    A calendar takes an update only with a higher SEQUENCE than the version it holds, so it must
    grow with every file: an installment cancelled in one file (a plan change, paid ahead) and
    open again in a later one (the payment undone, the earlier plan back) must come back. Within
    one minute a cancellation still outranks the open version.
    """
    minutes = int((stamp - _SEQUENCE_EPOCH).total_seconds() // 60)
    return max(0, 2 * minutes + (1 if cancelled else 0))


def build_ics(
    events: Sequence[CalendarEvent],
    *,
    lead_days: Sequence[int],
    at: time,
    stamp: datetime,
    name: str,
) -> bytes:
    """The calendar file: each event all day on its date, an alarm ``lead_days`` before at
    ``at`` local time; cancelled events as STATUS:CANCELLED, without alarms. SEQUENCE grows
    with ``stamp`` (``sequence_at``), so a calendar that holds an earlier version of an event
    takes this one, cancelled or open again."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("transp", "TRANSPARENT")
        event.add("sequence", sequence_at(stamp, cancelled=item.cancelled))
        if item.cancelled:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
            for lead in sorted(set(lead_days), reverse=True):
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", item.summary)
                alarm.add("trigger", alarm_trigger(lead, at))
                event.add_component(alarm)
        calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics
