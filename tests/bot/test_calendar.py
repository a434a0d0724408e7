"""/calendar: every open installment as an all-day event with the reminders' alarms, in an .ics
file that parses back; a plan change keeps the UIDs of what stays and cancels the rest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from icalendar import Calendar

from bot.localapi import SimUser
from tests.bot.conftest import START
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import add_plan
from tracker.storage.enums import PlanOrigin
from tracker.storage.uow import SqlUnitOfWork


def events(ics: bytes | None) -> list[Any]:
    assert ics is not None
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def triggers(event: Any) -> list[timedelta]:
    return sorted(alarm.decoded("trigger") for alarm in event.walk("VALARM"))


async def test_the_calendar_in_english_with_the_users_reminder_times(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user, name="Car", lender="JD Finance")
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(en_user.id)
        assert user is not None
        assert user.id is not None
        user.reminder_lead_days, user.reminder_time = "5,2,0", time(20, 0)
        uow.commit()
        stored = [(i.id, i.total_minor) for i in uow.installments.for_debt(user.id, debt_id)]
    en_user.send_text("/calendar")
    sent = await en_user.next_message()
    assert sent.document is not None
    assert sent.document["file_name"] == "repaybot-2026-12-01.ics"
    found = events(sent.file_bytes)
    assert [e.decoded("dtstart") for e in found] == [
        date(2026, 12, 15),
        *[date(2027, month, 15) for month in range(1, 12)],
    ]
    assert [str(e["uid"]) for e in found] == [f"installment-{i}@repaybot" for i, _ in stored]
    first = found[0]
    amount = Decimal(stored[0][1]) / 100
    assert str(first["summary"]) == f"Pay CN¥{amount:,.2f} — Car (JD Finance)"
    assert "/hardship" in str(first["description"])
    assert str(first["status"]) == "CONFIRMED"
    # 5 and 2 days before at 20:00, and 20:00 on the day, from the day's midnight.
    assert triggers(first) == [
        -timedelta(days=5) + timedelta(hours=20),
        -timedelta(days=2) + timedelta(hours=20),
        timedelta(hours=20),
    ]


async def test_a_plan_change_keeps_uids_and_cancels_the_old_installments_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(zh_user)
    zh_user.send_text("/calendar")
    before = events((await zh_user.next_message()).file_bytes)
    assert len(before) == 12
    assert "还款" in str(before[0]["summary"])
    with make_uow() as uow:
        debt = uow.debts.get_for_user(uow.users.get_by_telegram_id(zh_user.id).id, debt_id)  # type: ignore[union-attr,arg-type]
        assert debt is not None
        terms = LoanTerms(
            principal=Decimal(12000),
            rate=Rate(Decimal("0.0003"), RateUnit.DAY),
            term=24,
            method=Method.ANNUITY,
            first_due=date(2026, 12, 20),
            start_date=date(2026, 11, 20),
        )
        plan = add_plan(uow, debt=debt, terms=terms, origin=PlanOrigin.RENEGOTIATED, now=START)
        uow.plans.activate(plan, START)
        uow.commit()
    zh_user.send_text("/calendar")
    after = events((await zh_user.next_message()).file_bytes)
    open_ = [e for e in after if str(e["status"]) == "CONFIRMED"]
    cancelled = [e for e in after if str(e["status"]) == "CANCELLED"]
    assert len(open_) == 24
    assert open_[0].decoded("dtstart") == date(2026, 12, 20)
    # The old plan's twelve events come back cancelled under the same UIDs, with no alarm.
    assert sorted(str(e["uid"]) for e in cancelled) == sorted(str(e["uid"]) for e in before)
    assert all(triggers(e) == [] for e in cancelled)
    # Each outranks the version the calendar holds, so the calendar takes the cancellation.
    earlier = {str(e["uid"]): int(e["sequence"]) for e in before}
    assert all(int(e["sequence"]) > earlier[str(e["uid"])] for e in cancelled)
    assert not {str(e["uid"]) for e in open_} & {str(e["uid"]) for e in before}


async def test_export_includes_the_calendar(app: Any, en_user: SimUser, given_debt: Any) -> None:
    given_debt(en_user)
    en_user.send_text("/export")
    *_, ics = await en_user.next_messages(3)
    assert ics.document is not None
    assert ics.document["file_name"] == "repaybot-export-2026-12-01.ics"
    assert len(events(ics.file_bytes)) == 12


async def test_an_installment_paid_ahead_is_sent_cancelled_under_its_uid(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user)
    en_user.send_text("/calendar")
    before = events((await en_user.next_message()).file_bytes)
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(en_user.id)
        assert user is not None
        assert user.id is not None
        first = uow.installments.for_debt(user.id, debt_id)[0]
        installment = Decimal(first.total_minor) / 100
    en_user.send_text(f"/paid {installment}")  # installment 1 (due Dec 15) paid on Dec 1
    await en_user.next_message()
    en_user.send_text("/calendar")
    after = events((await en_user.next_message()).file_bytes)
    by_uid = {str(e["uid"]): e for e in after}
    paid = by_uid[str(before[0]["uid"])]
    assert str(paid["status"]) == "CANCELLED"
    assert triggers(paid) == []
    assert int(paid["sequence"]) > int(before[0]["sequence"])
    assert [str(e["status"]) for e in after].count("CONFIRMED") == 11
