"""Domain errors: each carries a stable code and parameters so any layer can word it."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A problem with what the user asked for, reported to them rather than logged as a bug.

    ``code`` is stable and names a message in the translation catalogs; ``params`` fill it in.
    ``str(error)`` is an English sentence for logs and the command line.
    """

    code: str = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, **params: Any) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.params: dict[str, Any] = params


class InvalidAmount(DomainError):
    """An amount of money could not be understood or is out of range."""

    code = "invalid_amount"


class InvalidRate(DomainError):
    """An interest or fee rate could not be understood or is out of range."""

    code = "invalid_rate"


class InvalidTerms(DomainError):
    """Loan terms (term, dates, method, fees) do not make a schedule."""

    code = "invalid_terms"


class InvalidDate(DomainError):
    """A date could not be understood or is out of range."""

    code = "invalid_date"


class NotFound(DomainError):
    """The thing asked for does not exist, or belongs to someone else."""

    code = "not_found"


class Conflict(DomainError):
    """The request contradicts what is stored (a duplicate, a stale state)."""

    code = "conflict"
