"""The short string values stored in enum columns, validated in code rather than by the DB."""

from __future__ import annotations

from enum import StrEnum

# Stored in debts.card_minimum_rule and debts.card_interest_on; defined beside the card model.
from tracker.cards import InterestOn as InterestOn
from tracker.cards import MinimumRule as MinimumRule

# Stored in debts.penalty_mode; defined beside the ledger that applies it.
from tracker.ledger import PenaltyMode as PenaltyMode


class Language(StrEnum):
    """The languages the bot speaks."""

    ZH = "zh"
    EN = "en"


class BudgetSource(StrEnum):
    """Where a capacity snapshot came from."""

    BUDGET = "budget"  # the user filled in /budget
    HARDSHIP = "hardship"  # derived from a hardship report


class DebtKind(StrEnum):
    """The kind of credit product."""

    CONSUMER_LOAN = "consumer_loan"
    CREDIT_CARD = "credit_card"
    OTHER = "other"


class DebtStatus(StrEnum):
    """Where a debt is in its life."""

    ACTIVE = "active"
    CLOSED = "closed"  # repaid or settled
    ARCHIVED = "archived"  # hidden by the user


class PlanStatus(StrEnum):
    """The state of one version of a debt's repayment plan."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    REJECTED = "rejected"


class PlanOrigin(StrEnum):
    """Why a plan version exists."""

    ORIGINAL = "original"  # the contract as signed
    RENEGOTIATED = "renegotiated"  # agreed with the lender
    PROPOSAL = "proposal"  # computed by the planner, not (yet) agreed
    PREPAYMENT = "prepayment"  # recomputed by the lender after a prepayment


class Channel(StrEnum):
    """How a renegotiated plan was agreed with the lender."""

    HOTLINE = "hotline"
    APP_CHAT = "app_chat"
    LETTER = "letter"
    BRANCH = "branch"
    OTHER = "other"


class DocumentKind(StrEnum):
    """The kind of proof attached to an agreement."""

    PHOTO = "photo"
    PDF = "pdf"


class PaymentSource(StrEnum):
    """How a payment was recorded."""

    COMMAND = "command"
    TEXT = "text"
    BUTTON = "button"
    IMPORT = "import"


class ReportSource(StrEnum):
    """How a hardship report came: the /hardship questions, or a reminder's "I can't pay"."""

    HARDSHIP = "hardship"
    REMINDER = "reminder"


class HardshipKind(StrEnum):
    """What changed in the borrower's life."""

    INCOME_DROP = "income_drop"
    NEW_EXPENSE = "new_expense"
    ONE_OFF = "one_off"
    OTHER = "other"


class OutboxStatus(StrEnum):
    """The delivery state of an outgoing message."""

    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker until locked_until
    SENT = "sent"
    FAILED = "failed"  # permanently: e.g. the user blocked the bot
    DROPPED = "dropped"  # expired or cancelled before sending


class StateNamespace(StrEnum):
    """The python-telegram-bot persistence stores."""

    CONVERSATIONS = "conversations"
    USER_DATA = "user_data"
    CHAT_DATA = "chat_data"
    BOT_DATA = "bot_data"
    CALLBACK_DATA = "callback_data"
