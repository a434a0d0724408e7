"""Claims a dead process left behind: released when the next process starts sending.

The sender claims a batch of outbox rows for ``DEFAULT_LEASE`` (5 minutes: longer than any send
with its retries and flood waits), so that no other instance sends a row that one is still
sending. A process killed while it held a claim leaves its rows, a reply announcing a recorded
payment among them, waiting for the lease to run out. Worker ids name the host and the process
(``worker_id``), so at its first send run a process releases the claims of the ids on its
own host whose process is gone, or whose pid is its own but which it did not make (its container
restarted). Other hosts' claims and those of live processes wait for their lease as before. A
released row is sent again, as at least once already allowed: the dead process may have sent it.

This takes each host name for one machine or container, as Docker, Compose (also scaled) and
Kubernetes give them: replicas that share a host name in separate containers (one ``hostname:``
for a scaled service) would take each other's live claims for a stopped process's.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from tracker.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

MakeUow = Callable[[], UnitOfWork]

#: The worker ids this process made (an application restarted in the same process may still be
#: sending from the one before: its claims are never taken for a dead process's).
_OURS: set[str] = set()


def host_name() -> str:
    """This host as worker ids name it."""
    return socket.gethostname()[:40]


def worker_id() -> str:
    """A name unique to this process: host, pid and a random part (a restart gets a new one)."""
    name = f"{host_name()}-{os.getpid()}-{secrets.token_hex(4)}"
    _OURS.add(name)
    return name


def orphaned(
    worker_ids: Iterable[str],
    *,
    host: str,
    pid: int,
    ours: Collection[str],
    alive: Callable[[int], bool],
) -> list[str]:
    """The ids among ``worker_ids`` of processes on ``host`` that are gone: a pid not alive, or
    ``pid`` itself in an id not among ``ours`` (an earlier process with the same pid)."""
    gone = []
    for worker in worker_ids:
        parts = worker.rsplit("-", 2)
        if len(parts) != 3 or parts[0] != host or not parts[1].isdigit() or worker in ours:
            continue
        other = int(parts[1])
        if other == pid or not alive(other):
            gone.append(worker)
    return gone


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this host (perhaps another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_orphaned(make_uow: MakeUow, now: datetime) -> int:
    """Release the claims of this host's dead processes (see the module); how many rows."""
    with make_uow() as uow:
        gone = orphaned(
            uow.outbox.claimants(), host=host_name(), pid=os.getpid(), ours=_OURS, alive=pid_alive
        )
        released = uow.outbox.release_claims(gone) if gone else 0
        uow.commit()
    if released:
        logger.warning(
            "%d message(s) claimed by %d stopped process(es) go out again now, at %s",
            released,
            len(gone),
            now.isoformat(timespec="seconds"),
        )
    return released
