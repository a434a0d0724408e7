"""SQLite's write gate: one flock beside the database, held from BEGIN IMMEDIATE to the end."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tracker.storage.db import READ_ONLY, make_engine, make_session_factory, read_only

ROOT = Path(__file__).resolve().parents[2]

#: A writer in another process: says when it starts to wait, writes a row, says when it got in.
SECOND_WRITER = """
import sys, time
from sqlalchemy import text
from tracker.storage.db import make_engine
engine = make_engine(sys.argv[1])
print("waiting", time.time(), flush=True)
with engine.begin() as connection:
    began = time.time()
    connection.execute(text("INSERT INTO t (who) VALUES ('second')"))
print("began", began, flush=True)
engine.dispose()
"""


def gate_of(database: Path) -> Path:
    """Where the gate of ``database`` lives."""
    return database.with_name(f"{database.name}-gate")


def gate_is_free(gate: Path) -> bool:
    """Whether another open file could take the gate at once (no one holds it)."""
    fd = os.open(gate, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A SQLite file with a table ``t`` of who wrote, in order."""
    database = tmp_path / "gate.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
    engine.dispose()
    return database


@pytest.fixture
def engine(path: Path) -> Iterator[Engine]:
    """An engine on ``path`` (this process's writers)."""
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def start_second_writer(path: Path) -> tuple[subprocess.Popen[str], float]:
    """A writer in another process, started and about to begin: (process, when it waits)."""
    process = subprocess.Popen(
        [sys.executable, "-c", SECOND_WRITER, f"sqlite:///{path}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    word, at = process.stdout.readline().split()
    assert word == "waiting"
    return process, float(at)


def finish(process: subprocess.Popen[str]) -> float:
    """When the second writer's transaction began; it must have ended well."""
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "database is locked" not in err
    word, at = out.split()
    assert word == "began"
    return float(at)


def writers(engine: Engine) -> list[str]:
    """Who wrote, in order (read without the gate)."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        return list(connection.execute(text("SELECT who FROM t ORDER BY id")).scalars())


def test_a_writer_holds_the_gate_until_commit(engine: Engine, path: Path) -> None:
    gate = gate_of(path)
    with engine.begin() as connection:
        assert not gate_is_free(gate)  # taken with BEGIN IMMEDIATE, before any statement
        connection.execute(text("INSERT INTO t (who) VALUES ('first')"))
        assert not gate_is_free(gate)
    assert gate_is_free(gate)


def test_a_writer_in_another_process_gets_in_right_after_the_commit(
    engine: Engine, path: Path
) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t (who) VALUES ('first')"))
        process, waiting_since = start_second_writer(path)
        time.sleep(0.3)  # long enough for it to be waiting at the gate
        committed_at = time.time()
    # The commit happens as the block ends; ``committed_at`` is just before it.
    began_at = finish(process)
    assert waiting_since < committed_at < began_at
    assert began_at - committed_at < 0.5  # handed over at once, not after a sleep
    assert writers(engine) == ["first", "second"]


def test_a_writer_in_another_process_waits_at_the_gate_before_begin(
    path: Path, engine: Engine
) -> None:
    """The gate alone (held here, with no transaction open) keeps the other writer out."""
    fd = os.open(gate_of(path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        process, _ = start_second_writer(path)
        time.sleep(0.3)
        assert writers(engine) == []  # SQLite's lock is free: it is the gate that holds it
        released_at = time.time()
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    began_at = finish(process)
    assert released_at < began_at < released_at + 0.5
    assert writers(engine) == ["second"]


def test_connections_of_one_process_exclude_each_other(engine: Engine, path: Path) -> None:
    """Each connection opens the gate file itself, so flock tells threads apart too."""
    began: list[float] = []

    def second_writer() -> None:
        with engine.begin() as connection:
            began.append(time.time())
            connection.execute(text("INSERT INTO t (who) VALUES ('second')"))

    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t (who) VALUES ('first')"))
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.2)
        assert began == []  # still waiting
        committed_at = time.time()
    thread.join(timeout=30)
    assert len(began) == 1
    assert committed_at < began[0] < committed_at + 0.5
    assert writers(engine) == ["first", "second"]


def test_a_read_only_transaction_takes_no_gate(engine: Engine, path: Path) -> None:
    session = make_session_factory(engine)()
    try:
        read_only(session)
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0
        assert session.in_transaction()
        assert gate_is_free(gate_of(path))
    finally:
        session.close()
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        connection.begin()
        connection.execute(text("SELECT count(*) FROM t"))
        assert gate_is_free(gate_of(path))
        connection.rollback()


def test_rollback_opens_the_gate(engine: Engine, path: Path) -> None:
    with engine.connect() as connection:
        connection.begin()
        connection.execute(text("INSERT INTO t (who) VALUES ('undone')"))
        connection.rollback()
        assert gate_is_free(gate_of(path))  # at once, not when the connection goes back
    assert writers(engine) == []


def test_an_exception_in_a_transaction_opens_the_gate(engine: Engine, path: Path) -> None:
    def fail_in_a_connection() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t (who) VALUES ('undone')"))
            raise LookupError

    def fail_in_a_session() -> None:
        with make_session_factory(engine)() as session, session.begin():
            session.execute(text("INSERT INTO t (who) VALUES ('undone')"))
            raise LookupError

    with pytest.raises(LookupError):
        fail_in_a_connection()
    assert gate_is_free(gate_of(path))
    with pytest.raises(LookupError):
        fail_in_a_session()
    assert gate_is_free(gate_of(path))
    assert writers(engine) == []


def test_a_failed_statement_and_its_rollback_open_the_gate(engine: Engine, path: Path) -> None:
    with engine.connect() as connection:
        connection.begin()
        with pytest.raises(Exception, match="no such table"):
            connection.execute(text("INSERT INTO missing VALUES (1)"))
        connection.rollback()
        assert gate_is_free(gate_of(path))


def test_the_gate_is_taken_again_by_the_next_transaction(engine: Engine, path: Path) -> None:
    with engine.connect() as connection:
        for who in ("first", "second"):
            connection.begin()
            assert not gate_is_free(gate_of(path))
            connection.execute(text("INSERT INTO t (who) VALUES (:who)"), {"who": who})
            connection.commit()
            assert gate_is_free(gate_of(path))
    assert writers(engine) == ["first", "second"]


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_has_no_gate_file(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where a gate beside ":memory:" would appear
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
    finally:
        engine.dispose()
    assert list(tmp_path.iterdir()) == []
