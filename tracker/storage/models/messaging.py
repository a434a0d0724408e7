"""The reminder outbox, python-telegram-bot persistence, and the Telegram update inbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, SmallInteger, String, Text, UniqueConstraint
from sqlmodel import Field

from tracker.storage.enums import OutboxStatus, StateNamespace
from tracker.storage.models.base import TABLE_OPTIONS, Base, utcnow
from tracker.storage.types import ID_TYPE, StrEnumText, UTCDateTime


class Outbox(Base, table=True):
    """A message to send at ``due_at``, exactly once per ``key``."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_outbox_status_priority_next_attempt", "status", "priority", "next_attempt_at"),
        Index("ix_outbox_user_id", "user_id"),
        TABLE_OPTIONS,
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    key: str = Field(sa_type=String(200))  # tracker.reminders keys: "due:<installment>:<lead>", …
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=ID_TYPE)
    chat_id: int = Field(sa_type=BigInteger)
    kind: str = Field(sa_type=String(32))
    #: 0 is the most urgent: the sender claims the most urgent level due first (the morning peak).
    priority: int = Field(default=0, sa_type=SmallInteger, sa_column_kwargs={"server_default": "0"})
    payload: str = Field(default="{}", sa_type=Text)  # JSON
    due_at: datetime = Field(sa_type=UTCDateTime())
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=StrEnumText(OutboxStatus))
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime())
    last_error: str | None = Field(default=None, sa_type=Text)
    locked_by: str | None = Field(default=None, sa_type=String(64))
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime())
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class SendRate(Base, table=True):
    """One send limit shared by every replica: a token bucket as the next free moment (GCRA)."""

    __tablename__ = "send_rate"

    name: str = Field(primary_key=True, sa_type=String(32))
    #: The theoretical arrival time of the next message, µs since the epoch.
    tat_us: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    #: Nobody sends before this (a 429's retry_after), µs since the epoch.
    paused_until_us: int = Field(
        default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"}
    )


class BotState(Base, table=True):
    """One entry of python-telegram-bot persistence, as JSON."""

    __tablename__ = "bot_state"
    __table_args__ = (UniqueConstraint("namespace", "key"), TABLE_OPTIONS)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    namespace: StateNamespace = Field(sa_type=StrEnumText(StateNamespace))
    key: str = Field(sa_type=String(255))
    data: str = Field(sa_type=Text)  # JSON
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class ProcessedUpdate(Base, table=True):
    """A Telegram update already handled, so a redelivery is recognised."""

    __tablename__ = "processed_updates"
    __table_args__ = (Index("ix_processed_updates_processed_at", "processed_at"),)

    update_id: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class InboxUpdate(Base, table=True):
    """A Telegram update as received, stored before its offset is confirmed to Telegram.

    It is pending until a ``processed_updates`` row with its id (written in the same transaction
    as the update's effects) says it was handled; start-up replays the pending ones.
    """

    __tablename__ = "inbox_updates"
    __table_args__ = (
        Index("ix_inbox_updates_received_at", "received_at"),
        Index("ix_inbox_updates_telegram_user_id", "telegram_user_id"),
    )

    update_id: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    payload: str = Field(sa_type=Text)  # the update's JSON, as Telegram sent it
    #: Who sent it (None for updates without a user): /deletedata forgets their updates too.
    telegram_user_id: int | None = Field(default=None, sa_type=BigInteger)
