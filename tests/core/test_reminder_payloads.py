"""Typed reminder payloads: the planners write the JSON they always wrote, and rows stored in
that shape (before the models existed) read back into the same facts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.core.test_reminders import DUE, SHANGHAI, USER, assessment, facts, overdue, plan, utc
from tracker.ledger import Status
from tracker.reminder_payloads import (
    CountParams,
    CrowdedWeekParams,
    DigestPayload,
    DuePayload,
    InstallmentPayload,
    LaterPayload,
    OverduePayload,
    Refreshed,
    RiskPayload,
    UnreadablePayload,
    load,
    parse,
)
from tracker.reminders import Progress, plan_digest, plan_risk

D = Decimal

#: The JSON the hand-built dicts produced before the models (``json.dumps``, key order kept).
OLD_DUE = (
    '{"installment_id": 11, "debt_id": 5, "debt_name": "金条", "currency": "CNY", '
    '"due_date": "2025-03-10", "remaining": "1050.00", "lead_days": 3}'
)
OLD_OVERDUE = (
    '{"installment_id": 11, "debt_id": 5, "debt_name": "金条", "currency": "CNY", '
    '"due_date": "2025-03-10", "remaining": "1050.00", "days_overdue": 1, "grace_days": 0, '
    '"penalty_accrued": "0.55", "penalty_per_day": "0.55"}'
)
OLD_RISK = (
    '{"installment_id": 11, "debt_id": 5, "debt_name": "金条", "currency": "CNY", '
    '"due_date": "2025-03-10", "remaining": "1050.00", "score": 55, "level": "high", '
    '"reasons": [{"code": "due_exceeds_affordable", '
    '"params": {"due": "1050.00", "affordable": "800.00"}}]}'
)
OLD_DIGEST = (
    '{"week": "2025-W11", '
    '"upcoming": [{"installment_id": 11, "debt_id": 5, "debt_name": "金条", "currency": "CNY", '
    '"due_date": "2025-03-10", "remaining": "1050.00"}, '
    '{"installment_id": 12, "debt_id": 5, "debt_name": "金条", "currency": "CNY", '
    '"due_date": "2025-04-09", "remaining": "100.00"}], '
    '"overdue": [{"installment_id": 14, "debt_id": 5, "debt_name": "金条", "currency": "CNY", '
    '"due_date": "2025-02-10", "remaining": "1050.00", "days_overdue": 28, '
    '"penalty_accrued": "12.30"}], '
    '"upcoming_totals": {"CNY": "1150.00"}, '
    '"progress": [{"currency": "CNY", "planned": "2100.00", "paid": "1050.00", '
    '"behind": "1050.00"}]}'
)


def wire(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


def test_due_and_overdue_payloads_are_the_json_they_always_were() -> None:
    [due] = plan(utc(2025, 3, 7, 1))
    assert wire(due.payload) == OLD_DUE
    [alert] = plan(utc(2025, 3, 11, 3), overdue())
    assert wire(alert.payload) == OLD_OVERDUE


def test_risk_payload_is_the_json_it_always_was() -> None:
    high = assessment()
    intent = plan_risk(USER, facts(), high, SHANGHAI, utc(2025, 3, 5, 1))
    assert intent is not None
    expected = json.loads(OLD_RISK) | {"score": high.score}  # the score is the assessment's
    assert wire(intent.payload) == wire(expected)


def test_digest_payload_is_the_json_it_always_was() -> None:
    items = [
        facts(),
        facts(installment_id=12, due_date=date(2025, 4, 9), remaining=D(100)),
        facts(installment_id=14, due_date=date(2025, 2, 10), status=Status.OVERDUE,
              days_overdue=28, penalty_accrued=D("12.3")),
    ]  # fmt: skip
    progress = [Progress("CNY", planned=D(2100), paid=D(1050))]
    intent = plan_digest(USER, SHANGHAI, items, progress, utc(2025, 3, 10, 1))
    assert intent is not None
    assert wire(intent.payload) == OLD_DIGEST


def test_rows_stored_in_the_old_shape_read_back() -> None:
    due = parse(DuePayload, load(OLD_DUE))
    assert (due.installment_id, due.debt_id, due.debt_name) == (11, 5, "金条")
    assert (due.currency, due.due_date, due.remaining, due.lead_days) == (
        "CNY",
        DUE,
        D("1050.00"),
        3,
    )
    alert = parse(OverduePayload, load(OLD_OVERDUE))
    assert (alert.days_overdue, alert.grace_days) == (1, 0)
    assert (alert.penalty_accrued, alert.penalty_per_day) == (D("0.55"), D("0.55"))
    risk = parse(RiskPayload, load(OLD_RISK))
    assert [(r.code, r.params) for r in risk.reasons] == [
        ("due_exceeds_affordable", {"due": "1050.00", "affordable": "800.00"})
    ]
    digest = parse(DigestPayload, load(OLD_DIGEST))
    assert [i.installment_id for i in digest.upcoming] == [11, 12]
    assert [(i.installment_id, i.penalty_accrued) for i in digest.overdue] == [(14, D("12.30"))]
    assert digest.upcoming_totals == {"CNY": D("1150.00")}
    assert [(p.planned, p.paid, p.behind) for p in digest.progress] == [
        (D("2100.00"), D("1050.00"), D("1050.00"))
    ]
    assert digest.on_time_streak is None


def test_a_parsed_payload_writes_the_same_json_again() -> None:
    for model, raw in (
        (DuePayload, OLD_DUE),
        (OverduePayload, OLD_OVERDUE),
        (RiskPayload, OLD_RISK),
        (DigestPayload, OLD_DIGEST),
    ):
        assert wire(parse(model, load(raw)).wire()) == raw


def test_what_later_and_refreshed_rows_carry() -> None:
    later = load(OLD_DUE)
    later |= {"kind": "due", "original_at": "2025-03-07T01:00:00+00:00", "as_of": "2025-03-08"}
    resend = parse(LaterPayload, later)
    assert resend.kind == "due"
    assert resend.original_at == datetime(2025, 3, 7, 1, tzinfo=UTC)
    assert parse(Refreshed, later).as_of == date(2025, 3, 8)
    assert parse(Refreshed, load(OLD_DUE)).as_of is None
    assert parse(DuePayload, later) == parse(DuePayload, load(OLD_DUE))  # extra keys ignored


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"remaining": 1050}, "remaining"),  # a JSON number, not a decimal string
        ({"remaining": "-1"}, "remaining"),
        ({"remaining": "Infinity"}, "remaining"),
        ({"installment_id": True}, "installment_id"),
        ({"installment_id": "11"}, "installment_id"),
        ({"debt_name": "  "}, "debt_name"),
        ({"currency": "CN"}, "currency"),
        ({"due_date": "10/03/2025"}, "due_date"),
        ({"due_date": None}, "due_date"),
    ],
)
def test_a_wrong_value_is_refused_and_named(change: dict[str, Any], where: str) -> None:
    with pytest.raises(UnreadablePayload, match=where):
        parse(InstallmentPayload, load(OLD_DUE) | change)


def test_a_missing_fact_is_refused() -> None:
    payload = load(OLD_DUE)
    del payload["debt_id"]
    with pytest.raises(UnreadablePayload, match="debt_id"):
        parse(InstallmentPayload, payload)


def test_load_refuses_what_is_not_a_json_object() -> None:
    for raw in ("not json", "[1, 2]", '"text"'):
        with pytest.raises(UnreadablePayload):
            load(raw)


def test_currency_is_read_upper_case_and_reason_params_are_typed() -> None:
    assert parse(InstallmentPayload, load(OLD_DUE) | {"currency": "cny"}).currency == "CNY"
    crowded = parse(CrowdedWeekParams, {"week_total": "1500.00", "affordable": "1200.00"})
    assert (crowded.week_total, crowded.affordable) == (D("1500.00"), D("1200.00"))
    with pytest.raises(UnreadablePayload, match="count"):
        parse(CountParams, {"count": "2"})
