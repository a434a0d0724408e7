"""Migration 0006 moves a hardship report's cause and start out of its text into columns."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import inspect

from tests.databases import BACKENDS, Database, fresh_database
from tracker.parsing.hardship_text import Cause
from tracker.services.hardship import report_cause
from tracker.storage import migrate
from tracker.storage.db import make_session_factory
from tracker.storage.uow import SqlUnitOfWork

NOW = "2026-11-25 02:00:00+00:00"
#: Report texts as the code before 0006 stored them, and what each must become.
BEFORE = {
    1: "job_loss since 2026-11-20",  # the /hardship flow
    2: "illness",  # a report of the first version, without "since"
    3: "reported from a reminder",  # a reminder's "I can't pay": no cause
    4: "公司裁员",  # a message the user wrote: no cause
    5: "bored since 2026-10-01",  # the pattern, but no cause the flow offered
}


@pytest.fixture(params=BACKENDS)
def empty_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    with fresh_database(request.param, tmp_path_factory) as db:
        yield db


def _execute(db: Database, *statements: str) -> None:
    engine = db.engine()
    try:
        with engine.begin() as c:
            for statement in statements:
                c.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    engine = db.engine()
    try:
        with engine.connect() as c:
            return [tuple(row) for row in c.exec_driver_sql(sql).all()]
    finally:
        engine.dispose()


def _given_old_reports(db: Database) -> None:
    migrate.upgrade(db.url, "0005", connect_args=db.connect_args)
    user = (
        "INSERT INTO users (id, telegram_user_id, chat_id, language, timezone,"
        " currency, reminders_enabled, reminder_lead_days, reminder_time,"
        " digest_enabled, digest_weekday, digest_time, active, created_at,"
        " updated_at) VALUES (1, 7, 7, 'zh', 'Asia/Shanghai', 'CNY', true, '3,1,0',"
        f" '09:00:00', true, 0, '09:00:00', true, '{NOW}', '{NOW}')"
    )
    reports = [
        "INSERT INTO hardship_reports (id, user_id, created_at, kind, currency, text)"
        f" VALUES ({report_id}, 1, '{NOW}', 'other', 'CNY', '{text}')"
        for report_id, text in BEFORE.items()
    ]
    _execute(db, user, *reports)


def test_0006_moves_the_flows_text_into_columns(empty_database: Database) -> None:
    db = empty_database
    _given_old_reports(db)
    migrate.upgrade(db.url, connect_args=db.connect_args)
    rows = _rows(db, "SELECT id, cause, started_on, text, source FROM hardship_reports ORDER BY id")
    moved = {r[0]: (r[1], None if r[2] is None else str(r[2])[:10], r[3], r[4]) for r in rows}
    assert moved == {
        1: ("job_loss", "2026-11-20", None, "hardship"),
        2: ("illness", None, None, "hardship"),
        3: (None, None, None, "reminder"),  # the tap is a column now, not a sentence
        4: (None, None, "公司裁员", "hardship"),
        5: (None, None, "bored since 2026-10-01", "hardship"),
    }
    # The service reads them as the pattern read the text before.
    engine = db.engine()
    try:
        with SqlUnitOfWork(make_session_factory(engine)) as uow:
            causes = {
                report.id: report_cause(report)
                for report in uow.hardship.recent_for_user(1, limit=10)
            }
    finally:
        engine.dispose()
    created = date(2026, 11, 25)
    assert causes == {
        1: (Cause.JOB_LOSS, date(2026, 11, 20)),
        2: (Cause.ILLNESS, created),
        3: (Cause.OTHER, created),
        4: (Cause.OTHER, created),
        5: (Cause.OTHER, created),
    }


def test_0006_downgrade_writes_the_text_back(empty_database: Database) -> None:
    db = empty_database
    _given_old_reports(db)
    migrate.upgrade(db.url, connect_args=db.connect_args)
    migrate.downgrade(db.url, "0005", connect_args=db.connect_args)
    assert _rows(db, "SELECT id, text FROM hardship_reports ORDER BY id") == list(BEFORE.items())
    engine = db.engine()
    try:
        columns = {col["name"] for col in inspect(engine).get_columns("hardship_reports")}
    finally:
        engine.dispose()
    assert not {"cause", "started_on", "source"} & columns
