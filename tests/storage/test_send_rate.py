"""The shared send bucket (issue 12): atomic reservations and a pause that only moves forward."""

from __future__ import annotations

import threading
from collections.abc import Callable

from tracker.storage.repositories import BucketState
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]

NOW_US = 1_800_000_000_000_000  # 2027-01-15, µs since the epoch: past 2**53, exact as integers
INTERVAL_US = 34_483  # 1/29 s rounded up


def reserve(make_uow: MakeUow, now_us: int, slots: int = 1, name: str = "telegram") -> int:
    with make_uow() as uow:
        state = uow.send_rate.reserve(name, now_us=now_us, slots=slots, interval_us=INTERVAL_US)
        uow.commit()
    return state.tat_us


def test_the_first_reservation_creates_the_bucket_from_now(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        assert uow.send_rate.get("telegram") is None
    assert reserve(make_uow, NOW_US, slots=3) == NOW_US + 3 * INTERVAL_US
    with make_uow() as uow:
        assert uow.send_rate.get("telegram") == BucketState(NOW_US + 3 * INTERVAL_US, 0)
        assert uow.send_rate.get("other") is None  # buckets are kept by name


def test_reservations_queue_behind_each_other_and_an_idle_bucket_starts_from_now(
    make_uow: MakeUow,
) -> None:
    first = reserve(make_uow, NOW_US)
    # Asked again at the same moment: the slot after the last one, not "now" again.
    assert reserve(make_uow, NOW_US) == first + INTERVAL_US
    assert reserve(make_uow, NOW_US + 1, slots=2) == first + 3 * INTERVAL_US
    # Long after the last slot: the bucket does not save up the idle time (no backlog credit).
    later = NOW_US + 60_000_000
    assert reserve(make_uow, later) == later + INTERVAL_US


def test_a_rolled_back_reservation_takes_no_slot(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        uow.send_rate.reserve("telegram", now_us=NOW_US, slots=5, interval_us=INTERVAL_US)
        uow.rollback()
    assert reserve(make_uow, NOW_US) == NOW_US + INTERVAL_US


def test_a_pause_only_moves_forward_and_later_slots_come_after_it(make_uow: MakeUow) -> None:
    reserve(make_uow, NOW_US)
    until = NOW_US + 5_000_000
    with make_uow() as uow:
        assert uow.send_rate.pause("telegram", until_us=until, tat_us=until) == BucketState(
            until, until
        )
        # A shorter pause (another replica's older 429) shortens nothing.
        shorter = NOW_US + 1_000_000
        assert uow.send_rate.pause("telegram", until_us=shorter, tat_us=shorter) == BucketState(
            until, until
        )
        uow.commit()
    # Asked during the pause: the slot is after it.
    assert reserve(make_uow, NOW_US + 2_000_000) == until + INTERVAL_US
    with make_uow() as uow:
        state = uow.send_rate.get("telegram")
    assert state == BucketState(until + INTERVAL_US, until)


def test_a_pause_creates_a_missing_bucket(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        uow.send_rate.pause("telegram", until_us=NOW_US, tat_us=NOW_US + 7)
        uow.commit()
    with make_uow() as uow:
        assert uow.send_rate.get("telegram") == BucketState(NOW_US + 7, NOW_US)


def test_concurrent_reservations_all_get_distinct_slots_one_interval_apart(
    make_uow: MakeUow,
) -> None:
    threads, each = 8, 40
    got: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def hammer() -> None:
        try:
            start.wait()
            for _ in range(each):
                tat = reserve(make_uow, NOW_US)  # every thread asks "now", at the same moment
                with lock:
                    got.append(tat)
        except BaseException as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    # Each reservation took the slot after the one before it, whichever thread it came from:
    # no slot given twice, none skipped.
    expected = [NOW_US + k * INTERVAL_US for k in range(1, threads * each + 1)]
    assert sorted(got) == expected
