"""The ``repaybot`` command: run the bot, apply migrations, or print a loan schedule."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tracker.dates import add_months
from tracker.errors import DomainError, InvalidRate
from tracker.parsing import parse_amount, parse_method, parse_rate, parse_term
from tracker.schedule_types import LoanTerms

logger = logging.getLogger(__name__)

EXIT_USAGE = 2

T = TypeVar("T")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-15") from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="repaybot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the bot (the local sandbox when no token is set)")
    sub.add_parser("migrate", help="apply database migrations to DATABASE_URL")
    calc = sub.add_parser(
        "schedule",
        help="print a repayment schedule, its totals and annualised rate",
        epilog='example: repaybot schedule --principal 10000 --rate "0.05%%/day" --term 12 '
        "--method annuity --start 2026-12-15",
    )
    calc.add_argument("--principal", required=True, help="amount borrowed, e.g. 10000 or 1万")
    calc.add_argument("--rate", required=True, help='e.g. "18%%", "0.05%%/day", 月利率1.5%%')
    calc.add_argument("--term", required=True, help="number of monthly installments, e.g. 12")
    calc.add_argument("--method", default="annuity", help="annuity, equal_principal, …")
    calc.add_argument("--start", type=_iso_date, required=True, help="day the money arrived")
    calc.add_argument("--first-due", type=_iso_date, help="first due date (default: a month on)")
    calc.add_argument("--fee-rate", default="0", help="per-period fee, e.g. 0.5%% (flat_fee)")
    calc.add_argument("--upfront-fee", default="0", help="fee taken when the money arrives")
    calc.add_argument("--currency", default="CNY")
    calc.add_argument("--day-count", type=int, choices=(365, 360), default=365)
    calc.add_argument("--lang", choices=("en", "zh"), default="en", help="money format locale")
    calc.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def _fee_rate(text: str) -> Decimal:
    """A per-period fee as a fraction: "0.5%" → 0.005."""
    try:
        value = Decimal(text.strip().removesuffix("%").removesuffix("％")) / 100
    except InvalidOperation:
        raise InvalidRate(f"{text!r} is not a percentage like 0.5%", code="rate_garbage") from None
    if not value.is_finite():
        raise InvalidRate(f"{text!r} is not a percentage like 0.5%", code="rate_garbage")
    return value


def _arg(flag: str, parse: Callable[[], T]) -> T:
    """Run one parser, naming the flag in its error so the user knows what to fix."""
    try:
        return parse()
    except DomainError as exc:
        raise DomainError(f"{flag}: {exc}", code=exc.code, **exc.params) from exc


def _schedule(args: argparse.Namespace) -> int:
    from tracker.calculator import quote, to_json, to_text

    currency = args.currency.upper()
    principal = _arg("--principal", lambda: parse_amount(args.principal, currency))
    upfront = _arg(
        "--upfront-fee",
        lambda: parse_amount(args.upfront_fee, principal.currency, allow_zero=True),
    )
    terms = LoanTerms(
        principal=principal.amount,
        rate=_arg("--rate", lambda: parse_rate(args.rate)),
        term=_arg("--term", lambda: parse_term(args.term)),
        method=_arg("--method", lambda: parse_method(args.method)),
        first_due=args.first_due or add_months(args.start, 1),
        start_date=args.start,
        currency=principal.currency,
        day_count=args.day_count,
        fee_rate=_arg("--fee-rate", lambda: _fee_rate(args.fee_rate)),
        upfront_fee=upfront.amount,
    )
    result = quote(terms)
    locale = "zh_CN" if args.lang == "zh" else "en"
    if args.json:
        print(json.dumps(to_json(result), ensure_ascii=False, indent=2))
    else:
        print(to_text(result, locale))
    return 0


def _migrate() -> int:
    from tracker.settings import Settings
    from tracker.storage.migrate import upgrade

    settings = Settings()
    upgrade(settings.database_url)
    print(f"database is up to date: {settings.database_url}")
    return 0


def _run() -> int:
    from bot.main import run

    return run()


def database_problem(error: DBAPIError) -> str:
    """One line on why the database failed, naming it without its password."""
    from tracker.settings import Settings

    url = make_url(Settings().database_url).render_as_string(hide_password=True)
    cause = error.orig if error.orig is not None else error
    reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return f"cannot use the database {url}: {reason}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``repaybot`` console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        if args.command == "schedule":
            return _schedule(args)
        if args.command == "migrate":
            return _migrate()
        return _run()
    except DomainError as exc:
        print(f"repaybot {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as exc:
        # A bad setting in the environment or .env: say which, without a traceback.
        print(f"repaybot {args.command}: invalid settings:\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    except DBAPIError as exc:
        # The database cannot be reached, opened or written: one line, not a traceback.
        print(f"repaybot {args.command}: {database_problem(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
