"""The scan: what is due when, in the user's timezone, enqueued once and sent once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from jobs.scan import scan
from tests.jobs.conftest import START, World, at
from tracker.capacity import Budget
from tracker.services.budget import save_budget
from tracker.services.debts import archive_debt
from tracker.storage.enums import OutboxStatus
from tracker.storage.models import Payment

SH, NY = "Asia/Shanghai", "America/New_York"
DUE = date(2026, 12, 15)  # a Tuesday


def keys(world: World, prefix: str = "") -> set[str]:
    return {k for k in world.rows() if k.startswith(prefix)}


async def test_due_reminders_go_out_at_nine_local_in_each_timezone(world: World) -> None:
    shanghai = world.user("小明", digest_enabled=False)
    new_york = world.user("Alice", timezone=NY, digest_enabled=False)
    sh_inst = world.first_installment(world.debt(shanghai, DUE))
    ny_inst = world.first_installment(world.debt(new_york, DUE))

    # 08:59 in Shanghai, three days ahead: nothing yet for anyone.
    scanned, sent = await world.run(at(date(2026, 12, 12), time(8, 59), SH))
    assert (scanned.enqueued, sent.sent) == (0, 0)
    # 09:00 in Shanghai: the Shanghai user's reminder; New York is still asleep (20:00 Dec 11).
    scanned, sent = await world.run(at(date(2026, 12, 12), time(9, 0), SH))
    assert (scanned.enqueued, sent.sent) == (1, 1)
    assert world.sent(world.chat(shanghai)) == [f"due due:{sh_inst}:3"]
    # 08:59 in New York: nothing new; 09:00: the New York user's reminder.
    scanned, sent = await world.run(at(date(2026, 12, 12), time(8, 59), NY))
    assert (scanned.enqueued, sent.sent) == (0, 0)
    scanned, sent = await world.run(at(date(2026, 12, 12), time(9, 0), NY))
    assert (scanned.enqueued, sent.sent) == (1, 1)
    assert world.sent(world.chat(new_york)) == [f"due due:{ny_inst}:3"]
    # Later scans that day plan the same keys again: nothing is enqueued or sent twice.
    for hour in (10, 15, 23):
        scanned, sent = await world.run(at(date(2026, 12, 12), time(hour), NY))
        assert (scanned.enqueued, sent.sent) == (0, 0)
        assert scanned.skipped == 2
    # The next leads: 1 day and the due day itself, each once.
    for day in (date(2026, 12, 14), date(2026, 12, 15)):
        for tz in (SH, NY):
            await world.run(at(day, time(9), tz))
            await world.run(at(day, time(12), tz))
    assert world.sent(world.chat(shanghai)) == [f"due due:{sh_inst}:{n}" for n in (3, 1, 0)]
    assert world.sent(world.chat(new_york)) == [f"due due:{ny_inst}:{n}" for n in (3, 1, 0)]
    assert all(row.status is OutboxStatus.SENT for row in world.rows().values())


async def test_overdue_alerts_after_grace_then_on_days_3_7_and_30(world: World) -> None:
    user = world.user(digest_enabled=False, reminder_lead_days="0")
    inst = world.first_installment(world.debt(user, DUE, grace_days=2))
    await world.run(at(DUE, time(9), SH))  # the due-day reminder
    # The grace days run to Dec 17: no alert before the first day past them, at 09:00.
    for moment in (at(date(2026, 12, 17), time(9), SH), at(date(2026, 12, 18), time(8, 59), SH)):
        await world.run(moment)
        assert keys(world, "overdue:") == set()
    expected = []
    for occasion, day in ((1, 18), (3, 20), (7, 24), (30, 47)):
        moment = at(date(2026, 12, 1) + timedelta(days=day - 1), time(9), SH)
        for minutes in (0, 1, 600):  # scans every so often: the alert goes out once
            await world.run(moment + timedelta(minutes=minutes))
        expected.append(f"overdue overdue:{inst}:{occasion}")
        assert [t for t in world.sent() if t.startswith("overdue")] == expected
    row = world.rows()[f"overdue:{inst}:30"]
    assert row.due_at == at(date(2027, 1, 16), time(9), SH)
    # No alert after the last occasion.
    await world.run(at(date(2027, 2, 20), time(9), SH))
    assert [t for t in world.sent() if t.startswith(f"overdue overdue:{inst}:")] == expected


async def test_a_paid_installment_gets_no_overdue_alert(world: World) -> None:
    user = world.user(digest_enabled=False)
    debt = world.debt(user, DUE)
    inst = world.first_installment(debt)
    with world.make_uow() as uow:
        (first, *_) = uow.installments.for_debt(user, debt)
        uow.payments.add_once(
            Payment(
                debt_id=debt,
                user_id=user,
                amount_minor=first.total_minor,
                currency="CNY",
                paid_on=date(2026, 12, 13),
                idempotency_key="t:1",
            )
        )
        uow.commit()
    for day in (14, 15, 16, 18):
        await world.run(at(date(2026, 12, day), time(9), SH))
    # Paid on Dec 13: no reminder on the 14th or the due day, no alert after it.
    assert world.sent() == []
    assert not keys(world, f"due:{inst}")
    assert not keys(world, f"overdue:{inst}")


async def test_risk_warning_when_the_budget_cannot_cover_the_installment(world: World) -> None:
    tight = world.user("tight", digest_enabled=False)
    easy = world.user("easy", digest_enabled=False)
    tight_inst = world.first_installment(world.debt(tight, DUE))
    world.debt(easy, DUE)
    with world.make_uow() as uow:
        today, now = date(2026, 12, 1), datetime(2026, 12, 1, tzinfo=UTC)
        # 3,000 income, 2,500 fixed: 200 a month affordable after the reserve, against ~1,080.
        small = Budget("CNY", Decimal(3000), fixed_expenses=Decimal(2500))
        save_budget(uow, user_id=tight, budget=small, today=today, now=now)
        save_budget(uow, user_id=easy, budget=Budget("CNY", Decimal(30000)), today=today, now=now)
        uow.commit()
    # RISK_LEAD_DAYS (5) before the due date, at the reminder time.
    await world.run(at(date(2026, 12, 10), time(8, 59), SH))
    assert not keys(world, "risk:")
    await world.run(at(date(2026, 12, 10), time(9), SH))
    await world.run(at(date(2026, 12, 11), time(9), SH))
    assert keys(world, "risk:") == {f"risk:{tight_inst}"}
    assert world.sent(world.chat(tight)) == [f"risk risk:{tight_inst}"]
    assert world.sent(world.chat(easy)) == []
    payload = world.rows()[f"risk:{tight_inst}"].payload
    assert '"level": "high"' in payload
    assert "due_exceeds_affordable" in payload
    assert f'"installment_id": {tight_inst}' in payload


async def test_a_crowded_week_and_a_hardship_report_warn_too(world: World) -> None:
    from tests.storage.factories import make_hardship

    user = world.user(digest_enabled=False)
    inst = world.first_installment(world.debt(user, DUE))
    with world.make_uow() as uow:
        stored = uow.users.get(user)
        assert stored is not None
        uow.hardship.add(make_hardship(stored, created_at=datetime(2026, 11, 20, tzinfo=UTC)))
        # 1,800 affordable: one ~1,100 installment fits, two in the same week do not.
        budget = Budget("CNY", Decimal(2000))
        save_budget(
            uow,
            user_id=user,
            budget=budget,
            today=date(2026, 12, 1),
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )
        uow.commit()
    world.debt(user, DUE + timedelta(days=1), name="白条")
    await world.run(at(date(2026, 12, 10), time(9), SH))
    payload = world.rows()[f"risk:{inst}"].payload
    assert "crowded_week" in payload
    assert "recent_hardship" in payload
    assert '"level": "high"' in payload


async def test_weekly_digest_once_on_the_digest_day(world: World) -> None:
    user = world.user(reminder_lead_days="0")  # digest on: Mondays at 09:00
    world.debt(user, DUE)
    monday = date(2026, 12, 14)
    await world.run(at(monday, time(8, 59), SH))
    assert not keys(world, "digest:")
    for minutes in (0, 30, 600):
        await world.run(at(monday, time(9), SH) + timedelta(minutes=minutes))
    assert keys(world, "digest:") == {f"digest:{user}:2026-W51"}
    assert world.sent(world.chat(user)) == [f"digest digest:{user}:2026-W51"]
    payload = world.rows()[f"digest:{user}:2026-W51"].payload
    assert '"upcoming"' in payload
    assert '"progress"' in payload


async def test_blocked_users_reminders_off_and_archived_debts_are_skipped(world: World) -> None:
    quiet = world.user("quiet", reminders_enabled=False, digest_enabled=False)
    gone = world.user("gone", active=False, digest_enabled=False)
    archived = world.user("archived", digest_enabled=False)
    digest_only = world.user("digest only", reminders_enabled=False)
    for user in (quiet, gone, archived, digest_only):
        world.debt(user, DUE)
    with world.make_uow() as uow:
        (debt,) = uow.debts.list_for_user(archived)
        assert debt.id is not None
        archive_debt(uow, user_id=archived, debt_id=debt.id, now=datetime(2026, 12, 2, tzinfo=UTC))
        uow.commit()
    for day in (10, 12, 14, 15, 16):
        await world.run(at(date(2026, 12, day), time(9), SH))
    assert set(world.rows()) == {f"digest:{digest_only}:2026-W51"}


async def test_catch_up_after_days_sends_the_latest_reminder_only(world: World) -> None:
    user = world.user(digest_enabled=False)
    inst = world.first_installment(world.debt(user, DUE))
    # Dec 12 09:00: the 3-day reminder is enqueued, but Telegram is down (502) and it waits.
    world.state.faults.fail_next("sendMessage", 1, status=502)
    _, sent = await world.run(at(date(2026, 12, 12), time(9), SH))
    assert sent.retried == 1
    # The bot is down until the due day at 10:00: one reminder, the latest; the older is dropped.
    scanned, sent = await world.run(at(DUE, time(10), SH))
    assert scanned.enqueued == 1
    assert scanned.superseded == 1
    assert world.sent() == [f"due due:{inst}:0"]
    rows = world.rows()
    assert rows[f"due:{inst}:3"].status is OutboxStatus.DROPPED
    assert f"due:{inst}:1" not in rows  # never planned: its moment passed while we were down


def test_a_user_with_broken_settings_does_not_stop_the_scan(world: World) -> None:
    broken = world.user("broken", timezone="Mars/Olympus", digest_enabled=False)
    fine = world.user("fine", digest_enabled=False)
    world.debt(broken, DUE)
    inst = world.first_installment(world.debt(fine, DUE))
    report = world.scan(at(date(2026, 12, 12), time(9), SH))
    assert report.errors == 1
    assert set(world.rows()) == {f"due:{inst}:3"}


def test_scan_needs_an_aware_time(world: World) -> None:
    with pytest.raises(ValueError, match="aware"):
        world.scan(datetime(2026, 12, 12, 9))


async def test_catch_up_after_a_two_hour_outage(world: World) -> None:
    # U's due-day reminder is at 23:30 and lives until midnight; V's are at 00:30.
    u = world.user("U", digest_enabled=False, reminder_lead_days="0", reminder_time=time(23, 30))
    v = world.user("V", digest_enabled=False, reminder_lead_days="1,0", reminder_time=time(0, 30))
    a = world.first_installment(world.debt(u, DUE))
    v1 = world.first_installment(world.debt(v, date(2026, 12, 17), name="v1"))
    v2 = world.first_installment(world.debt(v, date(2026, 12, 17), name="v2"))
    v3 = world.first_installment(world.debt(v, DUE, name="v3"))
    await world.run(at(DUE, time(0, 30), SH))  # V: v3 is due today
    assert world.sent() == [f"due due:{v3}:0"]
    # 23:30: the scan enqueues U's reminder, then the process dies before sending it.
    assert world.scan(at(DUE, time(23, 30), SH)).enqueued == 1
    # Back at 01:30: U's reminder died at midnight (dropped, not sent late); V's 00:30 ones
    # go out now, one per installment and kind.
    back = at(DUE + timedelta(days=1), time(1, 30), SH)
    scanned, sent = await world.run(back)
    # The overdue alert first, a batch of its own (most urgent), then the 1-day reminders.
    assert (scanned.enqueued, sent.sent, sent.dropped) == (3, 1, 1)
    assert (await world.send(back)).sent == 2
    assert world.rows()[f"due:{a}:0"].status is OutboxStatus.DROPPED
    assert world.sent(world.chat(u)) == []
    first, alert, *reminders = world.sent(world.chat(v))
    assert (first, alert) == (f"due due:{v3}:0", f"overdue overdue:{v3}:1")
    assert sorted(reminders) == sorted([f"due due:{v1}:1", f"due due:{v2}:1"])
    for minutes in (1, 30, 120):
        scanned, sent = await world.run(back + timedelta(minutes=minutes))
        assert (scanned.enqueued, sent.claimed) == (0, 0)


def test_the_batch_ledger_is_the_services_position(world: World) -> None:
    from jobs.scan import _Ledgers, _UserDue
    from tracker.reminders import ReminderPrefs
    from tracker.services.debts import add_plan, position, terms_of
    from tracker.storage.enums import PlanOrigin

    user = world.user(digest_enabled=False)
    plain = world.debt(user, DUE, grace_days=3)
    renegotiated = world.debt(user, DUE, name="白条")
    with world.make_uow() as uow:
        for debt_id, day, minor in ((plain, 16, 50_000), (renegotiated, 14, 110_000)):
            uow.payments.add_once(
                Payment(
                    debt_id=debt_id,
                    user_id=user,
                    amount_minor=minor,
                    currency="CNY",
                    paid_on=date(2026, 12, day),
                    idempotency_key=f"t:{debt_id}",
                )
            )
        debt = uow.debts.require_for_user(user, renegotiated)
        plan = uow.plans.active_for_debt(renegotiated)
        assert plan is not None
        terms = terms_of(debt, plan)
        later = replace(terms, start_date=date(2027, 1, 15), first_due=date(2027, 2, 15), term=6)
        new = add_plan(uow, debt=debt, terms=later, origin=PlanOrigin.RENEGOTIATED, now=START)
        uow.plans.activate(new, START)
        uow.commit()
    with world.make_uow() as uow:
        debts = {d.id: d for d in uow.debts.list_for_user(user) if d.id is not None}
        stored = uow.users.get(user)
        assert stored is not None
        group = _UserDue(stored, ReminderPrefs(), DUE, debts)
        ledgers = _Ledgers.load(uow, [group])
        for today in (date(2026, 12, 10), date(2026, 12, 20), date(2027, 3, 1)):
            for debt_id, debt in debts.items():
                mine, theirs = (
                    ledgers.position(debt, today),
                    position(uow, user_id=user, debt_id=debt_id, today=today),
                )
                assert mine.plan.id == theirs.plan.id
                assert mine.rows == theirs.rows
                assert mine.state == theirs.state


def test_the_memo_skips_users_nothing_changed_for_and_notices_changes(world: World) -> None:
    from jobs.scan import ScanMemo

    memo = ScanMemo()
    user = world.user(digest_enabled=False)
    debt = world.debt(user, DUE)
    inst = world.first_installment(debt)
    risk_day = at(date(2026, 12, 10), time(9), SH)  # the risk warning's moment; no budget: none
    first = scan(world.make_uow, risk_day, memo=memo)
    assert (first.planned, first.enqueued, first.remembered) == (1, 0, 0)
    again = scan(world.make_uow, risk_day + timedelta(minutes=1), memo=memo)
    assert (again.planned, again.remembered) == (0, 1)
    # A budget that cannot carry the installment: planned again, and the warning goes out.
    with world.make_uow() as uow:
        tight = Budget("CNY", Decimal(3000), fixed_expenses=Decimal(2500))
        save_budget(uow, user_id=user, budget=tight, today=date(2026, 12, 1), now=START)
        uow.commit()
    warned = scan(world.make_uow, risk_day + timedelta(minutes=2), memo=memo)
    assert (warned.planned, warned.enqueued) == (1, 1)
    assert set(world.rows()) == {f"risk:{inst}"}
    # Paid early: the 1-day reminder is not needed; remembered until the payment is undone.
    with world.make_uow() as uow:
        (row, *_) = uow.installments.for_debt(user, debt)
        uow.payments.add_once(
            Payment(
                debt_id=debt,
                user_id=user,
                amount_minor=row.total_minor,
                currency="CNY",
                paid_on=date(2026, 12, 11),
                idempotency_key="t:early",
            )
        )
        uow.commit()
    day_before = at(date(2026, 12, 14), time(9), SH)
    assert scan(world.make_uow, day_before, memo=memo).planned == 1
    assert scan(world.make_uow, day_before + timedelta(minutes=1), memo=memo).remembered == 1
    with world.make_uow() as uow:
        stored = uow.payments.get_by_key("t:early")
        assert stored is not None
        uow.payments.undo(stored, START)
        uow.commit()
    undone = scan(world.make_uow, day_before + timedelta(minutes=2), memo=memo)
    assert (undone.planned, undone.enqueued) == (1, 1)
    assert f"due:{inst}:1" in world.rows()
    # A new local day is a new question, whatever the memo says.
    assert len(memo) == 1
    assert scan(world.make_uow, at(DUE, time(8), SH), memo=memo).remembered == 0


async def test_overdue_found_when_a_running_loan_is_added_is_alerted_at_the_next_slot(
    world: World,
) -> None:
    """Issue 9: a loan added on 1 Dec at 09:00 with its 20 Nov installment unpaid (day 11)."""
    from jobs.scan import ScanMemo

    user = world.user(digest_enabled=False)
    debt = world.debt(user, date(2026, 8, 20), paid_before_tracking=3)
    with world.make_uow() as uow:
        fourth = next(i.id for i in uow.installments.for_debt(user, debt) if i.seq == 4)
    memo = ScanMemo()
    # Added at 09:00, today's send slot: nothing now, nor before tomorrow's 09:00.
    for moment in (
        START,
        at(date(2026, 12, 1), time(21), SH),
        at(date(2026, 12, 2), time(8, 59), SH),
    ):
        scanned = scan(world.make_uow, moment, memo=memo)
        assert scanned.enqueued == 0
        await world.send(moment)
    assert keys(world, "overdue:") == set()
    # The next slot: the first alert, as occasion 12 (the 12th day past 20 Nov), once.
    for minutes in (0, 1, 600):
        moment = at(date(2026, 12, 2), time(9), SH) + timedelta(minutes=minutes)
        scan(world.make_uow, moment, memo=memo)
        await world.send(moment)
    assert world.sent() == [f"overdue overdue:{fourth}:12"]
    # Days 3 and 7 had gone when tracking began; day 30 (20 December) comes as usual.
    for day in range(3, 21):
        await world.run(at(date(2026, 12, day), time(9), SH))
    alerts = [text for text in world.sent() if text.startswith("overdue")]
    assert alerts == [f"overdue overdue:{fourth}:12", f"overdue overdue:{fourth}:30"]
    # The installments paid before tracking are never reminded of.
    assert {k.split(":")[1] for k in keys(world, "overdue:")} == {str(fourth)}


async def test_the_scan_writes_each_rows_urgency_and_the_sender_keeps_to_it(
    world: World,
) -> None:
    # Monday 14 December, 09:00 in Shanghai: the week's digest, and four loans of one user.
    user = world.user("小明")  # the digest on Mondays at 09:00
    inst = {
        name: world.first_installment(world.debt(user, due, name=name))
        for name, due in (
            ("overdue", date(2026, 12, 13)),  # a day overdue: the first alert
            ("today", date(2026, 12, 14)),
            ("tomorrow", date(2026, 12, 15)),
            ("in 3 days", date(2026, 12, 17)),
        )
    }
    now = at(date(2026, 12, 14), time(9), SH)
    assert world.scan(now).enqueued == 5
    expected = {
        f"overdue:{inst['overdue']}:1": 0,
        f"due:{inst['today']}:0": 0,
        f"due:{inst['tomorrow']}:1": 1,
        f"due:{inst['in 3 days']}:3": 2,
        f"digest:{user}:2026-W51": 2,
    }
    assert {key: row.priority for key, row in world.rows().items()} == expected
    # One level a batch, the most urgent first.
    for level in (0, 1, 2):
        report = await world.send(now)
        assert report.sent == sum(1 for p in expected.values() if p == level)
    levels = [expected[text.split(" ", 1)[1]] for text in world.sent(world.chat(user))]
    assert levels == [0, 0, 1, 2, 2]
