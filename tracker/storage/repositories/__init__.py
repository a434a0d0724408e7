"""Repositories: query and change one kind of row inside a unit of work; they never commit."""

from tracker.storage.repositories.base import Repository
from tracker.storage.repositories.debts import (
    DebtRepository,
    InstallmentRepository,
    PaymentRepository,
    PlanRepository,
)
from tracker.storage.repositories.inbox import (
    UPDATE_ID_REUSE,
    InboxRepository,
    NewUpdate,
    ProcessedUpdateRepository,
    StoredUpdate,
)
from tracker.storage.repositories.messaging import (
    DEFAULT_LEASE,
    BotStateRepository,
    NewMessage,
    OutboxRepository,
)
from tracker.storage.repositories.rate import BucketState, SendRateRepository
from tracker.storage.repositories.users import (
    BudgetRepository,
    HardshipRepository,
    UserRepository,
)

__all__ = [
    "DEFAULT_LEASE",
    "UPDATE_ID_REUSE",
    "BotStateRepository",
    "BucketState",
    "BudgetRepository",
    "DebtRepository",
    "HardshipRepository",
    "InboxRepository",
    "InstallmentRepository",
    "NewMessage",
    "NewUpdate",
    "OutboxRepository",
    "PaymentRepository",
    "PlanRepository",
    "ProcessedUpdateRepository",
    "Repository",
    "SendRateRepository",
    "StoredUpdate",
    "UserRepository",
]
