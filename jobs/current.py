"""An outbox row brought up to date at the moment it is sent (README.md, "At sending time").

The scan plans a message for a slot and writes what was true then; the sender may send it later
(an outage, a retry, flood control, "remind me later"). Before rendering, the sender asks
``current`` for the row as it should read *now*: the installment's remaining amount, days
overdue and penalty from the ledger built for the user's local today, or the reason the row must
not be sent at all (paid, plan replaced, debt closed, a risk warning whose due date has come).
A "due" reminder whose installment is overdue by now becomes an overdue alert. Every refreshed
payload carries ``as_of`` (the local day its facts are for), so the render counts from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.ledger import InstallmentState, Status
from tracker.money import ZERO, quantize
from tracker.reminders import DIGEST_HORIZON_DAYS, IntentKind
from tracker.services.debts import Position, position, positions
from tracker.services.reminders import LATER_KIND
from tracker.storage.enums import DebtStatus
from tracker.storage.models import Outbox, User
from tracker.storage.uow import UnitOfWork

_FALLBACK_ZONE = "Asia/Shanghai"
_INSTALLMENT_KINDS = (IntentKind.DUE.value, IntentKind.OVERDUE.value, IntentKind.RISK.value)

Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Drop:
    """The row must not be sent: why (recorded as the row's drop reason)."""

    reason: str


def current(uow: UnitOfWork, row: Outbox, user: User, now: datetime) -> Outbox | Drop:
    """``row`` as it should read at ``now`` (a copy; the row itself is untouched), or a Drop.

    A payload this module cannot read is returned unchanged: the render drops it with a warning.
    """
    try:
        payload = json.loads(row.payload)
    except json.JSONDecodeError:
        return row
    if not isinstance(payload, dict):
        return row
    today = _aware(now).astimezone(_zone(user.timezone)).date()
    if row.kind == IntentKind.DIGEST.value:
        fresh: Payload | Drop = _digest(uow, row.user_id, payload, today)
        kind = row.kind
    else:
        inner = payload.get("kind") if row.kind == LATER_KIND else row.kind
        if inner not in _INSTALLMENT_KINDS or not isinstance(payload.get("installment_id"), int):
            return row
        fresh = _installment(uow, row.user_id, str(inner), payload, today)
        kind = row.kind
        if not isinstance(fresh, Drop) and row.kind != LATER_KIND:
            kind = fresh.pop("kind")
    if isinstance(fresh, Drop):
        return fresh
    fresh["as_of"] = today.isoformat()
    return row.model_copy(update={"kind": kind, "payload": json.dumps(fresh, ensure_ascii=False)})


def _installment(
    uow: UnitOfWork, user_id: int, kind: str, payload: Payload, today: date
) -> Payload | Drop:
    """The installment's payload as of ``today``, under the kind that is true now."""
    debt_id = payload.get("debt_id")
    if not isinstance(debt_id, int):
        return Drop("no debt named")
    debt = uow.debts.get_for_user(user_id, debt_id)
    if debt is None or debt.status is not DebtStatus.ACTIVE:
        return Drop("the debt is gone, closed or archived")
    plan = uow.plans.active_for_debt(debt_id)
    if plan is None or plan.id is None:
        return Drop("the debt has no active plan")
    # Only the active plan's installments count: one of a replaced plan is out of date.
    inst = next(
        (i for i in uow.installments.for_plan(plan.id) if i.id == payload["installment_id"]),
        None,
    )
    if inst is None or not inst.is_active:
        return Drop("the plan was replaced")
    pos = position(uow, user_id=user_id, debt_id=debt_id, today=today)
    state = next((s for s in pos.state.installments if s.number == inst.seq), None)
    if state is None or inst.plan_version_id != pos.plan.id:
        return Drop("the plan was replaced")
    if state.remaining <= 0:
        return Drop("paid")
    facts = _facts(pos, state, inst.id)
    if kind == IntentKind.RISK.value:
        if state.due_date <= today:  # the due reminder and the overdue alert speak for it now
            return Drop("due already: no early warning")
        return payload | facts | {"kind": kind}
    if state.status is Status.OVERDUE:  # a due reminder sent late, or an overdue alert
        overdue = _overdue_facts(pos, state)
        kept = {k: v for k, v in payload.items() if k in ("original_at",)}
        return kept | facts | overdue | {"kind": IntentKind.OVERDUE.value}
    # Not overdue (any more, or within grace): a due reminder counted from today.
    kept = {k: v for k, v in payload.items() if k in ("original_at",)}
    lead = max(0, (state.due_date - today).days)
    return kept | facts | {"kind": IntentKind.DUE.value, "lead_days": lead}


def _facts(pos: Position, state: InstallmentState, installment_id: int | None) -> Payload:
    cur = pos.debt.currency
    return {
        "installment_id": installment_id,
        "debt_id": pos.debt.id,
        "debt_name": pos.debt.name,
        "currency": cur,
        "due_date": state.due_date.isoformat(),
        "remaining": _money(state.remaining, cur),
    }


def _overdue_facts(pos: Position, state: InstallmentState) -> Payload:
    cur = pos.debt.currency
    return {
        "days_overdue": state.days_overdue,
        "grace_days": pos.debt.grace_days,
        "penalty_accrued": _money(state.penalty_accrued, cur),
        "penalty_per_day": _money(pos.state.penalty_per_day, cur),
    }


def _digest(uow: UnitOfWork, user_id: int, payload: Payload, today: date) -> Payload | Drop:
    """The week's digest with every list, total and progress line as the ledger has it today."""
    debts = positions(uow, user_id=user_id, today=today)
    horizon = today + timedelta(days=DIGEST_HORIZON_DAYS)
    upcoming: list[tuple[date, str, int, Payload]] = []
    overdue: list[tuple[date, str, int, Payload]] = []
    totals: dict[str, Decimal] = {}
    planned: dict[str, Decimal] = {}
    paid: dict[str, Decimal] = {}
    for pos in debts:
        assert pos.plan.id is not None  # loaded from the database
        ids = {i.seq: i.id for i in uow.installments.for_plan(pos.plan.id)}
        cur = pos.debt.currency
        for state in pos.state.installments:
            if (state.due_date.year, state.due_date.month) == (today.year, today.month):
                planned[cur] = planned.get(cur, ZERO) + state.scheduled
                paid[cur] = paid.get(cur, ZERO) + state.scheduled - state.remaining
            if state.remaining <= 0 or state.status is Status.PAID:
                continue
            inst_id = ids.get(state.number)
            facts = _facts(pos, state, inst_id)
            order = (state.due_date, pos.debt.name, inst_id or 0)
            if state.status is Status.OVERDUE:
                facts |= {
                    "days_overdue": state.days_overdue,
                    "penalty_accrued": _money(state.penalty_accrued, cur),
                }
                overdue.append((*order, facts))
            elif state.due_date <= horizon:
                upcoming.append((*order, facts))
                totals[cur] = totals.get(cur, ZERO) + state.remaining
    progress = [
        {
            "currency": cur,
            "planned": _money(planned[cur], cur),
            "paid": _money(paid[cur], cur),
            "behind": _money(max(ZERO, planned[cur] - paid[cur]), cur),
        }
        for cur in sorted(planned)
        if planned[cur] > 0
    ]
    if not (upcoming or overdue or progress):
        return Drop("nothing left to tell")
    return payload | {
        "upcoming": _sorted(upcoming),
        "overdue": _sorted(overdue),
        "upcoming_totals": {cur: _money(total, cur) for cur, total in sorted(totals.items())},
        "progress": progress,
    }


def _sorted(entries: Iterable[tuple[date, str, int, Payload]]) -> list[Payload]:
    return [entry[3] for entry in sorted(entries, key=lambda e: e[:3])]


def _money(amount: Decimal, currency: str) -> str:
    return f"{quantize(amount, currency):f}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(_FALLBACK_ZONE)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
