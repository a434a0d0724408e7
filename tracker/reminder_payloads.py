"""The JSON payloads of reminder outbox rows, typed: built by ``tracker.reminders``, read back by
the renderer (``bot.reminder_render``) with ``parse``.

Built from Python values (``Decimal``, ``date``). On the wire amounts are decimal strings
(``"917.99"``), dates ISO strings, counts integers; a value of another JSON type is refused
(``"3"`` is not a count, ``917.99`` not an amount), as is a blank text, a negative or non-finite
amount or a currency that is not three ASCII letters. Keys a model does not name are ignored (a
refreshed row carries ``as_of``, a "later" row ``kind`` and ``original_at``). Rows stored before
these models existed have the same shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    StrictInt,
    ValidationError,
)


class UnreadablePayload(ValueError):
    """A payload that is not what its kind promises."""


def text(value: object) -> str:
    """A non-blank string, as it is."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("not a text")
    return value


def _amount(value: object) -> Decimal:
    # A Decimal comes from the builder; JSON has strings (and numbers, refused: floats round).
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValueError("not a number") from None
    else:
        raise ValueError("not a decimal string")
    if not amount.is_finite() or amount < 0:
        raise ValueError("not an amount")
    return amount


def _iso_date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):  # from the builder
        return value
    try:
        return date.fromisoformat(text(value))
    except ValueError:
        raise ValueError("not an ISO date") from None


def _iso_time(value: object) -> datetime:
    if isinstance(value, datetime):  # from the builder
        return value
    try:
        return datetime.fromisoformat(text(value))
    except ValueError:
        raise ValueError("not an ISO time") from None


def _currency(value: object) -> str:
    code = text(value)
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError("not a currency code")
    return code.upper()


#: A non-negative amount, a decimal string on the wire (as many decimals as it has).
Amount = Annotated[
    Decimal, PlainValidator(_amount), PlainSerializer(lambda d: f"{d:f}", return_type=str)
]
IsoDate = Annotated[
    date, PlainValidator(_iso_date), PlainSerializer(lambda d: d.isoformat(), return_type=str)
]
IsoTime = Annotated[
    datetime, PlainValidator(_iso_time), PlainSerializer(lambda t: t.isoformat(), return_type=str)
]
Text = Annotated[str, PlainValidator(text)]
#: An ISO 4217 code, upper-cased when read.
Currency = Annotated[str, PlainValidator(_currency)]


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    def wire(self) -> dict[str, Any]:
        """The JSON-friendly dict stored in the outbox (unset optional facts left out)."""
        return self.model_dump(mode="json", exclude_none=True)


class InstallmentPayload(_Payload):
    """The installment facts every installment payload carries (and each digest line)."""

    installment_id: StrictInt
    debt_id: StrictInt  # carried for the buttons' handlers
    debt_name: Text
    currency: Currency
    due_date: IsoDate
    remaining: Amount


class DuePayload(InstallmentPayload):
    """A due reminder ``lead_days`` before the due date."""

    lead_days: StrictInt


class OverduePayload(InstallmentPayload):
    """An overdue alert: days overdue and penalty as of the row's ``as_of`` day."""

    days_overdue: StrictInt
    grace_days: StrictInt | None = None
    penalty_accrued: Amount
    penalty_per_day: Amount


class RiskReason(_Payload):
    """One cause of risk: its code and the code's parameters (read with ``parse``)."""

    code: Text
    params: dict[str, Any] = {}


class AffordableParams(_Payload):
    """``due_exceeds_affordable``: what the budget leaves for debts in a month."""

    affordable: Amount


class CrowdedWeekParams(_Payload):
    """``crowded_week``: the week's installments together, and the budget."""

    week_total: Amount
    affordable: Amount


class CountParams(_Payload):
    """``recent_late`` / ``recent_partial``: how many in the last 90 days."""

    count: StrictInt


class RiskPayload(InstallmentPayload):
    """An early warning before a payment that may be hard to make."""

    score: StrictInt | None = None
    level: str | None = None
    reasons: list[RiskReason] = []


class DigestOverdue(InstallmentPayload):
    """An overdue line of the weekly digest."""

    days_overdue: StrictInt
    penalty_accrued: Amount


class ProgressPayload(_Payload):
    """Planned against paid this month in one currency."""

    currency: Currency
    planned: Amount
    paid: Amount
    behind: Amount


class DigestPayload(_Payload):
    """The weekly digest."""

    week: Text
    upcoming: list[InstallmentPayload] = []
    overdue: list[DigestOverdue] = []
    upcoming_totals: dict[Currency, Amount] = {}
    progress: list[ProgressPayload] = []
    on_time_streak: StrictInt | None = None


class Refreshed(_Payload):
    """Any row brought up to date by the sender: the local day its facts are for."""

    as_of: IsoDate | None = None


class LaterPayload(_Payload):
    """A "remind me later" row: the kind it re-sends and when that was first due to go out."""

    kind: Text
    original_at: IsoTime | None = None


M = TypeVar("M", bound=BaseModel)


def load(raw: str) -> dict[str, Any]:
    """The JSON object stored in an outbox row."""
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError:
        raise UnreadablePayload("the payload is not JSON") from None
    if not isinstance(payload, dict):
        raise UnreadablePayload("the payload is not an object")
    return payload


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """``data`` read as ``model``; UnreadablePayload names the first thing wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the payload"
        raise UnreadablePayload(f"{where!r}: {first['msg']}") from None
