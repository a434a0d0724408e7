"""Debts: record one with its original plan, say where it stands, change, find, archive, delete.

The use cases live by responsibility, and this module names them all in one place:

- ``debts_entry``: checking and storing a new debt, a loan already running (issue 9);
- ``debts_position``: a stored plan read back, where a debt stands on a day, sums over debts;
- ``debts_edit``: the lender, name, rate or dates changed; finding, archiving, deleting.

What a borrower types is read in ``tracker.parsing.debt_terms`` and ``tracker.parsing.debt_line``
before any of these is called; ``DebtSpec`` (what the readers fill in) is named here too.
"""

from __future__ import annotations

# Read in tracker.parsing, named here for code not yet importing them from there (issue 13).
from tracker.parsing.debt_terms import DebtSpec
from tracker.services.debts_edit import (
    DebtFootprint,
    archive_debt,
    change_lender,
    change_terms,
    debt_footprint,
    delete_debt,
    editable_plan,
    find_debts,
    known_lenders,
    rename_debt,
    set_lender,
)
from tracker.services.debts_entry import (
    add_debt,
    add_plan,
    check_spec,
    due_so_far,
    from_app_figures,
    paid_before_tracking,
)
from tracker.services.debts_position import (
    DueSoon,
    Position,
    counts,
    due_within,
    ledger_payments,
    lender_of,
    loan_began,
    owed_by_currency,
    policy_of,
    position,
    position_of,
    positions,
    rows_of,
    terms_columns,
    terms_of,
)

__all__ = [
    "DebtFootprint",
    "DebtSpec",
    "DueSoon",
    "Position",
    "add_debt",
    "add_plan",
    "archive_debt",
    "change_lender",
    "change_terms",
    "check_spec",
    "counts",
    "debt_footprint",
    "delete_debt",
    "due_so_far",
    "due_within",
    "editable_plan",
    "find_debts",
    "from_app_figures",
    "known_lenders",
    "ledger_payments",
    "lender_of",
    "loan_began",
    "owed_by_currency",
    "paid_before_tracking",
    "policy_of",
    "position",
    "position_of",
    "positions",
    "rename_debt",
    "rows_of",
    "set_lender",
    "terms_columns",
    "terms_of",
]
