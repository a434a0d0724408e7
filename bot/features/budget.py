"""Placeholder for the budget feature (being built)."""

from __future__ import annotations

from telegram.ext import BaseHandler

COMMANDS: list[tuple[str, str]] = []


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """No handlers yet."""
    return []
