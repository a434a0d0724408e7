"""One writer at a time on a SQLite file, handed over at once between processes.

SQLite lets one connection write at a time; another that wants to write waits in SQLite's busy
handler, which sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries, so with several processes
writing (``BOT_WORKERS``) the lock sits free while the next writer sleeps. The gate is an
exclusive ``flock`` on a file beside the database, taken before ``BEGIN IMMEDIATE`` and given
back right after ``COMMIT`` or ``ROLLBACK``: the next writer gets it within a fraction of a
millisecond. Each connection has its own open file (so threads of one process exclude each
other too); a writer that cannot get the gate within the busy timeout goes on without it, and
SQLite's own lock still keeps the data safe (it then says "database is locked" as before).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import ConnectionPoolEntry

logger = logging.getLogger(__name__)

#: The first pause between tries, and the longest (seconds): a write transaction takes ~1 ms.
FIRST_PAUSE = 0.0001
LAST_PAUSE = 0.001
#: Where a connection keeps its gate file descriptor.
_FD = "repaybot_gate_fd"
_HELD = "repaybot_gate_held"


def install(engine: Engine, path: str) -> None:
    """Give each of ``engine``'s connections the gate file at ``path``, and open the gate after
    each commit and rollback (``take`` shuts it, before ``BEGIN IMMEDIATE``)."""

    @event.listens_for(engine, "connect")
    def _open(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_FD] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    @event.listens_for(engine, "close")
    def _close(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        fd = record.info.pop(_FD, None)
        if fd is not None:
            os.close(fd)  # closing also gives the lock back

    # End the transaction now, so the gate opens after it (the driver's own commit or rollback
    # then finds none and does nothing).
    event.listen(engine, "commit", lambda connection: _end(connection, "COMMIT"))
    event.listen(engine, "rollback", lambda connection: _end(connection, "ROLLBACK"))

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        _release(record.info)  # a connection returned without commit or rollback events


def _end(connection: Connection, statement: str) -> None:
    driver = connection.connection.driver_connection
    if driver is not None and driver.in_transaction:
        driver.execute(statement)
    _release(connection.connection.info)


def take(connection: Connection, timeout: float) -> None:
    """Wait until this connection is the only writer among those gated (or ``timeout`` passes)."""
    info = connection.connection.info  # the pool entry's, shared with _open
    if info.get(_FD) is not None:
        info[_HELD] = _acquire(info[_FD], timeout)


def _acquire(fd: int, timeout: float) -> bool:
    """Take the gate; False if it stayed shut for ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = FIRST_PAUSE
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                logger.warning("SQLite's write gate stayed shut %.1f s: going on without", timeout)
                return False
            time.sleep(pause)
            pause = min(pause * 2, LAST_PAUSE)


def _release(info: dict[Any, Any]) -> None:
    if info.pop(_HELD, False):
        with contextlib.suppress(OSError):
            fcntl.flock(info[_FD], fcntl.LOCK_UN)
