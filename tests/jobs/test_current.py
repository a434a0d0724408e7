"""A reminder says what is true when it arrives, not when it was planned (issue 15).

The scan plans a row for its slot; these tests send it one or two days later (an outage, a
retry, flood control) with the injected clock, through the real render and the local Bot API,
and change the ledger in between. Expected amounts come from the stored plan by hand: the
default 金条's first installment is ¥1,101.59 (¥919.09 principal), and penalty interest is
1.5 × the contract's 0.05 % a day on overdue principal.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from bot.features.reminders_buttons import LATER_TTL
from bot.reminder_render import render
from tests.jobs.conftest import START, World, at
from tracker.services.payments import record_payment
from tracker.storage.enums import Language, OutboxStatus
from tracker.storage.models import Installment

SH = "Asia/Shanghai"
DUE = date(2026, 12, 15)
INSTALLMENT = Fraction(110159, 100)  # the first installment, as the plan stores it
PRINCIPAL = Fraction(91909, 100)  # its principal part
PENALTY_RATE = Fraction(3, 2) * Fraction(5, 10000)  # a day, on overdue principal
PAID = Fraction(300)


def nine(day: int) -> datetime:
    """09:00 in Shanghai (the reminder time) on a December day."""
    return at(date(2026, 12, day), time(9), SH)


def cny(amount: Fraction, language: Language) -> str:
    """An amount as the bot writes it: to the cent, half up, with thousands separators."""
    cents = (amount * 100 + Fraction(1, 2)).__floor__()
    text = f"{Decimal(cents) / 100:,.2f}"
    return f"CN¥{text}" if language is Language.EN else f"¥{text}"


@pytest.fixture(params=[Language.ZH, Language.EN], ids=["zh", "en"])
def language(request: pytest.FixtureRequest) -> Language:
    return Language(request.param)


def setup(world: World, language: Language) -> tuple[int, int, int]:
    """A user (reminders 3, 1, 0 days before at 09:00) with the 金条 loan due 15 December."""
    user = world.user(language=language, digest_enabled=False)
    debt = world.debt(user, DUE)
    return user, debt, world.first_installment(debt)


def pay(world: World, user: int, debt: int, amount: Fraction, on: date) -> None:
    with world.make_uow() as uow:
        record_payment(
            uow,
            user_id=user,
            debt_id=debt,
            amount=Decimal(amount.numerator) / Decimal(amount.denominator),
            paid_on=on,
            today=on,
            idempotency_key=f"test:{on}:{amount}",
            now=START,
        )
        uow.commit()


def enqueue(
    world: World,
    user: int,
    key: str,
    kind: str,
    due_at: datetime,
    payload: dict[str, Any],
    expires_at: datetime,
) -> None:
    with world.make_uow() as uow:
        stored = uow.users.get(user)
        assert stored is not None
        uow.outbox.enqueue_once(
            key,
            user_id=user,
            chat_id=stored.chat_id,
            kind=kind,
            due_at=due_at,
            payload=payload,
            expires_at=expires_at,
        )
        uow.commit()


def planned(world: World, user: int, inst: int, debt: int, **extra: Any) -> dict[str, Any]:
    """An installment payload as the scan writes it, with the full installment unpaid."""
    return {
        "installment_id": inst,
        "debt_id": debt,
        "debt_name": "金条",
        "currency": "CNY",
        "due_date": DUE.isoformat(),
        "remaining": "1101.59",
        **extra,
    }


def keys(world: World) -> set[str]:
    return set(world.rows())


# ---- late by one and two days: the real distance and amounts ------------------------------


@pytest.mark.parametrize(
    ("now", "en", "zh"),
    [
        (nine(13), "in 2 days", "还有 2 天"),
        # The last minute before the 1-day reminder's own moment (it is stale from then on).
        (nine(14) - timedelta(minutes=1), "tomorrow", "明天"),
    ],
)
async def test_a_due_reminder_sent_late_counts_from_the_day_it_arrives(
    world: World, language: Language, now: datetime, en: str, zh: str
) -> None:
    user, debt, inst = setup(world, language)
    world.scan(nine(12))  # plans the "3 days before" reminder for 12 December
    assert f"due:{inst}:3" in keys(world)
    pay(world, user, debt, PAID, date(2026, 12, 12))  # after planning, before sending

    report = await world.send(render=render, now=now)

    assert report.sent == 1
    [text] = world.sent(world.chat(user))
    owed = cny(INSTALLMENT - PAID, language)  # ¥801.59
    if language is Language.EN:
        assert f"Reminder: {owed} to 金条 is due on Dec 15 ({en})." in text
    else:
        assert f"还款提醒：金条的 {owed} 将于12月15日到期（{zh}）。" in text
    assert "1,101.59" not in text


async def test_a_due_reminder_still_queued_when_the_next_one_can_go_is_dropped_not_sent(
    world: World, language: Language
) -> None:
    # Reminders 3, 1 and 0 days before: the 3-day one (12 December) is stale from the 1-day
    # one's moment, 09:00 on the 14th, whether or not a scan has planned that one yet.
    user, _, inst = setup(world, language)
    world.scan(nine(12))
    [row] = world.rows().values()
    assert (row.key, row.expires_at) == (f"due:{inst}:3", nine(14))

    report = await world.send(render=render, now=nine(14))  # no scan: the sender alone

    assert (report.sent, report.dropped) == (0, 1)
    assert world.rows()[f"due:{inst}:3"].status is OutboxStatus.DROPPED
    assert world.sent(world.chat(user)) == []


async def test_the_next_reminder_supersedes_a_queued_one_and_says_it_once(
    world: World, language: Language
) -> None:
    user, _, inst = setup(world, language)
    world.scan(nine(12))
    scanned, report = await world.run(nine(14), render=render)
    rows = world.rows()
    assert (scanned.enqueued, scanned.superseded, report.sent) == (1, 1, 1)
    assert (rows[f"due:{inst}:3"].status, rows[f"due:{inst}:1"].status) == (
        OutboxStatus.DROPPED,
        OutboxStatus.SENT,
    )
    [text] = world.sent(world.chat(user))
    assert ("tomorrow" if language is Language.EN else "明天") in text


@pytest.mark.parametrize(
    ("late", "en", "zh"), [(1, "in 4 days", "还有 4 天"), (2, "in 3 days", "还有 3 天")]
)
async def test_a_risk_warning_sent_late_counts_from_the_day_it_arrives(
    world: World, language: Language, late: int, en: str, zh: str
) -> None:
    user, debt, inst = setup(world, language)
    # As the scan plans it five days ahead, 10 December; then ¥300 is paid.
    reasons = [{"code": "due_exceeds_affordable", "params": {"affordable": "600.00"}}]
    risk = planned(world, user, inst, debt, score=60, level="high", reasons=reasons)
    midnight = at(DUE, time(0), SH)  # a warning is stale once its due day begins
    enqueue(world, user, f"risk:{inst}", "risk", nine(10), risk, midnight)
    pay(world, user, debt, PAID, date(2026, 12, 10))

    report = await world.send(render=render, now=nine(10 + late))

    assert report.sent == 1
    [text] = world.sent(world.chat(user))
    owed = cny(INSTALLMENT - PAID, language)
    if language is Language.EN:
        assert f"This payment may be hard to make: {owed} to 金条, due on Dec 15 ({en})." in text
    else:
        assert f"这笔还款可能有困难：金条的 {owed}，12月15日到期（{zh}）。" in text


@pytest.mark.parametrize(
    ("sent_at", "days"),
    [(nine(17), 2), (at(date(2026, 12, 18), time(8), SH), 3)],  # the alert lives two days
    ids=["a day late", "two days late"],
)
async def test_an_overdue_alert_sent_late_counts_days_and_penalty_to_the_day_it_arrives(
    world: World, language: Language, sent_at: datetime, days: int
) -> None:
    user, _, inst = setup(world, language)
    world.scan(nine(16))  # 1 day overdue: the first alert, planned for 16 December
    assert f"overdue:{inst}:1" in keys(world)

    report = await world.send(render=render, now=sent_at)

    assert report.sent == 1
    [text] = world.sent(world.chat(user))
    owed = cny(INSTALLMENT, language)
    so_far = cny(PRINCIPAL * PENALTY_RATE * days, language)
    per_day = cny(PRINCIPAL * PENALTY_RATE, language)  # ¥0.69
    if language is Language.EN:
        assert f"金条: {owed} is overdue since Dec 15 ({days} days)." in text
        assert f"Penalty interest so far: {so_far}; about {per_day} more each day" in text
    else:
        assert f"金条：{owed} 自12月15日起逾期，已逾期 {days} 天。" in text
        assert f"目前罚息：{so_far}；还清之前每天约再增加 {per_day}。" in text


# ---- messages that are no longer true -----------------------------------------------------


async def test_a_reminder_for_an_installment_paid_before_sending_is_not_sent(
    world: World, language: Language
) -> None:
    user, debt, inst = setup(world, language)
    world.scan(nine(12))
    pay(world, user, debt, INSTALLMENT, date(2026, 12, 12))

    report = await world.send(render=render, now=nine(12))

    assert (report.sent, report.dropped) == (0, 1)
    assert world.sent(world.chat(user)) == []
    row = world.rows()[f"due:{inst}:3"]
    assert row.status is OutboxStatus.DROPPED
    assert row.last_error == "paid"


async def test_an_overdue_alert_paid_before_sending_is_not_sent(
    world: World, language: Language
) -> None:
    user, debt, inst = setup(world, language)
    world.scan(nine(16))
    # The installment and a day of penalty interest (¥0.69), paid the same morning.
    pay(world, user, debt, INSTALLMENT + Fraction(69, 100), date(2026, 12, 16))

    report = await world.send(render=render, now=nine(16))

    assert (report.sent, report.dropped) == (0, 1)
    assert world.rows()[f"overdue:{inst}:1"].status is OutboxStatus.DROPPED


async def test_a_due_soon_reminder_arriving_after_the_due_date_is_an_overdue_alert(
    world: World, language: Language
) -> None:
    # "Remind me later" on the due day's reminder, pressed late in the evening: the re-send
    # comes the next morning, when the installment is a day overdue.
    user, debt, inst = setup(world, language)
    original = planned(world, user, inst, debt, lead_days=0, kind="due")
    original["original_at"] = nine(15).isoformat()
    morning = at(date(2026, 12, 16), time(8), SH)
    enqueue(world, user, f"later:{inst}:1", "later", morning, original, morning + LATER_TTL)

    report = await world.send(render=render, now=morning)

    assert report.sent == 1
    [text] = world.sent(world.chat(user))
    owed = cny(INSTALLMENT, language)
    if language is Language.EN:
        assert f"金条: {owed} is overdue since Dec 15 (1 day)." in text
        assert "is due on" not in text
        assert "(in " not in text
    else:
        assert f"金条：{owed} 自12月15日起逾期，已逾期 1 天。" in text
        assert "将于" not in text
        assert "还有" not in text


async def test_a_due_soon_reminder_arriving_after_the_due_date_and_paid_is_dropped(
    world: World, language: Language
) -> None:
    user, debt, inst = setup(world, language)
    original = planned(world, user, inst, debt, lead_days=0, kind="due")
    morning = at(date(2026, 12, 16), time(8), SH)
    enqueue(world, user, f"later:{inst}:1", "later", morning, original, morning + LATER_TTL)
    pay(world, user, debt, INSTALLMENT, date(2026, 12, 15))

    report = await world.send(render=render, now=morning)

    assert (report.sent, report.dropped) == (0, 1)
    assert world.sent(world.chat(user)) == []


async def test_a_reminder_for_a_replaced_plan_is_not_sent(world: World, language: Language) -> None:
    _, _, inst = setup(world, language)
    world.scan(nine(12))
    with world.make_uow() as uow:
        stored = uow.session.get(Installment, inst)
        assert stored is not None
        stored.is_active = False  # what replacing the plan does to the old installments
        uow.commit()

    report = await world.send(render=render, now=nine(12))

    assert (report.sent, report.dropped) == (0, 1)
    assert world.rows()[f"due:{inst}:3"].last_error == "the plan was replaced"


# ---- the render alone: counted from ``now`` ------------------------------------------------


def test_a_risk_warning_rendered_on_or_after_the_due_date_is_dropped() -> None:
    from tests.bot.test_reminder_render import payloads, row, user

    risk = row("risk", payloads()["risk"])  # due 15 December
    assert render(risk, user(Language.EN), nine(14)) is not None
    assert render(risk, user(Language.EN), nine(15)) is None
    assert render(risk, user(Language.ZH), nine(16)) is None


def test_the_payloads_as_of_day_is_where_counting_starts() -> None:
    from tests.bot.test_reminder_render import payloads, row, user, visible

    overdue = payloads()["overdue"] | {"as_of": "2026-12-18"}  # 3 days, ¥2.07, ¥0.69 a day
    out = render(row("overdue", overdue), user(Language.EN), nine(20))
    assert out is not None
    # Two days on from the facts: 5 days, and two more days of ¥0.69.
    assert "(5 days)" in visible(out)
    assert "Penalty interest so far: CN¥3.45" in visible(out)
    assert json.loads(row("overdue", overdue).payload)["as_of"] == "2026-12-18"


async def test_a_digest_lists_what_is_owed_when_it_arrives(
    world: World, language: Language
) -> None:
    user = world.user(language=language)  # the digest on Mondays at 09:00
    debt = world.debt(user, DUE)
    world.scan(nine(14))  # Monday 14 December: the week's digest is planned
    assert f"digest:{user}:2026-W51" in keys(world)
    pay(world, user, debt, PAID, date(2026, 12, 14))

    # The 1-day reminder first (more urgent, a batch of its own), then the digest.
    await world.send(render=render, now=nine(14))
    await world.send(render=render, now=nine(14))

    [digest] = [t for t in world.sent(world.chat(user)) if "📋" in t]
    owed, paid = cny(INSTALLMENT - PAID, language), cny(PAID, language)
    planned_ = cny(INSTALLMENT, language)
    if language is Language.EN:
        assert f"This month: {paid} of {planned_} paid, {owed} still to pay." in digest
        assert f"Dec 15 金条 {owed}" in digest
        assert f"In all: {owed}" in digest
    else:
        assert f"本月应还 {planned_}，已还 {paid}，还剩 {owed}。" in digest
        assert f"金条 {owed}" in digest
