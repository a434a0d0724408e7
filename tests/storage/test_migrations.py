"""The initial migration builds exactly the schema the models describe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect

from tests.databases import BACKENDS, Database, fresh_database
from tracker.storage import migrate
from tracker.storage.models import metadata


@pytest.fixture(params=BACKENDS)
def empty_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    with fresh_database(request.param, tmp_path_factory) as db:
        yield db


def _tables(db: Database) -> set[str]:
    engine = db.engine()
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_models_and_round_trips(empty_database: Database) -> None:
    db = empty_database
    assert migrate.current(db.url, connect_args=db.connect_args) is None

    migrate.upgrade(db.url, connect_args=db.connect_args)
    assert migrate.current(db.url, connect_args=db.connect_args) == migrate.head()
    assert _tables(db) == set(metadata.tables) | {"alembic_version"}
    assert migrate.pending_changes(db.url, connect_args=db.connect_args) == []

    migrate.downgrade(db.url, "base", connect_args=db.connect_args)
    assert _tables(db) == {"alembic_version"}
    migrate.upgrade(db.url, connect_args=db.connect_args)
    assert migrate.pending_changes(db.url, connect_args=db.connect_args) == []


def test_the_comparison_does_notice_a_difference(empty_database: Database) -> None:
    db = empty_database
    migrate.upgrade(db.url, connect_args=db.connect_args)
    engine = db.engine()
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP INDEX ix_installments_active_due")
    finally:
        engine.dispose()
    changes = migrate.pending_changes(db.url, connect_args=db.connect_args)
    assert [change[0] for change in changes] == ["add_index"]
    assert changes[0][1].name == "ix_installments_active_due"


def test_0002_keeps_what_existing_renegotiated_plans_counted(empty_database: Database) -> None:
    """A plan agreed before 0002 counted payments from its start date; it still counts those."""
    db = empty_database
    migrate.upgrade(db.url, "0001", connect_args=db.connect_args)
    engine = db.engine()
    now = "2026-11-01 00:00:00+00:00"
    try:
        with engine.begin() as c:
            c.exec_driver_sql(
                "INSERT INTO users (id, telegram_user_id, chat_id, language, timezone,"
                " currency, reminders_enabled, reminder_lead_days, reminder_time,"
                " digest_enabled, digest_weekday, digest_time, active, created_at,"
                " updated_at) VALUES (1, 7, 7, 'zh', 'Asia/Shanghai', 'CNY', true, '3,1,0',"
                f" '09:00:00', true, 0, '09:00:00', true, '{now}', '{now}')"
            )
            c.exec_driver_sql(
                "INSERT INTO debts (id, user_id, name, kind, currency, principal_minor,"
                " rate_value, rate_unit, day_count, method, term_months, first_due, fee_rate,"
                " upfront_fee_minor, grace_days, penalty_mode, penalty_multiplier,"
                " allocation_order, status, created_at, updated_at) VALUES (1, 1, 'x',"
                " 'consumer_loan', 'CNY', 100000, '0.0005', 'day', 365, 'annuity', 12,"
                " '2026-09-15', '0', 0, 0, 'rate_multiplier', '1.5',"
                f" 'penalty,fee,interest,principal', 'active', '{now}', '{now}')"
            )
            plans = (
                (1, "original", None, "superseded"),
                (2, "renegotiated", "2026-11-01", "active"),
            )
            for plan_id, origin, start, status in plans:
                c.exec_driver_sql(
                    "INSERT INTO plan_versions (id, debt_id, version, status, origin, method,"
                    " rate_value, rate_unit, day_count, term_months, principal_minor,"
                    " start_date, first_due, fee_rate, upfront_fee_minor, created_at) VALUES"
                    f" ({plan_id}, 1, {plan_id}, '{status}', '{origin}', 'annuity', '0', 'day',"
                    f" 365, 12, 90000, {'NULL' if start is None else repr(start)},"
                    f" '2026-12-01', '0', 0, '{now}')"
                )
            for pay_id, paid_on in ((1, "2026-10-15"), (2, "2026-10-31"), (3, "2026-11-01")):
                c.exec_driver_sql(
                    "INSERT INTO payments (id, debt_id, user_id, amount_minor, currency,"
                    " paid_on, recorded_at, source, idempotency_key) VALUES"
                    f" ({pay_id}, 1, 1, 100, 'CNY', '{paid_on}', '{now}', 'command', 'k{pay_id}')"
                )
    finally:
        engine.dispose()
    migrate.upgrade(db.url, connect_args=db.connect_args)
    engine = db.engine()
    try:
        with engine.connect() as c:
            rows = c.exec_driver_sql(
                "SELECT id, after_payment_id FROM plan_versions ORDER BY id"
            ).all()
            flags = c.exec_driver_sql("SELECT fees_on_payoff, penalty_on_interest FROM debts").one()
    finally:
        engine.dispose()
    # Payments 1 and 2 were before the renegotiated plan's start: it counts from payment 3.
    assert [tuple(r) for r in rows] == [(1, None), (2, 2)]
    assert (flags[0], bool(flags[1])) == (None, False)  # not asked yet; compound penalty off


def test_0003_leaves_existing_debts_without_card_terms_and_round_trips(
    empty_database: Database,
) -> None:
    """Debts stored before 0003 are no cards: every card column is NULL; a downgrade keeps them."""
    db = empty_database
    migrate.upgrade(db.url, "0002", connect_args=db.connect_args)
    now = "2026-11-01 00:00:00+00:00"
    engine = db.engine()
    try:
        with engine.begin() as c:
            c.exec_driver_sql(
                "INSERT INTO users (id, telegram_user_id, chat_id, language, timezone,"
                " currency, reminders_enabled, reminder_lead_days, reminder_time,"
                " digest_enabled, digest_weekday, digest_time, active, created_at,"
                " updated_at) VALUES (1, 7, 7, 'zh', 'Asia/Shanghai', 'CNY', true, '3,1,0',"
                f" '09:00:00', true, 0, '09:00:00', true, '{now}', '{now}')"
            )
            c.exec_driver_sql(
                "INSERT INTO debts (id, user_id, name, kind, currency, principal_minor,"
                " rate_value, rate_unit, day_count, method, term_months, first_due, fee_rate,"
                " upfront_fee_minor, grace_days, penalty_mode, penalty_multiplier,"
                " allocation_order, status, created_at, updated_at) VALUES (1, 1, 'x',"
                " 'consumer_loan', 'CNY', 100000, '0.0005', 'day', 365, 'annuity', 12,"
                " '2026-09-15', '0', 0, 0, 'rate_multiplier', '1.5',"
                f" 'penalty,fee,interest,principal', 'active', '{now}', '{now}')"
            )
    finally:
        engine.dispose()
    migrate.upgrade(db.url, connect_args=db.connect_args)
    engine = db.engine()
    try:
        with engine.connect() as c:
            card = c.exec_driver_sql(
                "SELECT card_statement_day, card_due_day, card_minimum_rate, card_daily_rate,"
                " card_statement_date, card_statement_balance_minor, card_plan_id FROM debts"
            ).one()
    finally:
        engine.dispose()
    assert tuple(card) == (None,) * 7
    migrate.downgrade(db.url, "0002", connect_args=db.connect_args)
    engine = db.engine()
    try:
        with engine.connect() as c:
            assert c.exec_driver_sql("SELECT name FROM debts").scalars().all() == ["x"]
            columns = {col["name"] for col in inspect(c).get_columns("debts")}
    finally:
        engine.dispose()
    assert not {name for name in columns if name.startswith("card_")}


def test_0004_leaves_existing_debts_without_a_lender_and_round_trips(
    empty_database: Database,
) -> None:
    """Debts stored before 0004 have no lender yet (NULL: not said); a downgrade keeps them."""
    db = empty_database
    migrate.upgrade(db.url, "0003", connect_args=db.connect_args)
    now = "2026-11-01 00:00:00+00:00"
    engine = db.engine()
    try:
        with engine.begin() as c:
            c.exec_driver_sql(
                "INSERT INTO users (id, telegram_user_id, chat_id, language, timezone,"
                " currency, reminders_enabled, reminder_lead_days, reminder_time,"
                " digest_enabled, digest_weekday, digest_time, active, created_at,"
                " updated_at) VALUES (1, 7, 7, 'zh', 'Asia/Shanghai', 'CNY', true, '3,1,0',"
                f" '09:00:00', true, 0, '09:00:00', true, '{now}', '{now}')"
            )
            c.exec_driver_sql(
                "INSERT INTO debts (id, user_id, name, kind, currency, principal_minor,"
                " rate_value, rate_unit, day_count, method, term_months, first_due, fee_rate,"
                " upfront_fee_minor, grace_days, penalty_mode, penalty_multiplier,"
                " allocation_order, status, created_at, updated_at) VALUES (1, 1, '信用卡',"
                " 'consumer_loan', 'CNY', 100000, '0.0005', 'day', 365, 'annuity', 12,"
                " '2026-09-15', '0', 0, 0, 'rate_multiplier', '1.5',"
                f" 'penalty,fee,interest,principal', 'active', '{now}', '{now}')"
            )
    finally:
        engine.dispose()
    migrate.upgrade(db.url, connect_args=db.connect_args)
    engine = db.engine()
    try:
        with engine.connect() as c:
            row = c.exec_driver_sql("SELECT name, lender FROM debts").one()
    finally:
        engine.dispose()
    assert tuple(row) == ("信用卡", None)
    migrate.downgrade(db.url, "0003", connect_args=db.connect_args)
    engine = db.engine()
    try:
        with engine.connect() as c:
            assert c.exec_driver_sql("SELECT name FROM debts").scalars().all() == ["信用卡"]
            columns = {col["name"] for col in inspect(c).get_columns("debts")}
    finally:
        engine.dispose()
    assert "lender" not in columns


def test_alembic_version_lives_in_the_test_schema(database: Database) -> None:
    if database.schema is None:
        pytest.skip("PostgreSQL only")
    engine = database.engine()
    try:
        with engine.connect() as connection:
            schemas = (
                connection.exec_driver_sql(
                    "SELECT table_schema FROM information_schema.tables"
                    " WHERE table_name = 'alembic_version'"
                )
                .scalars()
                .all()
            )
            search_path = connection.exec_driver_sql("SHOW search_path").scalar()
    finally:
        engine.dispose()
    assert database.schema in schemas
    assert search_path == database.schema
