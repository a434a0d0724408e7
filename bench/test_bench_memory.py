"""Memory and the write lock: ``repaybot run`` as an operator starts it, 10 users against 10,000.

Each run starts the real bot in a subprocess (``repaybot run`` with TELEGRAM_BOT_TOKEN and
TELEGRAM_API_BASE_URL pointing at a local Bot API this process serves, SCAN_INTERVAL_SECONDS=5)
on a database the fan-out loader filled (two debts a user, 24 installments 30 days apart, on-time
payments but for every seventh debt). Users are in UTC with their reminder time a minute ago and
no quiet hours, so reminders and overdue alerts are due whenever the benchmark runs.

Reported, from /proc/<pid>/status (VmRSS): the bot's resident memory after start-up (before the
first scan), after the first (cold) scan, at the end, and its peak; "database is locked" lines
in its log; messages sent; duplicates (a chat that got the same text twice). The run lasts
BENCH_MEMORY_SECONDS (default 60) for 10,000 users (BENCH_MEMORY_USERS), 20 s for 10 users.

``test_persistence_load``: what python-telegram-bot's start-up load of persisted user_data and
conversations costs (``DbPersistence.get_user_data`` / ``get_conversations``) with a row per user.

SQLite by default; BENCH_DATABASE_URL=postgresql+psycopg://… runs on a throwaway schema there.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, update

from bot.localapi import EmulatorState, LocalBotApiServer
from bot.localapi.limits import FloodConfig
from tracker.storage.enums import StateNamespace
from tracker.storage.models import BotState, User

sys.path.insert(0, str(Path(__file__).parent))
from test_bench_fanout import TELEGRAM_IDS, Db, _database, _load

LOCKED = "database is locked"


def _rss_kb(pid: int) -> int | None:
    """The process's resident set in kB (None once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def _fill(db: Db, users: int, today: date) -> int:
    rows = _load(
        db.engine,
        users,
        debts_per_user=2,
        term=24,
        digest=True,
        first_due=lambda debt_id: today - timedelta(days=400 - (debt_id * 7) % 365),
        active=lambda _: True,
        paid_until=today - timedelta(days=5),
    )
    # Due now whatever the wall clock says: UTC, reminder time a minute ago, no quiet hours.
    minute_ago = max(datetime.now(UTC) - timedelta(minutes=1), datetime.now(UTC).replace(hour=0))
    with db.engine.begin() as conn:
        conn.execute(
            update(User).values(
                timezone="UTC",
                reminder_time=minute_ago.time().replace(second=0, microsecond=0),
                quiet_start=None,
                quiet_end=None,
            )
        )
    return rows


def _url_for_subprocess(db: Db) -> str:
    """The database URL the bot process can open (PostgreSQL: with the benchmark's schema)."""
    if db.engine.dialect.name != "postgresql":
        return db.url
    with db.engine.connect() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    sep = "&" if "?" in db.url else "?"
    return f"{db.url}{sep}options=-csearch_path%3D{schema}"


def _run_bot(db: Db, users: int, seconds: float, tmp: Path) -> dict[str, Any]:
    state = EmulatorState(flood=FloodConfig())  # Telegram's limits, enforced
    state.api_calls = collections.deque()  # keep every call
    for u in range(1, users + 1):
        state.create_user(f"u{u}", user_id=TELEGRAM_IDS + u)
    log = tmp / f"bot-{users}.log"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": state.token,
        "DATABASE_URL": _url_for_subprocess(db),
        "SCAN_INTERVAL_SECONDS": "5",
        "TELEGRAM_SENDS_PER_SECOND": "30",
        "LOG_LEVEL": "INFO",
    }
    samples: list[tuple[float, int]] = []
    with LocalBotApiServer(state) as server, log.open("w") as out:
        env["TELEGRAM_API_BASE_URL"] = server.base_url
        env["TELEGRAM_API_FILE_URL"] = server.base_file_url
        repaybot = Path(sys.executable).parent / "repaybot"
        # cwd: a directory without the developer's .env
        proc = subprocess.Popen(
            [str(repaybot), "run"], env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT
        )
        started = time.monotonic()
        try:
            while (elapsed := time.monotonic() - started) < seconds:
                rss = _rss_kb(proc.pid)
                if rss is None or proc.poll() is not None:
                    break
                samples.append((elapsed, rss))
                time.sleep(0.5)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    text = log.read_text(errors="replace")
    sends = [c for c in state.api_calls if c["method"].lower() == "sendmessage" and "result" in c]
    texts = collections.Counter((c["result"]["chat"]["id"], c["result"].get("text")) for c in sends)
    # The first scan runs 3 s after start (jobs.FIRST_SCAN): before it, the idle footprint.
    before_scan = [kb for t, kb in samples if t < 3.0]
    first_scan = next((i for i, line in enumerate(text.splitlines()) if "scan:" in line), None)
    return {
        "users": users,
        "seconds": round(samples[-1][0] if samples else 0.0, 1),
        "rss_start_mb": round(max(before_scan, default=0) / 1024, 1),
        "rss_end_mb": round(samples[-1][1] / 1024, 1) if samples else 0.0,
        "rss_peak_mb": round(max((kb for _, kb in samples), default=0) / 1024, 1),
        # One per error: the driver's exception line (its SQLAlchemy wrapper repeats it).
        "rss_mb_every_10s": [round(kb / 1024) for t, kb in samples if int(t * 2) % 20 == 0],
        "locked": sum(
            1 for line in text.splitlines() if LOCKED in line and line.startswith("sqlite3.")
        ),
        "tracebacks": text.count("Traceback"),
        "sent": len(sends),
        "duplicates": sum(1 for n in texts.values() if n > 1),
        "scanned": first_scan is not None,
        "exit": proc.returncode,
    }


@pytest.fixture
def filled(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Db, int]]:
    users = int(request.param)
    with _database(tmp_path) as db:
        _fill(db, users, datetime.now(UTC).date())
        yield db, users


_BIG = int(os.environ.get("BENCH_MEMORY_USERS", "10000"))


@pytest.mark.parametrize("filled", [10, _BIG], indirect=True, ids=["10-users", "many-users"])
def test_memory_run(benchmark: Any, filled: tuple[Db, int], tmp_path: Path) -> None:
    db, users = filled
    seconds = float(os.environ.get("BENCH_MEMORY_SECONDS", "60")) if users > 10 else 20.0
    info = benchmark.pedantic(
        lambda: _run_bot(db, users, seconds, tmp_path), rounds=1, iterations=1
    )
    benchmark.extra_info.update(info)
    print(f"\nrepaybot run {info}")
    assert info["scanned"], "the bot never scanned: see its log"


def test_persistence_load(benchmark: Any, tmp_path: Path) -> None:
    """RSS of loading every persisted user_data and conversation, as PTB does at start."""
    users = _BIG
    with _database(tmp_path) as db:
        now = datetime.now(UTC)
        draft = '{"adddebt": {"name": "招商银行信用卡", "principal": "12000.00", "step": "rate"}}'
        rows = [
            {"namespace": StateNamespace.USER_DATA, "key": str(TELEGRAM_IDS + u), "data": draft}
            for u in range(1, users + 1)
        ] + [
            {
                "namespace": StateNamespace.CONVERSATIONS,
                "key": f"adddebt|[{TELEGRAM_IDS + u}, {TELEGRAM_IDS + u}]",
                "data": '"rate"',
            }
            for u in range(1, users + 1)
        ]
        with db.engine.begin() as conn:
            conn.execute(insert(BotState), [{**r, "updated_at": now} for r in rows])
        script = textwrap.dedent(
            f"""
            import asyncio, gc, os
            from bot.clock import Clock
            from bot.persistence import DbPersistence
            from tracker.storage.db import make_engine, make_session_factory
            from tracker.storage.uow import SqlUnitOfWork
            engine = make_engine({_url_for_subprocess(db)!r})
            factory = make_session_factory(engine)
            p = DbPersistence(lambda: SqlUnitOfWork(factory), Clock())
            asyncio.run(p.get_conversations("warm-up"))
            def rss():
                for line in open(f"/proc/{{os.getpid()}}/status"):
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
            gc.collect()
            before = rss()
            data = asyncio.run(p.get_user_data())
            conv = asyncio.run(p.get_conversations("adddebt"))
            gc.collect()
            after = rss()
            print(len(data), len(conv), before, after)
            """
        )

        def run() -> list[int]:
            out = subprocess.run(
                [sys.executable, "-c", script],
                check=True,
                capture_output=True,
                text=True,
                cwd=Path(__file__).parent.parent,
            )
            return [int(x) for x in out.stdout.split()]

        n_data, n_conv, before, after = benchmark.pedantic(run, rounds=1, iterations=1)
        info = {
            "user_data_rows": n_data,
            "conversation_rows": n_conv,
            "rss_delta_mb": round((after - before) / 1024, 1),
        }
        benchmark.extra_info.update(info)
        print(f"\npersistence load {info}")
