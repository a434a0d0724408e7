"""The scan: what is due now, written to the outbox once per key (see README.md).

One indexed query loads the active installments due in ``scan_window(now)`` with their debt and
user. For each user the pure planners are first asked, with the ledger left out (every
installment assumed unpaid, every risk assumed high), which keys they *could* plan now; a user
whose possible keys are all in the outbox already has nothing new and costs nothing more. For
the others each debt's ledger is built for the user's local today (as ``services.debts.position``
builds it, with a batch of users' plans, installments and payments loaded in three queries) and
the planners decide for real. Intents are enqueued (``enqueue_many``: ``enqueue_once``'s INSERT … ON
CONFLICT DO NOTHING, several hundred rows a statement) in key order, so two scans on PostgreSQL
wait for each other instead of deadlocking, and a new occasion drops the older, unsent
one of the same reminder, so a user never gets a backlog.

Units of work: one for the read, then one per batch of users planned (commit at the end of
each). On SQLite every transaction takes the write lock (BEGIN IMMEDIATE), so one transaction
over a large scan would hold the bot's handlers past their busy timeout; a batch is short, and a
scan cut short by a crash loses nothing — the keys make the next scan pick up where it stopped.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from jobs.housekeeping import release_memory
from tracker.capacity import assess
from tracker.errors import NotFound
from tracker.ledger import Status
from tracker.money import ZERO, from_minor
from tracker.reminders import (
    OVERDUE_OCCASIONS,
    SETTING_FIELDS,
    InstallmentFacts,
    Intent,
    IntentKind,
    InvalidReminderSetting,
    Progress,
    ReminderPrefs,
    local_today,
    plan_digest,
    plan_due_and_overdue,
    plan_risk,
    scan_window,
)
from tracker.risk import (
    RISK_LEAD_DAYS,
    RiskAssessment,
    RiskInputs,
    RiskLevel,
    assess_risk,
    week_bounds,
)
from tracker.services.budget import current_budget
from tracker.services.debts_position import Position, position_of
from tracker.storage.db import read_only
from tracker.storage.models import Debt, Installment, Payment, PlanVersion, User
from tracker.storage.repositories import InstallmentRepository, NewMessage
from tracker.storage.uow import SqlUnitOfWork, UnitOfWork

logger = logging.getLogger(__name__)

MakeUow = Callable[[], UnitOfWork]

#: Users planned per unit of work.
BATCH_USERS = 200
#: How far back payment history counts for risk (tracker.risk documents the weights).
LATE_LOOKBACK = timedelta(days=90)
HARDSHIP_LOOKBACK = timedelta(days=60)

# The planners asked "could anything be due?": the worst case for every ledger-dependent fact.
_ALARM = RiskAssessment(score=100, level=RiskLevel.HIGH, reasons=())
_SOMETHING = (Progress("XXX", Decimal(1), ZERO),)


@dataclass(frozen=True, slots=True)
class ScanReport:
    """What one scan did."""

    enqueued: int = 0  # new outbox rows
    skipped: int = 0  # intents whose key was in the outbox already
    superseded: int = 0  # older unsent rows dropped for a newer occasion
    users: int = 0  # users with installments in the window
    planned: int = 0  # users whose ledgers were built
    remembered: int = 0  # users not planned again: nothing changed (``ScanMemo``)
    installments: int = 0  # installments in the window
    errors: int = 0  # users left out because of an error (logged)


@dataclass(slots=True)
class _UserDue:
    """One user's installments in the window, with their debts (loaded by the scan query)."""

    user: User
    prefs: ReminderPrefs
    today: date
    debts: dict[int, Debt] = field(default_factory=dict)
    installments: list[Installment] = field(default_factory=list)

    @property
    def user_id(self) -> int:
        assert self.user.id is not None  # loaded from the database
        return self.user.id


@dataclass(slots=True)
class _Tally:
    enqueued: int = 0
    skipped: int = 0
    superseded: int = 0
    planned: int = 0
    remembered: int = 0
    errors: int = 0


Fingerprint = tuple[object, ...]

#: Users the memo remembers at most: a few MB (an 8-byte digest per user), whatever the user count.
MEMO_SIZE = 50_000
#: Rows fetched from the scan query at a time: the scan holds one batch of users, not all.
STREAM_ROWS = 1000


class ScanMemo:
    """Users a scan planned and found nothing new for, so later scans need not plan them again.

    A user is planned when a key the planners could produce is missing from the outbox. When the
    ledger then says no (the installment is paid, the risk is low), those keys stay missing and
    every scan would plan the user again. The memo keeps, per user, a digest of the keys still
    missing and of everything planning reads: the local date, reminder settings, debts, the
    active plans' installments in the window, payments (recorded or undone), the newest budget
    and hardship report. While it is the same the answer is the same, and the user is skipped.
    One per process (``jobs.Jobs`` keeps it); a new process starts empty.

    Bounded: the least recently seen users beyond ``size`` are forgotten (they are planned
    again, which is only slower), so memory does not grow with all users.
    """

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._size = size
        self._users: OrderedDict[int, int] = OrderedDict()

    def __len__(self) -> int:
        return len(self._users)

    def unchanged(self, user_id: int, fingerprint: Fingerprint, missing: frozenset[str]) -> bool:
        """True if the user was planned with this fingerprint and these keys still missing."""
        found = self._users.get(user_id)
        if found is None or found != _digest(fingerprint, missing):
            return False
        self._users.move_to_end(user_id)
        return True

    def remember(self, user_id: int, fingerprint: Fingerprint, missing: frozenset[str]) -> None:
        """Planning the user left ``missing`` unplanned, as of ``fingerprint``."""
        self._users[user_id] = _digest(fingerprint, missing)
        self._users.move_to_end(user_id)
        while len(self._users) > self._size:
            self._users.popitem(last=False)

    def keep_only(self, user_ids: Set[int]) -> None:
        """Forget users the scan no longer sees."""
        for user_id in [u for u in self._users if u not in user_ids]:
            del self._users[user_id]


def _digest(fingerprint: Fingerprint, missing: frozenset[str]) -> int:
    # 64 bits of BLAKE2 over the reprs (every part is a value with a stable repr; sets sorted):
    # a false "unchanged" needs a collision between two states of one user, about 2**-64.
    text = repr((fingerprint, sorted(missing))).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def scan(
    make_uow: MakeUow,
    now: datetime,
    *,
    batch_users: int = BATCH_USERS,
    memo: ScanMemo | None = None,
) -> ScanReport:
    """Plan what is due at ``now`` (aware) and enqueue it; safe to run anywhere, any number of
    times: every message has one key, and a key is enqueued once. Pass the process's ``memo``
    to skip users nothing changed for since a scan found nothing new for them.

    The window's rows are streamed by user, a batch of users at a time; reading and planning
    take no write lock, and each batch's writes are one short transaction."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    now = now.astimezone(UTC)
    tally = _Tally()
    with make_uow() as reader:
        _read_only(reader)
        grace = reader.debts.max_grace_days()
        start, end = scan_window(now, max_overdue_days=OVERDUE_OCCASIONS[-1] + grace)
        statement = InstallmentRepository.due_for_scan_query(start, end)
        rows = _session(reader).exec(statement.execution_options(yield_per=STREAM_ROWS))
        stream = _Stream()
        for batch in stream.batches(rows, now, batch_users):
            _scan_batch(make_uow, batch, now, memo, tally)
            release_memory()  # what the batch freed, back to the system (jobs.housekeeping)
        reader.commit()  # nothing written: ends the read
    return ScanReport(
        enqueued=tally.enqueued,
        skipped=tally.skipped,
        superseded=tally.superseded,
        users=stream.users + stream.broken,
        planned=tally.planned,
        remembered=tally.remembered,
        installments=stream.rows,
        errors=tally.errors + stream.broken,
    )


def _session(uow: UnitOfWork) -> Session:
    if not isinstance(uow, SqlUnitOfWork):
        raise TypeError("the scan needs a SqlUnitOfWork")
    return uow.session


def _read_only(uow: UnitOfWork) -> None:
    read_only(_session(uow))


def _scan_batch(
    make_uow: MakeUow,
    groups: Sequence[_UserDue],
    now: datetime,
    memo: ScanMemo | None,
    tally: _Tally,
) -> None:
    """Skip the users with nothing new, plan the others (reading only), enqueue what is due."""
    with make_uow() as uow:
        _read_only(uow)
        possible = {g.user_id: _possible_keys(g, now) for g in groups}
        existing = uow.outbox.existing_keys(k for keys in possible.values() for k in keys)
        missing = {u: frozenset(keys - existing) for u, keys in possible.items()}
        waiting = [g for g in groups if missing[g.user_id]]
        prints = _fingerprints(uow, waiting) if memo is not None and waiting else {}
        todo = []
        for g in groups:
            user_id = g.user_id
            if not missing[user_id]:
                tally.skipped += len(possible[user_id])
            elif memo is not None and memo.unchanged(user_id, prints[user_id], missing[user_id]):
                tally.skipped += len(possible[user_id]) - len(missing[user_id])
                tally.remembered += 1
            else:
                todo.append(g)  # its intents are counted when enqueued
        if not todo:
            uow.commit()
            return
        intents, planned = _plan_batch(uow, todo, now, tally)
        uow.commit()  # nothing written: ends the read
    created = _enqueue(make_uow, todo, intents, existing, tally)
    if memo is not None:
        by_user: dict[int, set[str]] = {user_id: set() for user_id in planned}
        for intent in intents:
            if intent.key in created and intent.user_id in by_user:
                by_user[intent.user_id].add(intent.key)
        for user_id, keys in by_user.items():
            memo.remember(user_id, prints[user_id], missing[user_id] - keys)


def _fingerprints(uow: UnitOfWork, groups: Sequence[_UserDue]) -> dict[int, Fingerprint]:
    """For each user, what planning reads that can change (see ``ScanMemo``)."""
    user_ids = [g.user_id for g in groups]
    payments = uow.payments.summary_by_user(user_ids)
    budgets = uow.budgets.latest_ids(user_ids)
    hardship = uow.hardship.latest_ids(user_ids)
    return {
        g.user_id: (
            g.today,
            g.prefs,
            g.user.updated_at,
            tuple(sorted((i, d.updated_at, d.status) for i, d in g.debts.items())),
            tuple(
                sorted(
                    (i.id or 0, i.plan_version_id, i.due_date, i.total_minor)
                    for i in g.installments
                )
            ),
            payments.get(g.user_id),
            budgets.get(g.user_id),
            hardship.get(g.user_id),
        )
        for g in groups
    }


@dataclass(slots=True)
class _Stream:
    """The scan query's rows grouped by user (the query orders them by user), counted."""

    users: int = 0
    rows: int = 0
    broken: int = 0  # users left out for unusable settings (logged)

    def batches(
        self, rows: Iterable[tuple[Installment, Debt, User]], now: datetime, size: int
    ) -> Iterator[list[_UserDue]]:
        batch: list[_UserDue] = []
        current: _UserDue | None = None
        skipping: int | None = None
        for installment, debt, user in rows:
            self.rows += 1
            user_id = installment.user_id
            if user_id == skipping:
                continue
            if current is None or current.user_id != user_id:
                if len(batch) >= size:
                    yield batch
                    batch = []
                try:
                    prefs = ReminderPrefs.from_settings(
                        **{f: getattr(user, f) for f in SETTING_FIELDS}
                    )
                except (ValueError, InvalidReminderSetting):  # stored before a check, or edited
                    logger.exception("user %s: unusable reminder settings, skipped", user_id)
                    self.broken += 1
                    skipping, current = user_id, None
                    continue
                current = _UserDue(user, prefs, local_today(now, prefs.timezone))
                batch.append(current)
                self.users += 1
            current.debts[installment.debt_id] = debt
            current.installments.append(installment)
        if batch:
            yield batch


def _possible_keys(g: _UserDue, now: datetime) -> set[str]:
    """Every key the planners could produce for the user now, whatever the ledger says."""
    facts = [_unpaid(i, g.debts[i.debt_id]) for i in g.installments]
    keys = {intent.key for intent in plan_due_and_overdue(g.user_id, facts, g.prefs, now)}
    for f in facts:
        if 0 <= (f.due_date - g.today).days <= RISK_LEAD_DAYS:
            risk = plan_risk(g.user_id, f, _ALARM, g.prefs, now)
            if risk is not None:
                keys.add(risk.key)
    digest = plan_digest(g.user_id, g.prefs, [], _SOMETHING, now)
    if digest is not None:
        keys.add(digest.key)
    return keys


def _unpaid(installment: Installment, debt: Debt) -> InstallmentFacts:
    assert installment.id is not None
    return InstallmentFacts(
        installment_id=installment.id,
        debt_id=installment.debt_id,
        debt_name=debt.name,
        currency=debt.currency,
        due_date=installment.due_date,
        remaining=from_minor(installment.total_minor, debt.currency) or Decimal(1),
        status=Status.UPCOMING,
        grace_days=debt.grace_days,
        tracked_since=debt.created_at,
    )


def _plan_batch(
    uow: UnitOfWork, batch: Sequence[_UserDue], now: datetime, tally: _Tally
) -> tuple[list[Intent], list[int]]:
    """Plan a batch of users (reads only); returns the intents and the users planned."""
    ledgers = _Ledgers.load(uow, batch)
    intents: list[Intent] = []
    planned: list[int] = []
    for g in batch:
        try:
            intents.extend(_plan_user(uow, g, ledgers, now))
        except Exception:  # one user's broken data must not stop everyone's reminders
            logger.exception("user %s: planning failed, skipped", g.user_id)
            tally.errors += 1
        else:
            tally.planned += 1
            planned.append(g.user_id)
    return intents, planned


def _enqueue(
    make_uow: MakeUow,
    batch: Sequence[_UserDue],
    intents: Sequence[Intent],
    existing: Set[str],
    tally: _Tally,
) -> Set[str]:
    """Write a batch's new intents in one short transaction; returns the keys created."""
    fresh = [i for i in intents if i.key not in existing]  # rows are never deleted
    tally.skipped += len(intents) - len(fresh)
    if not fresh:
        return frozenset()
    chats = {g.user_id: g.user.chat_id for g in batch}
    leads = {g.user_id: g.prefs.lead_days for g in batch}
    with make_uow() as uow:
        created = uow.outbox.enqueue_many(
            NewMessage(
                key=intent.key,
                user_id=intent.user_id,
                chat_id=chats[intent.user_id],
                kind=str(intent.kind),
                due_at=intent.send_at,
                expires_at=intent.expires_at,
                payload=_payload(intent),
                priority=intent.urgency,  # the sender claims the most urgent first
            )
            for intent in fresh
        )
        older = {
            key
            for intent in fresh
            if intent.key in created
            for key in _older_keys(intent, leads[intent.user_id])
        }
        superseded = uow.outbox.drop_pending_keys(older, reason="superseded")
        uow.commit()
    tally.enqueued += len(created)
    tally.skipped += len(fresh) - len(created)
    tally.superseded += superseded
    return created


def _payload(intent: Intent) -> dict[str, Any]:
    payload: dict[str, Any] = dict(intent.payload)
    if intent.installment_id is not None:
        payload["installment_id"] = intent.installment_id
    if intent.debt_id is not None:
        payload["debt_id"] = intent.debt_id
    return payload


def _older_keys(intent: Intent, leads: Sequence[int]) -> list[str]:
    """Keys of the earlier occasions of the same reminder, which a new occasion makes moot."""
    head, _, _ = intent.key.rpartition(":")
    if intent.kind is IntentKind.DUE:  # leads count down to the due day
        return [f"{head}:{lead}" for lead in leads if lead > intent.occasion]
    if intent.kind is IntentKind.OVERDUE:  # the day overdue was discovered may be any day
        return [f"{head}:{n}" for n in range(1, min(intent.occasion, OVERDUE_OCCASIONS[-1] + 1))]
    if intent.kind is IntentKind.DIGEST:  # digest:<user>:<YYYY>-W<ww>
        year, _, week = intent.key.rsplit(":", 1)[1].partition("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        earlier = (monday - timedelta(weeks=n) for n in (1, 2))
        return [f"{head}:{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in earlier]
    return []


@dataclass(frozen=True, slots=True)
class _Ledgers:
    """Each debt's position and payments, loaded for a batch of users in three queries; the
    position itself is ``tracker.services.debts.position_of``, as for one debt."""

    plans: dict[int, PlanVersion]
    installments: dict[int, list[Installment]]
    payments: dict[int, list[Payment]]

    @classmethod
    def load(cls, uow: UnitOfWork, batch: Sequence[_UserDue]) -> _Ledgers:
        debt_ids = [debt_id for g in batch for debt_id in g.debts]
        plans = uow.plans.active_for_debts(debt_ids)
        installments = uow.installments.for_plans(p.id for p in plans.values() if p.id)
        return cls(plans, installments, uow.payments.list_for_debts(debt_ids))

    def position(self, debt: Debt, today: date) -> Position:
        assert debt.id is not None
        plan = self.plans.get(debt.id)
        if plan is None or plan.id is None or not self.installments.get(plan.id):
            raise NotFound(f"debt {debt.id} has no active plan", code="plan_not_found")
        return position_of(debt, plan, self.installments[plan.id], self.payments_of(debt), today)

    def payments_of(self, debt: Debt) -> list[Payment]:
        assert debt.id is not None
        return [p for p in self.payments.get(debt.id, []) if p.user_id == debt.user_id]


def _plan_user(uow: UnitOfWork, g: _UserDue, ledgers: _Ledgers, now: datetime) -> list[Intent]:
    user_id, prefs, today = g.user_id, g.prefs, g.today
    positions = {debt_id: ledgers.position(debt, today) for debt_id, debt in g.debts.items()}
    ids = {(i.debt_id, i.seq): i.id for i in g.installments}
    facts: list[InstallmentFacts] = []
    for debt_id, pos in positions.items():
        for state in pos.state.installments:
            installment_id = ids.get((debt_id, state.number))
            if installment_id is None:
                continue  # outside the window
            facts.append(
                InstallmentFacts.from_state(
                    state,
                    installment_id=installment_id,
                    debt_id=debt_id,
                    debt_name=pos.debt.name,
                    currency=pos.debt.currency,
                    penalty_per_day=pos.state.penalty_per_day,
                    grace_days=pos.debt.grace_days,
                    tracked_since=pos.debt.created_at,
                )
            )
    intents = plan_due_and_overdue(user_id, facts, prefs, now)
    history: _History | None = None
    for f in facts:
        if not (f.is_open and 0 <= (f.due_date - today).days <= RISK_LEAD_DAYS):
            continue
        if plan_risk(user_id, f, _ALARM, prefs, now) is None:
            continue  # not the moment: spare the queries
        history = history or _History.load(uow, user_id, positions, ledgers, today, now)
        risk = plan_risk(user_id, f, assess_risk(history.inputs(f, today)), prefs, now)
        if risk is not None:
            intents.append(risk)
    if plan_digest(user_id, prefs, [], _SOMETHING, now) is not None:
        digest = plan_digest(user_id, prefs, facts, _progress(positions.values(), today), now)
        if digest is not None:
            intents.append(digest)
    return intents


def _progress(positions: Iterable[Position], today: date) -> list[Progress]:
    """Planned against paid for the installments due in ``today``'s month, per currency."""
    planned: dict[str, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for pos in positions:
        cur = pos.debt.currency
        for state in pos.state.installments:
            if (state.due_date.year, state.due_date.month) == (today.year, today.month):
                planned[cur] += state.scheduled
                paid[cur] += state.scheduled - state.remaining
    return [Progress(cur, planned[cur], paid[cur]) for cur in sorted(planned) if planned[cur] > 0]


@dataclass(frozen=True, slots=True)
class _History:
    """What risk needs beyond the installment: the user's budget and recent record."""

    positions: dict[int, Position]
    budget: tuple[str, Decimal] | None  # (currency, affordable a month)
    late: int
    partial: int
    hardship: int

    @classmethod
    def load(
        cls,
        uow: UnitOfWork,
        user_id: int,
        positions: dict[int, Position],
        ledgers: _Ledgers,
        today: date,
        now: datetime,
    ) -> _History:
        since = today - LATE_LOOKBACK
        late = sum(
            1
            for pos in positions.values()
            for s in pos.state.installments
            if s.settled_on is not None
            and since <= s.settled_on <= today
            and s.settled_on > s.due_date + timedelta(days=pos.debt.grace_days)
        )
        partial = sum(
            _partial_payments(pos, ledgers.payments_of(pos.debt), since, today)
            for pos in positions.values()
        )
        found = current_budget(uow, user_id=user_id, today=today)
        budget = None
        if found is not None:
            plan, _ = found
            budget = (
                plan.currency,
                assess(plan, _planned_in_month(positions, today, plan.currency)).affordable,
            )
        hardship = uow.hardship.count_since(user_id, now - HARDSHIP_LOOKBACK)
        return cls(positions, budget, late, partial, hardship)

    def inputs(self, f: InstallmentFacts, today: date) -> RiskInputs:
        monday, sunday = week_bounds(f.due_date)
        others = sum(
            (
                s.remaining
                for debt_id, pos in self.positions.items()
                if pos.debt.currency == f.currency
                for s in pos.state.installments
                if monday <= s.due_date <= sunday
                and s.remaining > 0
                and not (debt_id == f.debt_id and s.due_date == f.due_date)
            ),
            ZERO,
        )
        affordable = None
        if self.budget is not None and self.budget[0] == f.currency:
            affordable = self.budget[1]
        return RiskInputs(
            currency=f.currency,
            amount_due=f.remaining,
            due_date=f.due_date,
            days_until_due=(f.due_date - today).days,
            affordable=affordable,
            other_due_same_week=others,
            recent_late=self.late,
            recent_partial=self.partial,
            recent_hardship=self.hardship,
        )


def _partial_payments(pos: Position, payments: Sequence[Payment], since: date, today: date) -> int:
    """Payments since ``since`` smaller than the installment they went to first."""
    first: dict[object, int] = {}
    for allocation in pos.state.allocations:
        first.setdefault(allocation.payment_ref, allocation.installment)
    scheduled = {s.number: s.scheduled for s in pos.state.installments}
    return sum(
        1
        for p in payments
        if since <= p.paid_on <= today
        and p.id in first
        and from_minor(p.amount_minor, p.currency) < scheduled[first[p.id]]
    )


def _planned_in_month(positions: dict[int, Position], today: date, currency: str) -> Decimal:
    return sum(
        (
            row.payment
            for pos in positions.values()
            if pos.debt.currency == currency
            for row in pos.rows
            if (row.due_date.year, row.due_date.month) == (today.year, today.month)
        ),
        ZERO,
    )
