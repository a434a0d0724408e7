"""The repaybot tables; import this package to register them all on ``metadata``."""

from tracker.storage.models.base import NAMING_CONVENTION, Base, metadata, utcnow
from tracker.storage.models.debts import (
    DEFAULT_ALLOCATION_ORDER,
    Debt,
    Installment,
    Payment,
    PlanVersion,
)
from tracker.storage.models.messaging import (
    BotState,
    InboxUpdate,
    Outbox,
    ProcessedUpdate,
    SendRate,
)
from tracker.storage.models.users import Budget, HardshipReport, User

__all__ = [
    "DEFAULT_ALLOCATION_ORDER",
    "NAMING_CONVENTION",
    "Base",
    "BotState",
    "Budget",
    "Debt",
    "HardshipReport",
    "InboxUpdate",
    "Installment",
    "Outbox",
    "Payment",
    "PlanVersion",
    "ProcessedUpdate",
    "SendRate",
    "User",
    "metadata",
    "utcnow",
]
