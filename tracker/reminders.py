"""Which reminders are due: decided from installments, the user's preferences and ``now``.

Nothing here reads the clock or the database. A scan calls the planners with ``now`` (aware UTC)
and inserts each ``Intent`` into the outbox under its ``key``; a key already there was planned
before, so a second scan, or a scan after a restart, never sends a message twice.

Timing, in the user's timezone, at the reminder time unless said otherwise:

- ``due``: for each lead day L, on due date − L; stale when the next (smaller) lead's reminder
  becomes sendable, which supersedes it, and the last one once the due day is over. A reminder
  still queued then (a morning peak, an outage) is never sent late: the newer one says it.
- ``overdue``: occasion n of ``OVERDUE_OCCASIONS`` on due date + grace days + n, i.e. the n-th
  day past the last day of grace. With no grace (the default) n is the days overdue as the
  ledger counts them. Stale ``OVERDUE_TTL`` after its send time; none after the last occasion.
  The day overdue is first discovered is an occasion too: an installment already overdue when
  its debt began to be tracked (a loan added while running, issue 9) gets its first alert at
  the first send slot after tracking began, as occasion n of that day (one key, whichever
  occasions fall that day), if n is within the last occasion. Slots before tracking began are
  never planned: nobody could have sent them.
- ``risk``: ``RISK_LEAD_DAYS`` before the due date, once per installment; stale at the due date.
- ``digest``: each ISO week on the digest weekday at the digest time; stale ``DIGEST_TTL`` later.

A send time inside quiet hours moves to the end of the quiet window (the next morning for a
window across midnight). A wall time skipped by a DST change is read with the offset before the
change, so it goes out an hour later on the clock. With reminders disabled no due, overdue or
risk intent is planned; the digest has its own switch.

Catch-up: of the intents sendable now for one installment and kind only the latest is produced,
so after an outage a user gets at most one message per installment and kind, not a backlog.

Urgency (``urgency``, stored as ``outbox.priority``; 0 goes out first when the queue is long):
0 overdue alerts and due-today reminders (and handlers' replies, which keep the default 0);
1 due-tomorrow reminders and risk warnings; 2 reminders two or more days ahead and digests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.errors import DomainError
from tracker.ledger import InstallmentState, Status
from tracker.money import ZERO, quantize
from tracker.parsing.text import normalise_text
from tracker.reminder_payloads import (
    DigestOverdue,
    DigestPayload,
    DuePayload,
    InstallmentPayload,
    OverduePayload,
    ProgressPayload,
    RiskPayload,
    RiskReason,
)
from tracker.risk import RISK_LEAD_DAYS, RiskAssessment, should_warn

MAX_LEAD_DAYS = 30
MAX_LEAD_VALUES = 5
DEFAULT_TIME = time(9, 0)
#: A new user's quiet hours: nothing is sent in the night, a "remind me later" included.
DEFAULT_QUIET_START = time(22, 0)
DEFAULT_QUIET_END = time(8, 0)
#: Overdue alerts: the n-th day past the due date + grace days, while anything is unpaid.
OVERDUE_OCCASIONS: tuple[int, ...] = (1, 3, 7, 30)
OVERDUE_TTL = timedelta(days=2)
DIGEST_TTL = timedelta(days=1)
#: How far ahead the digest lists installments.
DIGEST_HORIZON_DAYS = 30
#: The ``User`` attributes ``ReminderPrefs.from_settings`` takes, by the same names.
SETTING_FIELDS = (
    "timezone",
    "reminders_enabled",
    "reminder_lead_days",
    "reminder_time",
    "quiet_start",
    "quiet_end",
    "digest_enabled",
    "digest_weekday",
    "digest_time",
)

_DAY = timedelta(days=1)
_OVERDUE_REACH = timedelta(days=OVERDUE_TTL.days + 4)
_MIDNIGHT = time(0)
_SEPARATORS = re.compile(r"\s*[,、;]\s*")
_TIME = re.compile(
    r"(?P<h>[0-9]{1,2})(?::(?P<m>[0-9]{2})|点(?:(?P<half>半)|(?P<cm>[0-9]{1,2})分?)?|时)?"
    r"(?P<ampm>am|pm)?"
)
_LOOKS_LIKE_TIME = re.compile(r"[:点时]|[ap]m$")

Payload = dict[str, Any]


class InvalidReminderSetting(DomainError):
    """Reminder days, time or timezone that cannot be used."""

    code = "invalid_reminder_setting"


class IntentKind(StrEnum):
    """What a planned message is about."""

    DUE = "due"
    OVERDUE = "overdue"
    RISK = "risk"
    DIGEST = "digest"


@dataclass(frozen=True, slots=True)
class ReminderSetting:
    """What ``/reminders`` asked to change; None keeps the current value."""

    lead_days: tuple[int, ...] | None
    at: time | None


@dataclass(frozen=True, slots=True)
class ReminderPrefs:
    """A user's reminder settings; times are naive wall-clock times in ``timezone``."""

    timezone: str = "Asia/Shanghai"
    enabled: bool = True
    lead_days: tuple[int, ...] = (3, 1, 0)
    at: time = DEFAULT_TIME
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest_enabled: bool = True
    digest_weekday: int = 0  # Monday, as date.weekday()
    digest_time: time = DEFAULT_TIME

    def __post_init__(self) -> None:
        # Sorted and unique, so the same setting typed in another order plans the same keys.
        object.__setattr__(self, "lead_days", _checked_days(self.lead_days, str(self.lead_days)))
        _zone(self.timezone)
        if not 0 <= self.digest_weekday <= 6:
            raise ValueError(f"digest_weekday must be 0..6, not {self.digest_weekday}")
        times = (self.at, self.quiet_start, self.quiet_end, self.digest_time)
        if any(t is not None and t.tzinfo is not None for t in times):
            raise ValueError("reminder times are local wall-clock times, without tzinfo")

    @classmethod
    def from_settings(
        cls,
        *,
        timezone: str,
        reminders_enabled: bool,
        reminder_lead_days: str,
        reminder_time: time,
        quiet_start: time | None,
        quiet_end: time | None,
        digest_enabled: bool,
        digest_weekday: int,
        digest_time: time,
    ) -> ReminderPrefs:
        """Build from stored settings named as on ``User`` (see ``SETTING_FIELDS``)."""
        return cls(
            timezone=timezone,
            enabled=reminders_enabled,
            lead_days=parse_lead_days(reminder_lead_days),
            at=reminder_time,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            digest_enabled=digest_enabled,
            digest_weekday=digest_weekday,
            digest_time=digest_time,
        )

    @property
    def zone(self) -> ZoneInfo:
        """The user's timezone."""
        return _zone(self.timezone)

    @property
    def quiet(self) -> tuple[time, time] | None:
        """The quiet window [start, end), or None."""
        # Half a window has no end to move to, and start == end is empty: both mean none.
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return None
        return self.quiet_start, self.quiet_end

    def is_quiet(self, wall: time) -> bool:
        """Whether a local wall-clock time falls inside the quiet window."""
        quiet = self.quiet
        if quiet is None:
            return False
        start, end = quiet
        return start <= wall < end if start < end else (wall >= start or wall < end)


@dataclass(frozen=True, slots=True)
class InstallmentFacts:
    """One active installment with its ledger state as of the user's local today."""

    installment_id: int
    debt_id: int
    debt_name: str
    currency: str
    due_date: date
    remaining: Decimal
    status: Status
    days_overdue: int = 0
    penalty_accrued: Decimal = ZERO
    penalty_per_day: Decimal = ZERO  # the debt's, as LedgerState reports it
    grace_days: int = 0
    #: When the debt began to be tracked (aware): an overdue alert is first possible after it.
    tracked_since: datetime | None = None

    @classmethod
    def from_state(
        cls,
        state: InstallmentState,
        *,
        installment_id: int,
        debt_id: int,
        debt_name: str,
        currency: str,
        penalty_per_day: Decimal,
        grace_days: int,
        tracked_since: datetime | None = None,
    ) -> InstallmentFacts:
        """Combine a ledger ``InstallmentState`` with the ids and debt facts it lacks."""
        return cls(
            installment_id=installment_id,
            debt_id=debt_id,
            debt_name=debt_name,
            currency=currency,
            due_date=state.due_date,
            remaining=state.remaining,
            status=state.status,
            days_overdue=state.days_overdue,
            penalty_accrued=state.penalty_accrued,
            penalty_per_day=penalty_per_day,
            grace_days=grace_days,
            tracked_since=tracked_since,
        )

    @property
    def is_open(self) -> bool:
        """True while something scheduled is left to pay."""
        return self.remaining > 0 and self.status is not Status.PAID


@dataclass(frozen=True, slots=True)
class Progress:
    """Planned against paid in one currency, over a period the caller names (e.g. this month)."""

    currency: str
    planned: Decimal
    paid: Decimal


@dataclass(frozen=True, slots=True)
class Intent:
    """A message that should be sent, and until when it is worth sending."""

    key: str  # unique and stable: the outbox's idempotency key
    kind: IntentKind
    user_id: int
    installment_id: int | None
    debt_id: int | None
    occasion: int  # lead days, overdue occasion, RISK_LEAD_DAYS or ISO week
    send_at: datetime  # aware UTC
    expires_at: datetime  # aware UTC
    payload: Payload = field(default_factory=dict, hash=False)  # JSON-friendly, money as str

    @property
    def urgency(self) -> int:
        """0 (most urgent) to 2: see ``urgency``."""
        return urgency(self.kind, self.occasion)


#: The most urgent level: overdue alerts, due-today reminders, handlers' replies.
URGENT = 0
#: Due tomorrow, and risk warnings.
SOON = 1
#: Two or more days ahead, and the weekly digest.
LATER = 2


def urgency(kind: IntentKind, occasion: int) -> int:
    """How urgent a message of ``kind`` for ``occasion`` is: 0 (most) to 2 (least).

    A risk warning is 1 although it comes RISK_LEAD_DAYS ahead: it says the user will likely
    not manage to pay, and days to act (move money, talk to the lender) are what it is for,
    so it goes before plain advance notices; it is sent once, nothing later repeats it.
    """
    if kind is IntentKind.OVERDUE:
        return URGENT
    if kind is IntentKind.DUE:
        return URGENT if occasion <= 0 else SOON if occasion == 1 else LATER
    if kind is IntentKind.RISK:
        return SOON
    return LATER


class _Slot(NamedTuple):
    occasion: int
    send_at: datetime
    expires_at: datetime


def parse_lead_days(text: str) -> tuple[int, ...]:
    """Read ``"3,1,0"`` (also ``３，１，０`` or ``3、1、0``) as days before the due date."""
    parts = [p for p in _SEPARATORS.split(normalise_text(text)) if p]
    if not parts or not all(p.isascii() and p.isdigit() for p in parts):
        raise InvalidReminderSetting(
            f"{text!r} is not a list of days", code="reminder_days_garbage", text=text
        )
    return _checked_days(tuple(int(p) for p in parts), text)


def parse_reminder_time(text: str) -> time:
    """Read ``09:00``, ``9``, ``21:30``, ``9点半``, ``9pm`` as a local time of day."""
    garbage = InvalidReminderSetting(
        f"{text!r} is not a time", code="reminder_time_garbage", text=text
    )
    match = _TIME.fullmatch(normalise_text(text).casefold().replace(" ", ""))
    if match is None:
        raise garbage
    hour = int(match["h"])
    minute = 30 if match["half"] else int(match["m"] or match["cm"] or 0)
    if match["ampm"] is not None:
        if not 1 <= hour <= 12:
            raise garbage  # "13pm", "0am"
        hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise garbage
    return time(hour, minute)


def parse_reminder_setting(text: str) -> ReminderSetting:
    """Read ``/reminders`` arguments: ``"3,1,0 09:00"``, ``"3,1,0"`` or ``"20:00"``."""
    head, _, rest = _SEPARATORS.sub(",", normalise_text(text)).partition(" ")
    if not rest and _LOOKS_LIKE_TIME.search(head.casefold()):
        return ReminderSetting(lead_days=None, at=parse_reminder_time(head))
    try:
        lead_days = parse_lead_days(head)
    except InvalidReminderSetting as error:
        if error.code != "reminder_days_garbage":
            raise
        # Quote what the user wrote ("3;x"), not the separators we read it with ("3,x").
        raise InvalidReminderSetting(
            f"{text!r} is not a list of days", code="reminder_days_garbage", text=text.strip()
        ) from error
    return ReminderSetting(lead_days=lead_days, at=parse_reminder_time(rest) if rest else None)


def local_today(now: datetime, timezone: str) -> date:
    """The user's calendar date at ``now``: the ``today`` their ledger should be built for."""
    return _utc(now).astimezone(_zone(timezone)).date()


def send_time(day: date, at: time, prefs: ReminderPrefs) -> datetime:
    """When a message for local ``day`` goes out, in UTC: ``at``, or the end of quiet hours."""
    zone = prefs.zone
    moment = _wall(day, at, zone)
    quiet = prefs.quiet
    if quiet is None:
        return moment
    start, end = quiet
    # A DST gap can push the window's end back inside a window across midnight once; the
    # next day has no gap, so the third look always finds a time outside the window.
    for _ in range(3):
        local = moment.astimezone(zone)
        wall = local.time()
        inside = start <= wall < end if start < end else (wall >= start or wall < end)
        if not inside:
            break
        moment = _wall(local.date() + (_DAY if wall >= end else timedelta(0)), end, zone)
    return moment


def scan_window(
    now: datetime,
    max_lead_days: int = MAX_LEAD_DAYS,
    max_overdue_days: int = OVERDUE_OCCASIONS[-1],
) -> tuple[date, date]:
    """Inclusive due-date bounds of the installments a scan at ``now`` must load.

    ``max_lead_days`` is the largest lead day in use (risk's RISK_LEAD_DAYS is always covered);
    ``max_overdue_days`` the last overdue occasion plus the largest grace days of any debt.
    """
    today = _utc(now).date()
    # A local date is at most a day off the UTC date. Going back, an alert lives OVERDUE_TTL
    # from a send that quiet hours (and a DST gap) can push up to two days past its day, and
    # a shorter DST day can carry the end of its life an hour into one more day.
    ahead = max(max_lead_days, RISK_LEAD_DAYS) + 1
    back = max_overdue_days + OVERDUE_TTL.days + 4
    return today - timedelta(days=back), today + timedelta(days=ahead)


def plan_due_and_overdue(
    user_id: int, installments: Iterable[InstallmentFacts], prefs: ReminderPrefs, now: datetime
) -> list[Intent]:
    """Due reminders and overdue alerts sendable at ``now``, the latest per installment and kind."""
    now = _utc(now)
    if not prefs.enabled:
        return []
    today = now.astimezone(prefs.zone).date()
    intents: list[Intent] = []
    for facts in _unique(installments):
        if not facts.is_open:
            continue
        due = _latest(_due_slots(facts, prefs, today), now)
        if due is not None:
            payload = DuePayload(**_installment_fields(facts), lead_days=due.occasion).wire()
            intents.append(_intent(IntentKind.DUE, user_id, facts, due, payload))
        overdue = _latest(_overdue_slots(facts, prefs, today), now)
        if overdue is not None:
            payload = OverduePayload(
                **_installment_fields(facts),
                days_overdue=facts.days_overdue,
                grace_days=facts.grace_days,
                penalty_accrued=quantize(facts.penalty_accrued, facts.currency),
                penalty_per_day=quantize(facts.penalty_per_day, facts.currency),
            ).wire()
            intents.append(_intent(IntentKind.OVERDUE, user_id, facts, overdue, payload))
    return sorted(intents, key=lambda i: (i.send_at, i.key))


def plan_risk(
    user_id: int,
    facts: InstallmentFacts,
    assessment: RiskAssessment,
    prefs: ReminderPrefs,
    now: datetime,
) -> Intent | None:
    """A warning RISK_LEAD_DAYS before the due date when ``should_warn(assessment)``."""
    now = _utc(now)
    if not (prefs.enabled and facts.is_open and should_warn(assessment)):
        return None
    send_at = send_time(facts.due_date - timedelta(days=RISK_LEAD_DAYS), prefs.at, prefs)
    slot = _Slot(RISK_LEAD_DAYS, send_at, _wall(facts.due_date, _MIDNIGHT, prefs.zone))
    if _latest([slot], now) is None:
        return None
    payload = RiskPayload(
        **_installment_fields(facts),
        score=assessment.score,
        level=str(assessment.level),
        reasons=[RiskReason(code=r.code, params=dict(r.params)) for r in assessment.reasons],
    ).wire()
    return _intent(IntentKind.RISK, user_id, facts, slot, payload)


def plan_digest(
    user_id: int,
    prefs: ReminderPrefs,
    installments: Iterable[InstallmentFacts],
    progress: Sequence[Progress],
    now: datetime,
) -> Intent | None:
    """This week's digest (or last week's, while still fresh) once its time has come.

    ``installments`` are the user's open ones due up to DIGEST_HORIZON_DAYS ahead, overdue
    ones included; ``progress`` is planned against paid. None when there is nothing to tell.
    """
    now = _utc(now)
    if not prefs.digest_enabled:
        return None
    today = now.astimezone(prefs.zone).date()
    monday = today - timedelta(days=today.weekday())
    for week_start in (monday, monday - timedelta(days=7)):
        day = week_start + timedelta(days=prefs.digest_weekday)
        send_at = send_time(day, prefs.digest_time, prefs)
        if send_at <= now < send_at + DIGEST_TTL:
            return _digest(user_id, day, send_at, _unique(installments), progress, today)
    return None


def _digest(
    user_id: int,
    day: date,
    send_at: datetime,
    installments: list[InstallmentFacts],
    progress: Sequence[Progress],
    today: date,
) -> Intent | None:
    horizon = today + timedelta(days=DIGEST_HORIZON_DAYS)
    open_ = sorted(
        (f for f in installments if f.is_open),
        key=lambda f: (f.due_date, f.debt_name, f.installment_id),
    )
    overdue = [f for f in open_ if f.status is Status.OVERDUE]
    upcoming = [f for f in open_ if f.status is not Status.OVERDUE and f.due_date <= horizon]
    if not (overdue or upcoming or progress):
        return None
    totals: dict[str, Decimal] = {}
    for f in upcoming:
        totals[f.currency] = totals.get(f.currency, ZERO) + f.remaining
    year, week, _ = day.isocalendar()
    payload = DigestPayload(
        week=f"{year}-W{week:02d}",
        upcoming=[InstallmentPayload(**_installment_fields(f)) for f in upcoming],
        overdue=[
            DigestOverdue(
                **_installment_fields(f),
                days_overdue=f.days_overdue,
                penalty_accrued=quantize(f.penalty_accrued, f.currency),
            )
            for f in overdue
        ],
        upcoming_totals={cur: quantize(total, cur) for cur, total in sorted(totals.items())},
        progress=[
            ProgressPayload(
                currency=p.currency,
                planned=quantize(p.planned, p.currency),
                paid=quantize(p.paid, p.currency),
                behind=quantize(max(ZERO, p.planned - p.paid), p.currency),
            )
            for p in progress
        ],
    ).wire()
    return Intent(
        key=f"digest:{user_id}:{year}-W{week:02d}",
        kind=IntentKind.DIGEST,
        user_id=user_id,
        installment_id=None,
        debt_id=None,
        occasion=week,
        send_at=send_at,
        expires_at=send_at + DIGEST_TTL,
        payload=payload,
    )


def _due_slots(facts: InstallmentFacts, prefs: ReminderPrefs, today: date) -> list[_Slot]:
    if today > facts.due_date:
        return []  # stale: the due day is over
    end_of_due_day = _wall(facts.due_date + _DAY, _MIDNIGHT, prefs.zone)
    slots: list[_Slot] = []
    # From the smallest lead (the latest day) back: each slot goes stale when the one after it
    # can be sent, even if that is still ahead.
    ahead: datetime | None = None
    for lead in reversed(prefs.lead_days):
        day = facts.due_date - timedelta(days=lead)
        send_at = send_time(day, prefs.at, prefs)
        if day <= today:
            # Superseded by the next lead's reminder once that is sendable; a next send time
            # that is not later (not expected) leaves the end of the due day.
            expires = ahead if ahead is not None and ahead > send_at else end_of_due_day
            slots.append(_Slot(lead, send_at, min(expires, end_of_due_day)))
        ahead = send_at
    return slots[::-1]


def _overdue_slots(facts: InstallmentFacts, prefs: ReminderPrefs, today: date) -> list[_Slot]:
    last_grace_day = facts.due_date + timedelta(days=facts.grace_days)
    since = facts.tracked_since
    occasions = set(OVERDUE_OCCASIONS)
    found = None if since is None else found_occasion(last_grace_day, since, prefs)
    if found is not None:
        occasions.add(found)
    slots = []
    for occasion in sorted(occasions):
        day = last_grace_day + timedelta(days=occasion)
        # Sent by the end of day + 2 (quiet hours, a DST gap), stale 2 days later: a day 6 or
        # more days back cannot be live, nor can a day still ahead.
        if not today - _OVERDUE_REACH < day <= today:
            continue
        send_at = send_time(day, prefs.at, prefs)
        if since is not None and send_at <= since:
            continue  # before the debt was tracked: nobody could have sent it
        slots.append(_Slot(occasion, send_at, send_at + OVERDUE_TTL))
    return slots


def found_occasion(last_grace_day: date, since: datetime, prefs: ReminderPrefs) -> int | None:
    """The overdue occasion of the day overdue is first discovered, if tracking found it so.

    An installment past ``last_grace_day`` when tracking began (``since``) is first alerted at
    the first send slot after ``since``: the occasion is its day's count past the grace days.
    None when it was not overdue yet (the regular occasions apply) or when that day is past the
    last occasion (the weekly digest carries it, as after the last occasion).
    """
    since = _utc(since)
    tracking_day = since.astimezone(prefs.zone).date()
    if tracking_day <= last_grace_day:
        return None
    # Quiet hours (and a DST gap) can move a day's slot up to two days on, so the first slot
    # after ``since`` may belong to a day before it; a day after it always has one later.
    day = max(last_grace_day + _DAY, tracking_day - 2 * _DAY)
    while send_time(day, prefs.at, prefs) <= since:
        day += _DAY
    occasion = (day - last_grace_day).days
    return occasion if occasion <= OVERDUE_OCCASIONS[-1] else None


def _latest(slots: Iterable[_Slot], now: datetime) -> _Slot | None:
    """The most recent slot sendable at ``now``: catch-up drops the older ones."""
    live = [s for s in slots if s.send_at <= now < s.expires_at]
    return max(live, key=lambda s: s.send_at, default=None)


def _intent(
    kind: IntentKind, user_id: int, facts: InstallmentFacts, slot: _Slot, payload: Payload
) -> Intent:
    # Risk is once per installment, whatever the lead; the others once per occasion.
    suffix = "" if kind is IntentKind.RISK else f":{slot.occasion}"
    return Intent(
        key=f"{kind}:{facts.installment_id}{suffix}",
        kind=kind,
        user_id=user_id,
        installment_id=facts.installment_id,
        debt_id=facts.debt_id,
        occasion=slot.occasion,
        send_at=slot.send_at,
        expires_at=slot.expires_at,
        payload=payload,
    )


class _InstallmentFields(TypedDict):
    installment_id: int
    debt_id: int
    debt_name: str
    currency: str
    due_date: date
    remaining: Decimal


def _installment_fields(facts: InstallmentFacts) -> _InstallmentFields:
    """The facts of ``InstallmentPayload`` (money rounded to the currency)."""
    return _InstallmentFields(
        installment_id=facts.installment_id,
        debt_id=facts.debt_id,
        debt_name=facts.debt_name,
        currency=facts.currency,
        due_date=facts.due_date,
        remaining=quantize(facts.remaining, facts.currency),
    )


def _checked_days(days: tuple[int, ...], text: str) -> tuple[int, ...]:
    unique = tuple(sorted(set(days), reverse=True))
    if (
        not unique
        or len(unique) > MAX_LEAD_VALUES
        or not all(0 <= d <= MAX_LEAD_DAYS for d in unique)
    ):
        raise InvalidReminderSetting(
            f"{text!r}: up to {MAX_LEAD_VALUES} days from 0 to {MAX_LEAD_DAYS}",
            code="reminder_days_range",
            text=text,
            max_days=MAX_LEAD_DAYS,
            max_values=MAX_LEAD_VALUES,
        )
    return unique


def _unique(installments: Iterable[InstallmentFacts]) -> list[InstallmentFacts]:
    facts = list(installments)
    if len({f.installment_id for f in facts}) != len(facts):
        raise ValueError("an installment was given twice: its keys would collide")
    return facts


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidReminderSetting(
            f"unknown timezone {name!r}", code="reminder_timezone_unknown", timezone=name
        ) from exc


def _wall(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Local ``at`` on ``day`` as UTC; fold 0 reads a skipped time with the earlier offset."""
    return datetime.combine(day, at.replace(fold=0), tzinfo=zone).astimezone(UTC)


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC)
