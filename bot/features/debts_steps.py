"""The /adddebt questions: what each step asks, and how it reads and keeps the answer.

A step reader takes the turn, the draft (``context.user_data["adddebt"]``, strings only, since
persistence is JSON) and the typed text or button argument; it raises a DomainError for a wrong
answer before changing the draft, and returns the next state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from bot.features.debts_text import (
    LINE_PERIOD_QUESTION,
    METHOD_BUTTONS,
    RATE_PERIOD_QUESTION,
    app_next_due_question,
    app_principal_question,
    app_term_question,
    extras_text,
    method_name,
    paid_count_question,
    quote_text,
    rate_text,
    running_text,
)
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Keyboard, Turn, kb
from bot.views import d, m
from tracker.dates import add_months
from tracker.errors import DomainError, InvalidAmount, InvalidRate, InvalidTerms
from tracker.ledger import PenaltyMode, PenaltyPolicy
from tracker.parsing import parse_amount, parse_method, parse_rate, parse_term
from tracker.parsing.rates import rate_readings
from tracker.parsing.text import is_skip
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import (
    DebtSpec,
    check_loan_date,
    check_spec,
    clean_lender,
    clean_name,
    default_penalty,
    due_so_far,
    from_app_figures,
    parse_daily_late_fee,
    parse_fee_rate,
    parse_first_due,
    parse_grace_days,
    parse_loan_date,
    parse_paid_count,
    parse_penalty_multiplier,
    parse_rate_per,
    remaining_principal,
)
from tracker.services.debts import paid_before_tracking as with_paid_before_tracking

DRAFT = "adddebt"
NAME, PRINCIPAL, RATE, TERM, METHOD, FEE, FIRST_DUE, SUMMARY, EXTRAS, EXTRA_VALUE = range(10)
#: After the rate step, or a one-line /adddebt, gave a rate without its period (``0.05%``).
RATE_PERIOD, LINE_PERIOD = 10, 11
#: A loan already running (first due date past, issue 9): what has happened since, how many
#: installments were paid, or the three figures the lender's app shows.
RUNNING, PAID_COUNT, APP_PRINCIPAL, APP_TERM, APP_NEXT_DUE = range(12, 17)
#: Not a state: the step's answer completes a running loan, which is saved now.
SAVE = -2
STEPS = 6

Draft = dict[str, str]

QUESTIONS = {
    NAME: N_(
        "What is the debt called? For example <code>金条</code>, <code>白条</code> or <code>招行信用卡</code>."
    ),
    PRINCIPAL: N_(
        "How much was borrowed (the principal)? For example <code>10000</code>, <code>1.2万</code> or <code>USD500</code>."
    ),
    RATE: N_(
        "What interest rate does the contract give, with its period? For example <code>0.05%/day</code>, <code>日利率0.05%</code>, <code>1.5%/month</code> or <code>年化18%</code>. For an installment plan with a fee instead of interest (分期手续费), write <code>0</code>."
    ),
    TERM: N_(
        "Over how many monthly installments? For example <code>12</code>, <code>24期</code> or <code>1年</code>."
    ),
    METHOD: N_("How is it repaid? Choose below (or type the method's name)."),
    FEE: N_(
        "What fee is charged per installment, as a share of the principal? For example <code>0.5%</code> (0.5 % each month)."
    ),
    FIRST_DUE: N_(
        "When is the first installment due? Choose a date below or type one, for example <code>2027-01-15</code>, <code>1月15日</code> or <code>15号</code>."
    ),
}
STEP_NUMBERS = {
    NAME: 1,
    PRINCIPAL: 2,
    RATE: 3,
    RATE_PERIOD: 3,
    TERM: 4,
    METHOD: 5,
    FEE: 5,
    FIRST_DUE: 6,
}

EXTRA_QUESTIONS = {
    "grace": N_(
        "How many grace days does the lender allow after each due date before a payment counts as overdue? For example <code>0</code> or <code>3</code>."
    ),
    "multiplier": N_(
        "Penalty interest (罚息) on overdue principal runs at how many times the contract rate? Usually <code>1.5</code>."
    ),
    "daily": N_(
        "What late fee is charged per day on the overdue amount? For example <code>0.05%</code> (白条 charges 0.05 % a day)."
    ),
    "upfront": N_(
        "Was a fee taken when the money was paid out (an upfront or service fee)? Type the amount, or <code>0</code> for none."
    ),
    "lender": N_(
        "Which company do you repay (the lender)? For example <code>JD Finance</code> or <code>China Merchants Bank</code>. Press ⏭ Skip if the name already says it."
    ),
    "start": N_(
        "On what day was the money paid out to you (the loan date)? Interest runs from then. For example <code>2026-11-01</code> or <code>11月1日</code>."
    ),
}

WELCOME = N_("Let's add a debt. /cancel stops at any step; nothing is saved until you press Save.")
USE_BUTTONS = N_("Please choose with the buttons below.")


def spec_of(draft: Draft) -> DebtSpec:
    """The debt a complete draft describes (KeyError/ValueError if it is not complete)."""
    method = Method(draft["method"])
    rate = Rate(Decimal(draft["rate"]), RateUnit(draft["unit"]))
    if method is Method.FLAT_FEE:
        rate = Rate(Decimal(0), RateUnit.MONTH)  # the fee per installment replaces the rate
    terms = LoanTerms(
        principal=Decimal(draft["principal"]),
        rate=rate,
        term=int(draft["term"]),
        method=method,
        first_due=date.fromisoformat(draft["first_due"]),
        currency=draft["currency"],
        fee_rate=Decimal(draft.get("fee", "0")) if method is Method.FLAT_FEE else Decimal(0),
        upfront_fee=Decimal(draft.get("upfront", "0")),
        start_date=date.fromisoformat(draft["start"]) if "start" in draft else None,
    )
    penalty = default_penalty(method)
    if "pmode" in draft:
        penalty = PenaltyPolicy(
            mode=PenaltyMode(draft["pmode"]),
            multiplier=Decimal(draft.get("pmult", "1.5")),
            daily_rate=Decimal(draft.get("pdaily", "0")),
        )
    penalty = replace(penalty, on_interest=draft.get("pint") == "1")
    return DebtSpec(
        name=draft["name"],
        terms=terms,
        grace_days=int(draft.get("grace", "0")),
        penalty=penalty,
        fees_on_payoff={"1": True, "0": False}.get(draft.get("pfees", "")),
        lender=draft.get("lender") or None,
    )


def draft_of(spec: DebtSpec) -> Draft:
    """A draft ``spec_of`` reads back as ``spec`` (a one-line debt asked about, issue 9)."""
    terms = spec.terms
    draft = {
        "name": spec.name,
        "principal": str(terms.principal),
        "currency": terms.currency,
        "rate": str(terms.rate.value),
        "unit": terms.rate.unit.value,
        "term": str(terms.term),
        "method": terms.method.value,
        "first_due": terms.first_due.isoformat(),
    }
    if terms.method is Method.FLAT_FEE:
        draft["fee"] = str(terms.fee_rate)
    if terms.upfront_fee:
        draft["upfront"] = str(terms.upfront_fee)
    if terms.start_date is not None:
        draft["start"] = terms.start_date.isoformat()
    if spec.grace_days:
        draft["grace"] = str(spec.grace_days)
    if spec.penalty != default_penalty(terms.method):
        draft.update(
            pmode=spec.penalty.mode.value,
            pmult=str(spec.penalty.multiplier),
            pdaily=str(spec.penalty.daily_rate),
            pint="1" if spec.penalty.on_interest else "0",
        )
    if spec.fees_on_payoff is not None:
        draft["pfees"] = "1" if spec.fees_on_payoff else "0"
    if spec.lender is not None:
        draft["lender"] = spec.lender
    return draft


def is_running(t: Turn, draft: Draft) -> bool:
    """Whether the draft's first due date is before today: a loan already running."""
    return date.fromisoformat(draft["first_due"]) < t.today


def start_running(draft: Draft) -> int:
    """Forget earlier answers about a running loan and ask what has happened since."""
    for key in ("asked", "paid", "app_principal", "app_term", "app_next_due"):
        draft.pop(key, None)
    return RUNNING


def _next_original_due(t: Turn, spec: DebtSpec) -> date | None:
    """The original plan's first due date from today on: the likeliest next due date."""
    rows = check_spec(spec).rows
    return next((row.due_date for row in rows if row.due_date >= t.today), None)


def due_choices(t: Turn) -> list[date]:
    """The two likeliest first due dates: one and two months from today."""
    return [add_months(t.today, 1), add_months(t.today, 2)]


def period_buttons(t: Turn, text: str) -> Keyboard:
    """One button per plausible reading of a rate without its period, with its yearly rate."""
    return kb(
        *[[t.button(rate_text(t, rate), "adu", rate.unit.value)] for rate in rate_readings(text)]
    )


def question(t: Turn, state: int, draft: Draft) -> tuple[str, Keyboard | None]:
    if state == RATE_PERIOD:
        asked = t._(RATE_PERIOD_QUESTION, rate=esc(draft["rate_text"]))
        buttons = period_buttons(t, draft["rate_text"])
        return f"<b>{STEP_NUMBERS[state]}/{STEPS}</b> {asked}", buttons
    if state == LINE_PERIOD:
        asked = t._(LINE_PERIOD_QUESTION, rate=esc(draft["rate_text"]))
        return asked, period_buttons(t, draft["rate_text"])
    if state in QUESTIONS:
        text = f"<b>{STEP_NUMBERS[state]}/{STEPS}</b> " + t._(QUESTIONS[state])
        if state == METHOD:
            return text, kb(
                *[[t.button(method_name(t, m), "adm", m.value)] for m in METHOD_BUTTONS]
            )
        if state == FEE and draft.get("unit") == RateUnit.MONTH.value and Decimal(draft["rate"]):
            fee = f"{(Decimal(draft['rate']) * 100).normalize():f}%"
            return text, kb([t.button(t._("Use {fee} per installment", fee=fee), "adf")])
        if state == FIRST_DUE:
            days = due_choices(t)
            return text, kb([t.button(d(t, day), "add", day.strftime("%Y%m%d")) for day in days])
        return text, None
    spec = spec_of(draft)
    if state in (RUNNING, PAID_COUNT, APP_PRINCIPAL, APP_TERM, APP_NEXT_DUE):
        return running_question(t, state, draft, spec)
    if state == SUMMARY:
        text = "\n".join(
            (
                quote_text(t, spec, check_spec(spec)),
                # One line: the summary must fit a phone (the ⚙️ screen lists them one by one).
                extras_text(t, spec).replace("\n", " "),
                t._("Save this debt?"),
            )
        )
        return text, kb(
            [t.button(t._("💾 Save"), "ads", "save")],
            [t.button(t._("⚙️ Lender, fees, grace days, penalty"), "ads", "extras")],
            [t.button(t._("✖️ Cancel"), "ads", "cancel")],
        )
    if state == EXTRAS:
        text = "\n".join(
            (
                t._("<b>Optional terms</b> — change only what your contract says differently:"),
                extras_text(t, spec, loan_date=True),
            )
        )
        return text, kb(
            [
                t.button(t._("Grace days"), "adx", "grace"),
                t.button(t._("Upfront fee"), "adx", "upfront"),
            ],
            [
                t.button(t._("Penalty × contract rate"), "adx", "multiplier"),
                t.button(t._("Daily late fee"), "adx", "daily"),
            ],
            [
                t.button(t._("Loan date"), "adx", "start"),
                t.button(t._("Lender"), "adx", "lender"),
            ],
            [t.button(_compound_label(t, spec), "adx", "compound")],
            [t.button(_payoff_fees_label(t, spec), "adx", "payfees")]
            if spec.terms.method is Method.FLAT_FEE
            else [],
            [t.button(t._("✅ Back to the summary"), "adx", "done")],
        )
    asking = draft.get("asking", "grace")
    if asking == "lender":  # optional: the name stands in for it until it is said
        return t._(EXTRA_QUESTIONS[asking]), kb([t.button(t._("⏭ Skip"), "adv", "skip")])
    if asking == "start":  # the one optional term with a default worth a button
        default = add_months(spec.terms.first_due, -1)
        label = t._("Default: {date}", date=d(t, default))
        return t._(EXTRA_QUESTIONS[asking]), kb([t.button(label, "adv", "default")])
    return t._(EXTRA_QUESTIONS[asking]), None


def running_question(
    t: Turn, state: int, draft: Draft, spec: DebtSpec
) -> tuple[str, Keyboard | None]:
    """The questions about a loan already running (issue 9)."""
    due = due_so_far(spec, t.today)
    if state == RUNNING:
        return running_text(t, spec, due), kb(
            [t.button(t._("✅ All paid so far"), "adr", "all")],
            [t.button(t._("🔢 Some paid: how many?"), "adr", "some")],
            [t.button(t._("⚠️ I'm behind"), "adr", "behind")],
            [t.button(t._("📱 Enter what my app shows"), "adr", "app")],
            [t.button(t._("✖️ Cancel"), "adr", "cancel")],
        )
    if state == PAID_COUNT:
        return paid_count_question(t, draft.get("asked", "some"), due), None
    if state == APP_PRINCIPAL:
        balance = due[-1].balance if due else spec.terms.principal
        return app_principal_question(t, spec, balance or spec.terms.principal), None
    if state == APP_TERM:
        return app_term_question(t, max(1, spec.terms.term - len(due))), None
    upcoming = _next_original_due(t, spec)
    if upcoming is None:
        return app_next_due_question(t, add_months(t.today, 1).isoformat()), None
    button = t.button(d(t, upcoming), "adn", upcoming.strftime("%Y%m%d"))
    return app_next_due_question(t, upcoming.isoformat()), kb([button])


# ---- steps: each reads an answer, keeps it in the draft and names the next state -------------


def read_name(t: Turn, draft: Draft, text: str) -> int:
    draft["name"] = clean_name(text)
    return PRINCIPAL


def read_principal(t: Turn, draft: Draft, text: str) -> int:
    parsed = parse_amount(text, t.user.currency)
    draft.update(principal=str(parsed.amount), currency=parsed.currency)
    return RATE


def read_rate(t: Turn, draft: Draft, text: str) -> int:
    try:
        rate = parse_rate(text)
    except InvalidRate:
        if not rate_readings(text):
            raise
        # No period and no plain one (0.05%): ask, keeping what was typed for the answer.
        draft["rate_text"] = text
        return RATE_PERIOD
    draft.pop("rate_text", None)
    draft.update(rate=str(rate.value), unit=rate.unit.value)
    return TERM


def press_rate_unit(t: Turn, draft: Draft, value: str) -> int:
    rate = parse_rate_per(draft["rate_text"], RateUnit(value))
    draft.pop("rate_text")
    draft.update(rate=str(rate.value), unit=rate.unit.value)
    return TERM


def read_term(t: Turn, draft: Draft, text: str) -> int:
    draft["term"] = str(parse_term(text))
    return METHOD


def choose_method(draft: Draft, method: Method) -> int:
    if method is Method.CUSTOM:
        raise InvalidTerms(
            "custom plans are recorded with /plan", code="method_unknown", text="custom"
        )
    draft["method"] = method.value
    for key in ("pmode", "pmult", "pdaily"):  # the default penalty depends on the method
        draft.pop(key, None)
    return FEE if method is Method.FLAT_FEE else FIRST_DUE


def read_method(t: Turn, draft: Draft, text: str) -> int:
    return choose_method(draft, parse_method(text))


def read_fee(t: Turn, draft: Draft, text: str) -> int:
    draft["fee"] = str(parse_fee_rate(text))
    return FIRST_DUE


def set_first_due(draft: Draft, day: date) -> int:
    trial = {**draft, "first_due": day.isoformat()}
    check_spec(spec_of(trial))  # a date that makes no schedule is refused here, not at Save
    draft.update(trial)
    return SUMMARY


def read_first_due(t: Turn, draft: Draft, text: str) -> int:
    return set_first_due(draft, parse_first_due(text, today=t.today))


def read_extra(t: Turn, draft: Draft, text: str) -> int:
    asking = draft.get("asking", "grace")
    trial = dict(draft)
    if asking == "grace":
        trial["grace"] = str(parse_grace_days(text))
    elif asking == "multiplier":
        trial.update(
            pmode=PenaltyMode.RATE_MULTIPLIER.value, pmult=str(parse_penalty_multiplier(text))
        )
    elif asking == "daily":
        trial.update(
            pmode=PenaltyMode.DAILY_RATE_ON_OVERDUE.value, pdaily=str(parse_daily_late_fee(text))
        )
    elif asking == "lender":
        trial["lender"] = "" if is_skip(text) else clean_lender(text)
    elif asking == "start":
        start = parse_loan_date(text, today=t.today)
        check_loan_date(start, date.fromisoformat(draft["first_due"]), t.today)
        trial["start"] = start.isoformat()
    else:
        parsed = parse_amount(text, draft["currency"], allow_zero=True)
        if parsed.currency != draft["currency"]:
            raise InvalidAmount("another currency", code="amount_currency_conflict", text=text)
        trial["upfront"] = str(parsed.amount)
    check_spec(spec_of(trial))
    trial.pop("asking", None)
    draft.clear()
    draft.update(trial)
    return EXTRAS


def not_text(t: Turn, draft: Draft, text: str) -> int:
    raise UseButtons


class UseButtons(Exception):
    """Text where a button is expected: ask again with the buttons."""


Step = Callable[[Turn, Draft, str], int]


def press_method(t: Turn, draft: Draft, value: str) -> int:
    return choose_method(draft, Method(value))


def press_fee(t: Turn, draft: Draft, value: str) -> int:
    draft["fee"] = str(Decimal(draft["rate"]))
    return FIRST_DUE


def press_due(t: Turn, draft: Draft, value: str) -> int:
    return set_first_due(draft, date(int(value[:4]), int(value[4:6]), int(value[6:8])))


def press_loan_default(t: Turn, draft: Draft, value: str) -> int:
    """The loan date's default, or no lender (Skip): the optional term is left unsaid."""
    draft.pop("lender" if draft.get("asking") == "lender" else "start", None)
    draft.pop("asking", None)
    return EXTRAS


def _compound_label(t: Turn, spec: DebtSpec) -> str:
    """The toggle for penalty on overdue interest (复利), showing its current state."""
    if spec.penalty.on_interest:
        return t._("Penalty on overdue interest too (复利): on")
    return t._("Penalty on overdue interest too (复利): off")


def _payoff_fees_label(t: Turn, spec: DebtSpec) -> str:
    """The toggle for the fees an early payoff still owes, showing its current state."""
    if spec.fees_on_payoff is False:
        return t._("Paying off early drops the remaining fees")
    return t._("Paying off early still owes the remaining fees")


def press_extra(t: Turn, draft: Draft, value: str) -> int:
    if value == "done":
        return SUMMARY
    if value == "compound":  # off unless the contract says so (lenders differ)
        draft["pint"] = "0" if draft.get("pint") == "1" else "1"
        return EXTRAS
    if value == "payfees":  # not said counts as still owed: the safe answer
        draft["pfees"] = "1" if draft.get("pfees") == "0" else "0"
        return EXTRAS
    if value not in EXTRA_QUESTIONS:
        raise ValueError(f"unknown option {value!r}")
    draft["asking"] = value
    return EXTRA_VALUE


# ---- a loan already running (issue 9) --------------------------------------------------------


def keep_paid_count(t: Turn, draft: Draft, count: int) -> int:
    """Keep how many installments were paid before tracking, once checked against today."""
    with_paid_before_tracking(spec_of(draft), count, t.today)
    draft["paid"] = str(count)
    return SAVE


def read_running(t: Turn, draft: Draft, text: str) -> int:
    """A count typed instead of pressing a button (``前4期已经还了``) is understood."""
    try:
        count = parse_paid_count(text)
    except DomainError:
        raise UseButtons from None
    return keep_paid_count(t, draft, count)


def read_paid_count(t: Turn, draft: Draft, text: str) -> int:
    return keep_paid_count(t, draft, parse_paid_count(text))


def read_app_principal(t: Turn, draft: Draft, text: str) -> int:
    spec = spec_of(draft)
    try:
        principal = remaining_principal(text, spec)
    except InvalidTerms as error:
        if error.code != "remaining_principal_above_loan":
            raise
        cur = spec.terms.currency  # both amounts as the user reads money, not as stored
        raise InvalidTerms(
            str(error),
            code=error.code,
            remaining=m(t, error.params["remaining"], cur),
            principal=m(t, spec.terms.principal, cur),
        ) from None
    draft["app_principal"] = str(principal)
    return APP_TERM


def read_app_term(t: Turn, draft: Draft, text: str) -> int:
    draft["app_term"] = str(parse_term(text))
    return APP_NEXT_DUE


def set_app_next_due(draft: Draft, day: date) -> int:
    from_app_figures(  # a plan these figures cannot make is refused here, not at saving
        spec_of(draft), Decimal(draft["app_principal"]), int(draft["app_term"]), day
    )
    draft["app_next_due"] = day.isoformat()
    return SAVE


def read_app_next_due(t: Turn, draft: Draft, text: str) -> int:
    return set_app_next_due(draft, parse_first_due(text, today=t.today))


def press_app_next_due(t: Turn, draft: Draft, value: str) -> int:
    return set_app_next_due(draft, date(int(value[:4]), int(value[4:6]), int(value[6:8])))


def running_spec(t: Turn, draft: Draft) -> tuple[DebtSpec, DebtSpec | None]:
    """The running loan the answers describe, and the loan as first described if the plan
    was built from the app's figures (else None)."""
    spec = spec_of(draft)
    if "app_next_due" in draft:
        built = from_app_figures(
            spec,
            Decimal(draft["app_principal"]),
            int(draft["app_term"]),
            date.fromisoformat(draft["app_next_due"]),
        )
        return built, spec
    return with_paid_before_tracking(spec, int(draft["paid"]), t.today), None


def press_running(t: Turn, draft: Draft, value: str) -> int:
    """What has happened since the first due date: all paid, some, behind, or the app's figures."""
    if value == "all":
        return keep_paid_count(t, draft, len(due_so_far(spec_of(draft), t.today)))
    if value in ("some", "behind"):
        draft["asked"] = value
        return PAID_COUNT
    if value == "app":
        return APP_PRINCIPAL
    raise ValueError(f"unknown answer {value!r}")
