"""The user's data: export it (CSV for a spreadsheet, JSON for everything) or delete all of it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from sqlalchemy import delete
from sqlmodel import col

from tracker.money import from_minor, quantize
from tracker.services.debts import position
from tracker.services.plans import itemised
from tracker.storage.enums import PlanOrigin, StateNamespace
from tracker.storage.models import Base, Debt, User
from tracker.storage.uow import SqlUnitOfWork, UnitOfWork

#: Excel only reads a CSV as UTF-8 (and so shows Chinese) when it starts with a byte-order mark.
BOM = "\ufeff"

#: Bumped when the JSON layout changes incompatibly.
EXPORT_VERSION = 1

#: Hardship reports are few; this bounds the query the repository offers.
_ALL_REPORTS = 100_000

#: The CSV's words, English by default; the bot passes its translations under the same keys.
#: Installment statuses are keyed ``status.<value>``, payment sources ``source.<value>``.
CSV_LABELS: dict[str, str] = {
    "installments": "Installments",
    "payments": "Payments",
    "debt": "Debt",
    "number": "#",
    "due_date": "Due date",
    "payment": "Payment",
    "interest": "Interest",
    "fee": "Fee",
    #: An agreed plan typed as amounts says only what each installment is (services.plans).
    "cost": "Interest and fees, not itemised",
    "principal": "Principal",
    "currency": "Currency",
    "status": "Status",
    "paid": "Paid",
    "date": "Date",
    "amount": "Amount",
    "source": "Source",
    "undone": "Undone",
    "note": "Note",
    "yes": "yes",
    #: An installment paid before the debt was tracked here (issue 9): no payment record.
    "status.paid_before_tracking": "paid before tracking",
}

#: Spreadsheets run a cell starting with these as a formula: user text must not do that.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(value: str | None) -> str:
    text = value or ""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


@dataclass(frozen=True, slots=True)
class Export:
    """The two export files."""

    csv: bytes
    json: bytes


def export(
    uow: UnitOfWork,
    *,
    user_id: int,
    today: date,
    now: datetime,
    labels: Mapping[str, str] | None = None,
) -> Export:
    """The CSV for a spreadsheet and the JSON with everything."""
    return Export(
        export_csv(uow, user_id=user_id, today=today, labels=labels),
        export_json(uow, user_id=user_id, now=now),
    )


def export_csv(
    uow: UnitOfWork, *, user_id: int, today: date, labels: Mapping[str, str] | None = None
) -> bytes:
    """Installments of every active plan, with their status today, then every payment.

    UTF-8 with a byte-order mark; amounts are plain decimal numbers with a currency column.
    An agreed plan typed as amounts never split its cost above principal into interest and
    fees: its rows leave both empty and put that cost in its own column, never under "fee".
    """
    words = {**CSV_LABELS, **(labels or {})}

    def word(key: str) -> str:
        return words.get(key, key.rpartition(".")[2])

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([word("installments")])
    writer.writerow(
        [
            word(key)
            for key in (
                "debt",
                "number",
                "due_date",
                "payment",
                "interest",
                "fee",
                "cost",
                "principal",
                "currency",
                "status",
                "paid",
            )
        ]
    )
    debts = uow.debts.list_for_user(user_id)
    for debt in debts:
        debt_id = _id(debt)
        plan = uow.plans.active_for_debt(debt_id)
        if plan is None:
            continue
        split = itemised(debt, plan)
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=today)
        states = {item.number: item for item in pos.state.installments}
        for row in pos.rows:
            state = states.get(row.number)
            cur = debt.currency
            status = ""
            if state is not None:
                status = word(
                    "status.paid_before_tracking"
                    if state.before_tracking
                    else f"status.{state.status.value}"
                )
            writer.writerow(
                [
                    _text_cell(debt.name),
                    row.number,
                    row.due_date.isoformat(),
                    quantize(row.payment, cur),
                    *(
                        (quantize(row.interest, cur), quantize(row.fee, cur), "")
                        if split
                        else ("", "", quantize(row.interest + row.fee, cur))
                    ),
                    quantize(row.principal, cur),
                    cur,
                    status,
                    quantize(state.paid, cur) if state else "",
                ]
            )
    writer.writerow([])
    writer.writerow([word("payments")])
    writer.writerow(
        [word(key) for key in ("date", "debt", "amount", "currency", "source", "undone", "note")]
    )
    names = {_id(debt): debt.name for debt in debts}
    payments = [
        payment
        for debt in debts
        for payment in uow.payments.list_for_debt(user_id, _id(debt), include_undone=True)
    ]
    payments.sort(key=lambda p: (p.paid_on, p.recorded_at, p.id or 0))
    for payment in payments:
        writer.writerow(
            [
                payment.paid_on.isoformat(),
                _text_cell(names[payment.debt_id]),
                from_minor(payment.amount_minor, payment.currency),
                payment.currency,
                word(f"source.{payment.source.value}"),
                word("yes") if payment.undone_at is not None else "",
                _text_cell(payment.note),
            ]
        )
    return (BOM + buffer.getvalue()).encode("utf-8")


def export_json(uow: UnitOfWork, *, user_id: int, now: datetime) -> bytes:
    """Everything stored about the user, as UTF-8 JSON.

    Money is a decimal string (``"1234.50"``) next to its ``currency``; rates are decimal
    strings too, so no number passes through a float. Dates and times are ISO 8601, UTC for
    moments in time.
    """
    user = uow.users.get(user_id)
    if user is None:
        raise LookupError(f"user {user_id} does not exist")
    debts = []
    for debt in uow.debts.list_for_user(user_id):
        debt_id = _id(debt)
        plans = []
        for plan in uow.plans.list_for_debt(debt_id):
            assert plan.id is not None  # loaded from the database
            entry = _row(plan, debt.currency)
            # Installments 1..N of the original plan were paid before tracking (issue 9).
            before = debt.paid_before_tracking if plan.origin is PlanOrigin.ORIGINAL else 0
            entry["installments"] = [
                _row(item, debt.currency) | {"paid_before_tracking": item.seq <= before}
                for item in uow.installments.for_plan(plan.id)
            ]
            plans.append(entry)
        entry = _row(debt, debt.currency)
        entry["plan_versions"] = plans
        entry["payments"] = [
            _row(payment, payment.currency)
            for payment in uow.payments.list_for_debt(user_id, debt_id, include_undone=True)
        ]
        debts.append(entry)
    reports = uow.hardship.recent_for_user(user_id, limit=_ALL_REPORTS)
    document = {
        "format": "repaybot-export",
        "version": EXPORT_VERSION,
        "exported_at": now.isoformat(),
        "user": _row(user, user.currency),
        "budgets": [_row(b, b.currency) for b in uow.budgets.history_for_user(user_id)],
        "hardship_reports": [_row(r, r.currency) for r in reversed(reports)],
        "debts": debts,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _row(row: Base, currency: str) -> dict[str, Any]:
    """A stored row as JSON values; ``*_minor`` columns become decimal strings of ``currency``."""
    out: dict[str, Any] = {}
    has_money = False
    for column in row.__table__.columns:  # type: ignore[attr-defined]
        name = str(column.key)
        value = getattr(row, name)
        if name.endswith("_minor"):
            has_money = True
            name = name.removesuffix("_minor")
            value = None if value is None else str(from_minor(value, currency))
        out[name] = _json_value(value)
    if has_money:
        out.setdefault("currency", currency)
    return out


def _json_value(value: object) -> object:
    """A column value as JSON: never a float."""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Deletion:
    """What deleting a user removed."""

    debts: int
    payments: int
    budgets: int
    state_rows: int


class Outcome(StrEnum):
    """What a confirmed "delete everything" did."""

    DELETED = "deleted"  # the user and all of theirs
    NOTHING_LEFT = "nothing_left"  # already deleted (a second tap): nothing of theirs remains
    STALE = "stale"  # the confirmation was for data deleted before; newer data was kept


def delete_confirmed(uow: SqlUnitOfWork, *, user: User, confirmed_for: int) -> Outcome:
    """Delete the user's data after they confirmed; ``confirmed_for`` is the user id shown then.

    Ids are never reused, so a different id means the data they confirmed is gone already and
    ``user`` was created since: if only for this very tap (it holds nothing), it is removed too;
    data they stored since is not deleted by an old confirmation.
    """
    user_id = _id(user)
    if user_id == confirmed_for:
        delete_user_data(uow, user=user)
        return Outcome.DELETED
    if has_data(uow, user_id=user_id):
        return Outcome.STALE
    delete_user_data(uow, user=user)
    return Outcome.NOTHING_LEFT


def has_data(uow: UnitOfWork, *, user_id: int) -> bool:
    """Whether the user stored anything beyond their settings."""
    return bool(
        uow.debts.list_for_user(user_id)
        or uow.budgets.latest_for_user(user_id) is not None
        or uow.hardship.recent_for_user(user_id, limit=1)
    )


def delete_user_data(uow: SqlUnitOfWork, *, user: User) -> Deletion:
    """Delete the user and everything of theirs; the caller commits.

    The database removes the rows that refer to the user (debts, plans, installments,
    payments, budgets, hardship reports, outbox) through ON DELETE CASCADE; the updates they sent
    are deleted from the inbox by their Telegram id. The bot's state
    rows name the user only inside their key, so they are deleted here: user_data under the
    Telegram user id, conversations under ``<name>|<JSON list of chat and user ids>``.
    """
    user_id = _id(user)
    debts = uow.debts.list_for_user(user_id)
    payments = sum(
        len(uow.payments.list_for_debt(user_id, _id(debt), include_undone=True)) for debt in debts
    )
    budgets = len(uow.budgets.history_for_user(user_id))
    ids = {user.telegram_user_id, user.chat_id}
    state_rows = int(uow.bot_state.delete(StateNamespace.USER_DATA, str(user.telegram_user_id)))
    for key in uow.bot_state.all_in(StateNamespace.CONVERSATIONS):
        if ids & _conversation_ids(key):
            state_rows += int(uow.bot_state.delete(StateNamespace.CONVERSATIONS, key))
    uow.inbox.forget_user(user.telegram_user_id)  # the messages as received hold their words
    uow.session.exec(delete(User).where(col(User.id) == user_id))
    uow.session.flush()
    return Deletion(len(debts), payments, budgets, state_rows)


def _conversation_ids(key: str) -> set[int]:
    """The chat and user ids in a persisted conversation key (empty if it is not one)."""
    _name, sep, rest = key.partition("|")
    if not sep:
        return set()
    try:
        parts = json.loads(rest)
    except ValueError:
        return set()
    if not isinstance(parts, list):
        return set()
    return {part for part in parts if isinstance(part, int) and not isinstance(part, bool)}


def _id(row: Debt | User) -> int:
    if row.id is None:  # only unsaved objects lack an id: a programming error
        raise RuntimeError(f"{type(row).__name__} has not been saved")
    return row.id
