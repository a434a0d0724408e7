"""Housekeeping: forget handled Telegram updates once no redelivery can come (the "prune" job)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tracker.storage.repositories import UPDATE_ID_REUSE
from tracker.storage.uow import SqlUnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PruneReport:
    """How many rows one run removed."""

    inbox: int
    processed: int


def prune(make_uow: Callable[[], SqlUnitOfWork], now: datetime) -> PruneReport:
    """Remove stored and handled updates older than the window in which Telegram may resend.

    Past it an id means a new update anyway (``InboxRepository.store``), so nothing is lost.
    """
    before = now - UPDATE_ID_REUSE
    with make_uow() as uow:
        report = PruneReport(uow.inbox.prune(before), uow.processed_updates.prune(before))
        uow.commit()
    return report
