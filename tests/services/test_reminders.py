"""Reminder services: settings and what they cancel, the buttons under a reminder, "later"."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from tracker.errors import NotFound
from tracker.rates import ZERO_RATE
from tracker.reminders import InvalidReminderSetting, ReminderPrefs
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt
from tracker.services.payments import record_payment
from tracker.services.reminders import (
    AlreadyPaid,
    ReminderChange,
    change_reminders,
    later_time,
    note_cant_pay,
    pay_in_full,
    pay_part,
    remind_later,
    reminded_debt,
    reminder_prefs,
    standing,
)
from tracker.storage.enums import HardshipKind, OutboxStatus, PaymentSource, ReportSource
from tracker.storage.models import HardshipReport, Installment, Outbox, Payment, User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
MakeUow = Callable[[], SqlUnitOfWork]
SHANGHAI = timedelta(hours=8)  # Asia/Shanghai has no daylight saving time
#: 2026-12-12 09:00 in Shanghai: three days before the first installment is due.
NOW = datetime(2026, 12, 12, 9, tzinfo=UTC) - SHANGHAI
TODAY = date(2026, 12, 12)
FIRST_DUE = date(2026, 12, 15)
#: ¥1,200 at no interest over 12 equal installments: ¥100 each.
PRINCIPAL, TERM = D(1200), 12
EACH = PRINCIPAL / TERM


def new_user(uow: SqlUnitOfWork, telegram_id: int) -> int:
    user = uow.users.add(User(telegram_user_id=telegram_id, chat_id=telegram_id * 10))
    assert user.id is not None
    return user.id


def new_debt(uow: SqlUnitOfWork, user_id: int) -> tuple[int, list[int]]:
    """A zero-interest debt; its id and its installments' ids in order."""
    terms = LoanTerms(
        principal=PRINCIPAL,
        rate=ZERO_RATE,
        term=TERM,
        method=Method.EQUAL_PRINCIPAL,
        first_due=FIRST_DUE,
        start_date=date(2026, 11, 15),
    )
    debt, _ = add_debt(
        uow, user_id=user_id, spec=DebtSpec(name="金条", terms=terms), now=NOW - timedelta(days=20)
    )
    assert debt.id is not None
    rows = uow.session.exec(
        select(Installment)
        .where(col(Installment.debt_id) == debt.id)
        .order_by(col(Installment.seq))
    ).all()
    return debt.id, [i.id for i in rows if i.id is not None]


@pytest.fixture
def given(uow: SqlUnitOfWork) -> Any:
    """Inside an open unit of work: a user with a debt; another user with one."""
    with uow:
        user_id = new_user(uow, 1)
        debt_id, installments = new_debt(uow, user_id)
        other_id = new_user(uow, 2)
        _, other_installments = new_debt(uow, other_id)
        yield user_id, debt_id, installments, other_id, other_installments


def enqueue(
    uow: SqlUnitOfWork, key: str, user_id: int, kind: str, payload: Any, due_at: datetime = NOW
) -> int:
    uow.outbox.enqueue(
        key, user_id=user_id, chat_id=user_id, kind=kind, due_at=due_at, payload=payload
    )
    row = uow.outbox.get_by_key(key)
    assert row is not None
    assert row.id is not None
    return row.id


def statuses(uow: SqlUnitOfWork) -> dict[str, OutboxStatus]:
    uow.session.expire_all()
    return {r.key: r.status for r in uow.session.exec(select(Outbox)).all()}


def payments_of(uow: SqlUnitOfWork, debt_id: int) -> list[tuple[int, str, date, PaymentSource]]:
    rows = uow.session.exec(
        select(Payment).where(col(Payment.debt_id) == debt_id).order_by(col(Payment.id))
    ).all()
    return [(p.amount_minor, p.idempotency_key, p.paid_on, p.source) for p in rows]


# ---- settings --------------------------------------------------------------------------------


def test_a_new_users_settings_are_the_stored_defaults(given: Any, uow: SqlUnitOfWork) -> None:
    user_id = given[0]
    prefs = reminder_prefs(uow, user_id=user_id)
    assert prefs == ReminderPrefs(
        timezone="Asia/Shanghai",
        enabled=True,
        lead_days=(3, 1, 0),
        at=time(9),
        quiet_start=time(22),
        quiet_end=time(8),
        digest_enabled=True,
        digest_weekday=0,
        digest_time=time(9),
    )


def test_a_change_is_written_in_order_without_repeats(given: Any, uow: SqlUnitOfWork) -> None:
    user_id = given[0]
    change = ReminderChange(lead_days=(1, 5, 1, 0), at=time(20, 30), clear_quiet=True)
    prefs = change_reminders(uow, user_id=user_id, change=change)
    assert (prefs.lead_days, prefs.at, prefs.quiet) == ((5, 1, 0), time(20, 30), None)
    user = uow.users.get(user_id)
    assert user is not None
    assert (user.reminder_lead_days, user.reminder_time) == ("5,1,0", time(20, 30))
    assert (user.quiet_start, user.quiet_end) == (None, None)


def test_an_unusable_change_is_refused(given: Any, uow: SqlUnitOfWork) -> None:
    with pytest.raises(InvalidReminderSetting) as error:
        change_reminders(uow, user_id=given[0], change=ReminderChange(lead_days=(31,)))
    assert error.value.code == "reminder_days_range"


def test_turning_reminders_off_cancels_the_users_pending_reminders_only(
    given: Any, uow: SqlUnitOfWork
) -> None:
    user_id, other_id = given[0], given[3]
    mine = ["due:1:3", "overdue:1:1", "risk:1", "later:1:7", "digest:2026-12-14"]
    for key in mine:
        enqueue(uow, key, user_id, key.split(":")[0], {})
    enqueue(uow, "due:9:3", other_id, "due", {})
    change_reminders(uow, user_id=user_id, change=ReminderChange(enabled=False))
    found = statuses(uow)
    assert [found[k] for k in mine[:4]] == [OutboxStatus.DROPPED] * 4
    assert found["digest:2026-12-14"] is OutboxStatus.PENDING  # the summary has its own switch
    assert found["due:9:3"] is OutboxStatus.PENDING

    change_reminders(uow, user_id=user_id, change=ReminderChange(digest_enabled=False))
    assert statuses(uow)["digest:2026-12-14"] is OutboxStatus.DROPPED
    assert statuses(uow)["due:9:3"] is OutboxStatus.PENDING


# ---- Paid in full ----------------------------------------------------------------------------


def test_paid_in_full_records_the_installment_once_and_drops_its_later(
    given: Any, uow: SqlUnitOfWork
) -> None:
    user_id, debt_id, (first, second, *_), _, _ = given
    enqueue(uow, f"later:{first}:5", user_id, "later", {})
    enqueue(uow, f"later:{second}:6", user_id, "later", {})
    outcome = pay_in_full(uow, user_id=user_id, installment_id=first, today=TODAY, now=NOW)
    assert (outcome.created, outcome.amount) == (True, EACH)
    again = pay_in_full(
        uow, user_id=user_id, installment_id=first, today=TODAY, now=NOW + timedelta(hours=1)
    )
    assert (again.created, again.payment.id) == (False, outcome.payment.id)
    assert payments_of(uow, debt_id) == [
        (int(EACH * 100), f"tg:full:{first}", TODAY, PaymentSource.BUTTON)
    ]
    found = statuses(uow)
    assert found[f"later:{first}:5"] is OutboxStatus.DROPPED
    assert found[f"later:{second}:6"] is OutboxStatus.PENDING


def test_paid_in_full_when_nothing_is_left_says_so(given: Any, uow: SqlUnitOfWork) -> None:
    user_id, debt_id, (first, *_), _, _ = given
    record_payment(
        uow,
        user_id=user_id,
        debt_id=debt_id,
        amount=EACH,
        paid_on=FIRST_DUE,
        today=FIRST_DUE,
        idempotency_key="elsewhere",
        now=NOW,
    )
    with pytest.raises(AlreadyPaid) as error:
        pay_in_full(uow, user_id=user_id, installment_id=first, today=FIRST_DUE, now=NOW)
    paid = error.value.standing
    assert (paid.state.number, paid.state.due_date, paid.left) == (1, FIRST_DUE, D(0))
    assert paid.debt.id == debt_id
    assert len(payments_of(uow, debt_id)) == 1


@pytest.mark.parametrize("whose", ["other user's", "missing", "replaced"])
def test_a_button_for_an_installment_not_in_the_plan_is_out_of_date(
    given: Any, uow: SqlUnitOfWork, whose: str
) -> None:
    user_id, debt_id, (first, *_), _, (others_first, *_) = given
    installment_id = {"other user's": others_first, "missing": 10**9, "replaced": first}[whose]
    if whose == "replaced":
        inst = uow.session.get(Installment, first)
        assert inst is not None
        inst.is_active = False
    with pytest.raises(NotFound) as error:
        pay_in_full(uow, user_id=user_id, installment_id=installment_id, today=TODAY, now=NOW)
    assert error.value.code == "remindbtn_gone"
    assert payments_of(uow, debt_id) == []


# ---- Paid part -------------------------------------------------------------------------------


def test_paid_part_records_once_per_key_and_drops_later_when_the_installment_is_paid(
    given: Any, uow: SqlUnitOfWork
) -> None:
    user_id, debt_id, (first, *_), _, _ = given
    assert reminded_debt(uow, user_id=user_id, installment_id=first).id == debt_id
    before = standing(uow, user_id=user_id, installment_id=first, today=FIRST_DUE)
    assert (before.state.number, before.left) == (1, EACH)
    enqueue(uow, f"later:{first}:5", user_id, "later", {})

    def part(amount: Decimal, key: str) -> Any:
        return pay_part(
            uow,
            user_id=user_id,
            installment_id=first,
            amount=amount,
            today=FIRST_DUE,
            now=NOW,
            idempotency_key=key,
        )

    part(D(40), "tg:update:1")
    part(D(40), "tg:update:1")  # the same message again: nothing more
    assert statuses(uow)[f"later:{first}:5"] is OutboxStatus.PENDING  # ¥60 still to pay
    after = standing(uow, user_id=user_id, installment_id=first, today=FIRST_DUE)
    assert after.left == EACH - D(40)
    part(EACH - D(40), "tg:update:2")
    assert statuses(uow)[f"later:{first}:5"] is OutboxStatus.DROPPED
    assert payments_of(uow, debt_id) == [
        (4000, "tg:update:1", FIRST_DUE, PaymentSource.TEXT),
        (int((EACH - D(40)) * 100), "tg:update:2", FIRST_DUE, PaymentSource.TEXT),
    ]


# ---- I can't pay ----------------------------------------------------------------------------


def reports(uow: SqlUnitOfWork) -> list[tuple[int, HardshipKind, str | None, str, datetime]]:
    rows = uow.session.exec(select(HardshipReport).order_by(col(HardshipReport.id))).all()
    return [(r.user_id, r.kind, r.source, r.text, r.currency, r.created_at) for r in rows]


def test_i_cant_pay_notes_one_report_a_day(given: Any, uow: SqlUnitOfWork) -> None:
    user_id, debt_id, (first, second, *_), _, _ = given
    noted = note_cant_pay(uow, user_id=user_id, installment_id=first, now=NOW)
    assert (noted.installment.id, noted.debt.id, noted.noted) == (first, debt_id, True)
    assert noted.installment.due_date == FIRST_DUE
    tap = (user_id, HardshipKind.OTHER, ReportSource.REMINDER, None, "CNY", NOW)
    assert reports(uow) == [tap]
    # Again within a day, also for another installment: nothing more.
    later = NOW + timedelta(hours=23, minutes=59)
    assert not note_cant_pay(uow, user_id=user_id, installment_id=second, now=later).noted
    assert len(reports(uow)) == 1
    next_day = NOW + timedelta(days=1, minutes=1)
    assert note_cant_pay(uow, user_id=user_id, installment_id=first, now=next_day).noted
    assert [r[5] for r in reports(uow)] == [NOW, next_day]


def test_i_cant_pay_on_someone_elses_installment_is_out_of_date(
    given: Any, uow: SqlUnitOfWork
) -> None:
    user_id, _, _, _, (others_first, *_) = given
    with pytest.raises(NotFound) as error:
        note_cant_pay(uow, user_id=user_id, installment_id=others_first, now=NOW)
    assert error.value.code == "remindbtn_gone"
    assert reports(uow) == []


# ---- Remind me later -------------------------------------------------------------------------


def due_payload(installment_id: int) -> dict[str, Any]:
    return {"installment_id": installment_id, "as_of": "2026-12-12"}


def test_later_comes_four_hours_on_once_per_reminder(given: Any, uow: SqlUnitOfWork) -> None:
    user_id, _, (first, *_), _, _ = given
    sent_at = NOW - timedelta(minutes=5)
    row_id = enqueue(uow, f"due:{first}:3", user_id, "due", due_payload(first), sent_at)
    asked = remind_later(uow, user_id=user_id, outbox_id=row_id, today=TODAY, now=NOW)
    # 09:00 in Shanghai + 4 hours = 13:00, outside the default quiet hours (22:00–08:00).
    expected = datetime(2026, 12, 12, 13, tzinfo=UTC) - SHANGHAI
    assert (asked.due_at, asked.created) == (expected, True)
    again = remind_later(uow, user_id=user_id, outbox_id=row_id, today=TODAY, now=NOW)
    assert (again.due_at, again.created) == (expected, False)

    row = uow.outbox.get_by_key(f"later:{first}:{row_id}")
    assert row is not None
    assert (row.kind, row.user_id, row.chat_id) == ("later", user_id, 10)
    assert row.expires_at == expected + timedelta(days=1)
    assert json.loads(row.payload) == due_payload(first) | {
        "kind": "due",
        "original_at": sent_at.isoformat(),
    }
    later_rows = uow.session.exec(select(Outbox).where(col(Outbox.kind) == "later")).all()
    assert len(later_rows) == 1


def test_later_from_a_later_keeps_the_first_reminders_kind_and_time(
    given: Any, uow: SqlUnitOfWork
) -> None:
    user_id, _, (first, *_), _, _ = given
    original = due_payload(first) | {"kind": "overdue", "original_at": "2026-12-11T01:00:00+00:00"}
    row_id = enqueue(uow, f"later:{first}:999999", user_id, "later", original)
    remind_later(uow, user_id=user_id, outbox_id=row_id, today=TODAY, now=NOW)
    row = uow.outbox.get_by_key(f"later:{first}:{row_id}")
    assert row is not None
    assert json.loads(row.payload) == original


def test_later_that_would_fall_in_quiet_hours_waits_for_their_end(
    given: Any, uow: SqlUnitOfWork
) -> None:
    user_id, _, (first, *_), _, _ = given
    row_id = enqueue(uow, f"due:{first}:3", user_id, "due", due_payload(first))
    evening = datetime(2026, 12, 12, 21, tzinfo=UTC) - SHANGHAI  # + 4 hours is 01:00
    asked = remind_later(uow, user_id=user_id, outbox_id=row_id, today=TODAY, now=evening)
    assert asked.due_at == datetime(2026, 12, 13, 8, tzinfo=UTC) - SHANGHAI


def test_later_time_is_to_the_minute_and_honours_quiet_hours_across_midnight() -> None:
    quiet = ReminderPrefs(timezone="Asia/Shanghai", quiet_start=time(23), quiet_end=time(7))
    none = ReminderPrefs(timezone="Asia/Shanghai")
    moment = datetime(2026, 12, 12, 10, 15, 42, 500, tzinfo=UTC) - SHANGHAI
    assert later_time(none, moment) == datetime(2026, 12, 12, 14, 15, tzinfo=UTC) - SHANGHAI
    night = datetime(2026, 12, 12, 20, 30, tzinfo=UTC) - SHANGHAI  # + 4 h = 00:30, quiet
    assert later_time(quiet, night) == datetime(2026, 12, 13, 7, tzinfo=UTC) - SHANGHAI
    assert later_time(none, night) == datetime(2026, 12, 13, 0, 30, tzinfo=UTC) - SHANGHAI


def test_later_for_a_paid_installment_says_so(given: Any, uow: SqlUnitOfWork) -> None:
    user_id, _, (first, *_), _, _ = given
    row_id = enqueue(uow, f"due:{first}:0", user_id, "due", due_payload(first))
    pay_in_full(uow, user_id=user_id, installment_id=first, today=FIRST_DUE, now=NOW)
    with pytest.raises(AlreadyPaid) as error:
        remind_later(uow, user_id=user_id, outbox_id=row_id, today=FIRST_DUE, now=NOW)
    assert error.value.standing.state.number == 1
    assert uow.outbox.get_by_key(f"later:{first}:{row_id}") is None


@pytest.mark.parametrize(
    ("kind", "payload", "owner"),
    [
        ("risk", "installment", "me"),  # a risk warning has no "later" button
        ("digest", "installment", "me"),
        ("later", "installment", "me"),  # a later row whose payload names no kind
        ("due", "not json", "me"),
        ("due", "[1, 2]", "me"),
        ("due", '{"installment_id": "1"}', "me"),
        ("due", "installment", "other"),
    ],
)
def test_later_on_something_that_is_not_the_users_reminder_is_out_of_date(
    given: Any, uow: SqlUnitOfWork, kind: str, payload: str, owner: str
) -> None:
    user_id, _, (first, *_), other_id, _ = given
    stored = json.dumps(due_payload(first)) if payload == "installment" else payload
    row_id = enqueue(uow, "x:1", user_id if owner == "me" else other_id, kind, stored)
    with pytest.raises(NotFound) as error:
        remind_later(uow, user_id=user_id, outbox_id=row_id, today=TODAY, now=NOW)
    assert error.value.code == "remindbtn_gone"
    with pytest.raises(NotFound):
        remind_later(uow, user_id=user_id, outbox_id=10**9, today=TODAY, now=NOW)
