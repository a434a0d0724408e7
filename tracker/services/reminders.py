"""Reminders: the user's settings, and what the buttons under a reminder do.

A reminder names an installment (``installment_id`` in its outbox payload and its buttons); a
button pressed on it finds that installment as it stands today. A reminder for an installment
that is gone or no longer in the plan is out of date (``NotFound`` with ``remindbtn_gone``).

"I can't pay" notes a hardship report (hardship's handler answers the button and asks on).

Outbox keys written or cancelled here: ``later:<installment>:<outbox id>`` (one "remind me
later" per reminder); payments by the "Paid in full" button use the idempotency key
``tg:full:<installment>``, so a second tap records nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tracker.errors import Conflict, NotFound
from tracker.ledger import InstallmentState
from tracker.money import from_minor
from tracker.reminders import SETTING_FIELDS, IntentKind, ReminderPrefs, send_time
from tracker.services.debts import Position, position
from tracker.services.payments import PaymentOutcome, record_payment
from tracker.storage.enums import HardshipKind, PaymentSource, ReportSource
from tracker.storage.models import Debt, HardshipReport, Installment, Outbox, User
from tracker.storage.uow import UnitOfWork

#: The outbox kind of a "remind me later" re-send; its payload carries the original kind.
LATER_KIND = "later"
#: How long "Remind me later" waits, and how long the re-send stays worth sending.
LATER_DELAY = timedelta(hours=4)
LATER_TTL = timedelta(days=1)
#: Outbox key prefixes of the messages "reminders off" cancels (the digest has its own switch).
REMINDER_PREFIXES = ("due:", "overdue:", "risk:", "later:")
DIGEST_PREFIX = "digest:"
#: The text of the hardship report a reminder's "I can't pay" records, at most once a day.
CANT_PAY_ONCE = timedelta(days=1)
#: The reminder kinds whose "later" button re-sends them.
_LATER_KINDS = (IntentKind.DUE.value, IntentKind.OVERDUE.value)
_GONE = "remindbtn_gone"


class AlreadyPaid(Conflict):
    """The installment a reminder names has nothing left to pay."""

    code = "remindbtn_paid"

    def __init__(self, standing: Standing) -> None:
        super().__init__(
            f"installment {standing.state.number} of debt {standing.position.debt.id} is paid",
            n=standing.state.number,
        )
        self.standing = standing


@dataclass(frozen=True, slots=True)
class Standing:
    """A reminded installment as it stands today, with its debt's position."""

    installment: Installment
    position: Position
    state: InstallmentState

    @property
    def debt(self) -> Debt:
        """The installment's debt."""
        return self.position.debt

    @property
    def left(self) -> Decimal:
        """What is still to pay on the installment: its remaining part and unpaid penalty."""
        return left_on(self.state)


@dataclass(frozen=True, slots=True)
class Later:
    """A "remind me later": when it comes, and whether this press asked for it first."""

    due_at: datetime
    created: bool


@dataclass(frozen=True, slots=True)
class CantPay:
    """A reminder's "I can't pay": its installment and debt, and whether this press noted it."""

    installment: Installment
    debt: Debt
    noted: bool


@dataclass(frozen=True, slots=True)
class ReminderChange:
    """What one /reminders command or button changes; None keeps the current value."""

    enabled: bool | None = None
    lead_days: tuple[int, ...] | None = None
    at: time | None = None
    quiet: tuple[time, time] | None = None
    clear_quiet: bool = False
    digest_enabled: bool | None = None
    digest_weekday: int | None = None
    digest_time: time | None = None


# ---- keys ------------------------------------------------------------------------------------


def full_payment_key(installment_id: int) -> str:
    """The idempotency key of the "Paid in full" payment of an installment."""
    return f"tg:full:{installment_id}"


def later_prefix(installment_id: int) -> str:
    """The outbox key prefix of every "remind me later" about an installment."""
    return f"later:{installment_id}:"


def later_key(installment_id: int, outbox_id: int) -> str:
    """The outbox key of the "remind me later" asked for under one reminder."""
    return f"{later_prefix(installment_id)}{outbox_id}"


# ---- settings --------------------------------------------------------------------------------


def prefs_of(user: User) -> ReminderPrefs:
    """The user's stored settings as ``ReminderPrefs`` (raises if they cannot be used)."""
    return ReminderPrefs.from_settings(**{name: getattr(user, name) for name in SETTING_FIELDS})


def reminder_prefs(uow: UnitOfWork, *, user_id: int) -> ReminderPrefs:
    """The user's reminder settings."""
    return prefs_of(_user(uow, user_id))


def change_reminders(uow: UnitOfWork, *, user_id: int, change: ReminderChange) -> ReminderPrefs:
    """Apply ``change`` to the user's settings; pending messages it turns off are cancelled.

    Raises ``InvalidReminderSetting`` if the result cannot be used. The caller commits.
    """
    user = _user(uow, user_id)
    prefs = _apply(user, change)
    if not prefs.enabled:
        for prefix in REMINDER_PREFIXES:
            uow.outbox.drop_pending(user_id=user_id, key_prefix=prefix)
    if not prefs.digest_enabled:
        uow.outbox.drop_pending(user_id=user_id, key_prefix=DIGEST_PREFIX)
    return prefs


def _apply(user: User, change: ReminderChange) -> ReminderPrefs:
    """Write ``change`` onto the user's settings and check the result can be used."""
    if change.enabled is not None:
        user.reminders_enabled = change.enabled
    if change.lead_days is not None:
        user.reminder_lead_days = ",".join(str(d) for d in change.lead_days)
    if change.at is not None:
        user.reminder_time = change.at
    if change.clear_quiet:
        user.quiet_start = user.quiet_end = None
    elif change.quiet is not None:
        user.quiet_start, user.quiet_end = change.quiet
    if change.digest_enabled is not None:
        user.digest_enabled = change.digest_enabled
    if change.digest_weekday is not None:
        user.digest_weekday = change.digest_weekday
    if change.digest_time is not None:
        user.digest_time = change.digest_time
    prefs = prefs_of(user)
    user.reminder_lead_days = ",".join(str(d) for d in prefs.lead_days)  # sorted, unique
    return prefs


# ---- the buttons under a reminder ------------------------------------------------------------


def left_on(state: InstallmentState) -> Decimal:
    """What is still to pay on an installment: its remaining part and its unpaid penalty."""
    return state.remaining + state.penalty_unpaid


def reminded_debt(uow: UnitOfWork, *, user_id: int, installment_id: int) -> Debt:
    """The debt of the installment a reminder names (out of date if it is not the user's)."""
    inst = _installment(uow, user_id, installment_id)
    return uow.debts.require_for_user(user_id, inst.debt_id)


def standing(uow: UnitOfWork, *, user_id: int, installment_id: int, today: date) -> Standing:
    """The installment a reminder names as it stands ``today``; out of date if replaced."""
    return _standing(uow, user_id, _installment(uow, user_id, installment_id), today)


def pay_in_full(
    uow: UnitOfWork, *, user_id: int, installment_id: int, today: date, now: datetime
) -> PaymentOutcome:
    """Record what is left of the installment, once; its pending "later" re-sends are dropped.

    A second press finds the payment recorded and returns it (``created`` False); a press when
    nothing is left raises ``AlreadyPaid``.
    """
    inst = _installment(uow, user_id, installment_id)
    key = full_payment_key(installment_id)
    existing = uow.payments.get_by_key(key)
    if existing is not None:
        amount, paid_on = from_minor(existing.amount_minor, existing.currency), existing.paid_on
    else:
        found = _standing(uow, user_id, inst, today)
        if found.left <= 0:
            raise AlreadyPaid(found)
        amount, paid_on = found.left, today
    outcome = record_payment(
        uow,
        user_id=user_id,
        debt_id=inst.debt_id,
        amount=amount,
        paid_on=paid_on,
        today=today,
        idempotency_key=key,
        now=now,
        source=PaymentSource.BUTTON,
    )
    uow.outbox.drop_pending(user_id=user_id, key_prefix=later_prefix(installment_id))
    return outcome


def pay_part(
    uow: UnitOfWork,
    *,
    user_id: int,
    installment_id: int,
    amount: Decimal,
    today: date,
    now: datetime,
    idempotency_key: str,
) -> PaymentOutcome:
    """Record a part payment towards the installment's debt, dated ``today``, once per key.

    If it leaves nothing to pay on the installment, its pending "later" re-sends are dropped.
    """
    inst = _installment(uow, user_id, installment_id)
    outcome = record_payment(
        uow,
        user_id=user_id,
        debt_id=inst.debt_id,
        amount=amount,
        paid_on=today,
        today=today,
        idempotency_key=idempotency_key,
        now=now,
        source=PaymentSource.TEXT,
    )
    if inst.is_active and _paid_off(outcome.position, inst):
        uow.outbox.drop_pending(user_id=user_id, key_prefix=later_prefix(installment_id))
    return outcome


def remind_later(
    uow: UnitOfWork, *, user_id: int, outbox_id: int, today: date, now: datetime
) -> Later:
    """The reminder sent as outbox row ``outbox_id`` again later (``later_time``), once.

    Raises ``AlreadyPaid`` when nothing is left to pay on its installment, and ``NotFound``
    when the row is not the user's reminder or its installment is out of date.
    """
    row = uow.outbox.get_for_user(user_id, outbox_id)
    if row is None:
        raise NotFound(f"outbox row {outbox_id} not found", code=_GONE)
    payload, kind = original_payload(row)
    inst = _installment(uow, user_id, payload["installment_id"])
    found = _standing(uow, user_id, inst, today)
    if found.left <= 0:
        raise AlreadyPaid(found)
    user = _user(uow, user_id)
    at = later_time(prefs_of(user), now)
    stored, created = uow.outbox.enqueue_once(
        later_key(_id(inst), outbox_id),
        user_id=user_id,
        chat_id=user.chat_id,
        kind=LATER_KIND,
        due_at=at,
        payload=payload | {"kind": kind},
        expires_at=at + LATER_TTL,
    )
    return Later(stored.due_at, created)


def note_cant_pay(uow: UnitOfWork, *, user_id: int, installment_id: int, now: datetime) -> CantPay:
    """Note a hardship report for "I can't pay" (the risk score counts it), once a day.

    Out of date (``NotFound``) if the installment is not the user's; the caller commits.
    """
    inst = _installment(uow, user_id, installment_id)
    debt = uow.debts.require_for_user(user_id, inst.debt_id)
    since = now - CANT_PAY_ONCE
    seen = any(
        r.source is ReportSource.REMINDER and r.created_at >= since
        for r in uow.hardship.recent_for_user(user_id, limit=20)
    )
    if not seen:  # a second tap the same day adds nothing
        uow.hardship.add(
            HardshipReport(
                user_id=user_id,
                created_at=now,
                kind=HardshipKind.OTHER,
                currency=debt.currency,
                source=ReportSource.REMINDER,
            )
        )
    return CantPay(inst, debt, noted=not seen)


def original_payload(row: Outbox) -> tuple[dict[str, Any], str]:
    """The payload a later row re-sends, with the time of the first reminder, and its kind.

    ``NotFound`` (out of date) if the row is not a due or overdue reminder of an installment.
    """
    try:
        payload = json.loads(row.payload)
    except json.JSONDecodeError:
        payload = None
    if not isinstance(payload, dict):
        raise NotFound(f"outbox row {row.id} has no payload", code=_GONE)
    kind = payload.get("kind") if row.kind == LATER_KIND else row.kind
    if kind not in _LATER_KINDS or not isinstance(payload.get("installment_id"), int):
        raise NotFound(f"outbox row {row.id} is not a reminder", code=_GONE)
    payload.setdefault("original_at", row.due_at.isoformat())
    return payload, str(kind)


def later_time(prefs: ReminderPrefs, now: datetime) -> datetime:
    """``LATER_DELAY`` from ``now`` to the minute, or the end of quiet hours if inside them."""
    local = (now + LATER_DELAY).astimezone(prefs.zone).replace(second=0, microsecond=0)
    return send_time(local.date(), local.time().replace(tzinfo=None), prefs)


# ---- helpers ---------------------------------------------------------------------------------


def _user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found", code="not_found")
    return user


def _installment(uow: UnitOfWork, user_id: int, installment_id: int) -> Installment:
    """The user's installment, or "out of date"."""
    found = uow.installments.get_for_user(user_id, installment_id)
    if found is None:
        raise NotFound(f"installment {installment_id} not found", code=_GONE)
    return found


def _standing(uow: UnitOfWork, user_id: int, inst: Installment, today: date) -> Standing:
    """Where the installment stands today; "out of date" if its plan was replaced."""
    if not inst.is_active:
        raise NotFound(f"installment {inst.id} is not active", code=_GONE)
    pos = position(uow, user_id=user_id, debt_id=inst.debt_id, today=today)
    state = _state_of(pos, inst)
    if state is None or inst.plan_version_id != pos.plan.id:
        raise NotFound(f"installment {inst.id} is not in the plan", code=_GONE)
    return Standing(inst, pos, state)


def _state_of(pos: Position, inst: Installment) -> InstallmentState | None:
    return next((s for s in pos.state.installments if s.number == inst.seq), None)


def _paid_off(pos: Position, inst: Installment) -> bool:
    state = _state_of(pos, inst)
    return state is not None and left_on(state) <= 0


def _id(inst: Installment) -> int:
    assert inst.id is not None  # loaded from the database
    return inst.id
