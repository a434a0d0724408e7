"""Column types that keep money, rates, timestamps and enums exact on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.types import DateTime, TypeDecorator, TypeEngine

#: Primary and foreign keys: 64-bit on PostgreSQL; on SQLite only ``INTEGER PRIMARY KEY`` is an
#: alias of the rowid and autoincrements, and SQLite integers are 64-bit anyway.
ID_TYPE: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")

#: Length of enum columns: room for every value we use plus future ones.
ENUM_LENGTH = 32

E = TypeVar("E", bound=StrEnum)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that refuses naive datetimes and always comes back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to UTC; naive ones are a bug, so refuse them."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: attach a timezone")
        utc = value.astimezone(UTC)
        # SQLite stores text without an offset; dropping it keeps every stored value UTC.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC whatever the driver gives back."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class DecimalText(TypeDecorator[Decimal]):
    """An exact Decimal stored as its text (SQLite would turn NUMERIC into a float)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        """Store the exact digits; floats never reach the database."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"expected a Decimal, got {type(value).__name__}")
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError(f"{number} is not a finite number")
        return format(number, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """Parse the stored text back into the same Decimal."""
        if value is None:
            return None
        return Decimal(str(value))

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        """Compare with Decimals through this type so literals are bound as text too."""
        return self


class StrEnumText(TypeDecorator[E], Generic[E]):
    """A StrEnum stored as a short string (no DB enum type, so adding a value needs no DDL)."""

    impl = String(ENUM_LENGTH)
    cache_ok = True

    def __init__(self, enum_class: type[E]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        """Validate against the enum so a typo fails here instead of in the data."""
        if value is None:
            return None
        return self.enum_class(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        """Return the enum member."""
        if value is None:
            return None
        return self.enum_class(value)

    def __repr__(self) -> str:
        return f"StrEnumText({self.enum_class.__name__})"
