"""Issue 12, "CI on PostgreSQL, always": ``.ci/run`` starts a throwaway PostgreSQL where one is
installed but none answers, removes it afterwards, and with CI=true refuses to go on without one.

The script runs a given command instead of lint and tests (``.ci/run CMD...``); here that
command reports what it was given, so each test checks the environment the suite would get.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "run"
#: Prints the URL the suite would get, and whether a PostgreSQL answers there.
PROBE = """
import os, sys
url = os.environ.get("TEST_DATABASE_URL")
print("URL=" + (url or ""))
if url and os.environ.get("PROBE_CONNECT"):
    import psycopg
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        print("DB=" + conn.execute("select current_database()").fetchone()[0])
        print("DATA=" + conn.execute("show data_directory").fetchone()[0])
sys.exit(int(os.environ.get("PROBE_EXIT", "0")))
"""


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def postgres_installed() -> bool:
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return True
    return any(
        os.access(os.path.join(d, "initdb"), os.X_OK)
        for d in ["/usr/local/bin", *glob.glob("/usr/lib/postgresql/*/bin")]
    )


def run_ci(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL", "CI"}}
    return subprocess.run(
        [str(SCRIPT), sys.executable, "-c", PROBE],
        env={**base, "TMPDIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def field(output: str, name: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith(f"{name}=")]
    assert len(lines) == 1, output
    return lines[0].split("=", 1)[1]


@pytest.mark.skipif(not postgres_installed(), reason="PostgreSQL is not installed here")
@pytest.mark.parametrize("exit_code", [0, 3])
def test_installed_but_not_running_starts_a_throwaway_cluster_and_removes_it(
    tmp_path: Path, exit_code: int
) -> None:
    probed = closed_port()
    done = run_ci(
        tmp_path, CI="true", CI_PG_PORT=str(probed), PROBE_CONNECT="1", PROBE_EXIT=str(exit_code)
    )
    assert done.returncode == exit_code, done.stdout + done.stderr  # the command's own status
    url = field(done.stdout, "URL")
    assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert field(done.stdout, "DB") == "test"  # it answered, with the database created
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    assert port != probed
    data = Path(field(done.stdout, "DATA"))
    assert not answers(port)  # stopped on exit
    assert not data.parent.exists()  # and its directory removed
    assert list(tmp_path.iterdir()) == []


def test_a_running_server_is_used_as_before(tmp_path: Path) -> None:
    with socket.socket() as listener:  # something answers on the probed port
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        done = run_ci(tmp_path, CI="true", CI_PG_PORT=str(port))
    assert f"URL=postgresql+psycopg://postgres@127.0.0.1:{port}/test" in done.stdout
    assert "PostgreSQL answers" in done.stdout
    assert list(tmp_path.iterdir()) == []  # no cluster started


def test_a_given_url_is_kept(tmp_path: Path) -> None:
    given = "postgresql+psycopg://someone@db.invalid:6543/elsewhere"
    done = run_ci(tmp_path, CI="true", TEST_DATABASE_URL=given, CI_PG_PORT="1")
    assert done.returncode == 0, done.stderr
    assert field(done.stdout, "URL") == given
    assert list(tmp_path.iterdir()) == []


def no_postgres_env(tmp_path: Path) -> dict[str, str]:
    """PATH without PostgreSQL's programs and nothing to find elsewhere."""
    path = "/usr/bin:/bin"
    if shutil.which("initdb", path=path):
        pytest.skip("initdb is in /usr/bin here")
    return {"PATH": path, "CI_PG_PORT": str(closed_port()), "CI_PG_SEARCH": str(tmp_path / "none")}


def test_ci_without_postgresql_fails_with_one_clear_line(tmp_path: Path) -> None:
    done = run_ci(tmp_path, CI="true", **no_postgres_env(tmp_path))
    assert done.returncode != 0
    assert "URL=" not in done.stdout  # the command did not run
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("CI: no PostgreSQL")


def test_outside_ci_without_postgresql_runs_on_sqlite_only(tmp_path: Path) -> None:
    done = run_ci(tmp_path, **no_postgres_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert field(done.stdout, "URL") == ""
    assert "SQLite only" in done.stdout
