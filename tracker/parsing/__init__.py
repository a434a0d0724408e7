"""Parsers for what borrowers type: amounts, rates, methods, dates and terms, in zh and en.

Every parser normalises its input first (``normalise_text``) and raises only ``DomainError``
subclasses whose ``code`` names a message the bot translates.
"""

from tracker.parsing.amounts import ParsedAmount, parse_amount
from tracker.parsing.rates import parse_rate
from tracker.parsing.text import normalise_text
from tracker.parsing.words import MAX_TERM, MIN_TERM, parse_date, parse_method, parse_term

__all__ = [
    "MAX_TERM",
    "MIN_TERM",
    "ParsedAmount",
    "normalise_text",
    "parse_amount",
    "parse_date",
    "parse_method",
    "parse_rate",
    "parse_term",
]
