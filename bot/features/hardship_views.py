"""How /hardship words things: the questions' buttons, the options and their honest notes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from telegram import InlineKeyboardButton

from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Turn
from bot.views import d, m
from tracker.parsing.hardship_text import Cause
from tracker.planner import Note, Option, OptionKind, SplitRule, Why
from tracker.services.hardship import HardshipPlan

#: The first screen shows this many options (the best ranked first); "More options" the rest,
#: MORE_PAGE at a time. Every option the planner computes is reachable.
FIRST_SCREEN = 4
MORE_PAGE = 6

CAUSE_LABELS = {
    Cause.JOB_LOSS: N_("Lost my job"),
    Cause.INCOME_DROP: N_("Income dropped"),
    Cause.ILLNESS: N_("Illness"),
    Cause.FAMILY: N_("Family emergency"),
    Cause.OTHER: N_("Something else"),
}

RULE_LABELS = {
    SplitRule.PRO_RATA: N_("Pro rata"),
    SplitRule.AVALANCHE: N_("Highest rate first"),
    SplitRule.SNOWBALL: N_("Smallest balance first"),
}
RULE_EXPLAINED = {
    SplitRule.PRO_RATA: N_(
        "Split across your debts <b>pro rata</b>: each lender gets a share in proportion to what you owe it, as debt advisers propose."
    ),
    SplitRule.AVALANCHE: N_(
        "Split across your debts <b>highest rate first</b>: the most expensive debt is served first, which costs least overall."
    ),
    SplitRule.SNOWBALL: N_(
        "Split across your debts <b>smallest balance first</b>: the smallest debt is cleared first, for an early win."
    ),
}
#: One letter per rule in button data.
RULE_CODES = {SplitRule.PRO_RATA: "p", SplitRule.AVALANCHE: "a", SplitRule.SNOWBALL: "s"}
RULES_BY_CODE = {code: rule for rule, code in RULE_CODES.items()}

TITLES = {
    OptionKind.CURRENT: N_("Keep to the current plan"),
    OptionKind.SETTLEMENT: N_("Settle in one payment from savings"),
    OptionKind.WAIVER: N_("Ask to waive interest and penalty"),
    OptionKind.OVERDUE_INSTALLMENTS: N_("Repay the overdue amount in installments"),
    OptionKind.LOWER_PAYMENT: N_("Lower payment over a longer term"),
    OptionKind.EXTENSION_FROZEN: N_("Pause payments, interest frozen"),
    OptionKind.EXTENSION_INTEREST_ONLY: N_("Pay interest only for a while"),
    OptionKind.EXTENSION_PAUSE: N_("Pause payments, interest keeps running"),
    OptionKind.MIXED: N_("The best option for each debt"),
}

#: The notes as short phrases, for the one "keep in mind" line under a list of options.
SHORT_NOTES = {
    Note.NEEDS_LENDER_CONSENT: N_("Each ask needs the lender's consent."),
    Note.NOT_A_RIGHT: N_("Not a legal right: the lender may refuse."),
    Note.CREDIT_RECORD_STAYS: N_("An overdue record stays on your credit report for 5 years."),
    Note.INTEREST_CONTINUES: N_("Paused interest is put off, not forgiven."),
    Note.INTEREST_FROZEN_IF_AGREED: N_("Interest stops only if the lender agrees in writing."),
    Note.PENALTY_MAY_CONTINUE: N_("Penalty interest may run until the overdue amount is cleared."),
    Note.COSTS_MORE: N_("Some cost more in total than the current plan."),
    Note.PERSONALISED_INSTALLMENTS: N_(
        "For a credit card, ask for personalised installments, up to 60 months."
    ),
    Note.GET_IT_IN_WRITING: N_("A settlement counts only once confirmed in writing."),
}
#: What each option asks, in one sentence (``_terms``).
TERMS = {
    OptionKind.CURRENT: N_("Keep paying as planned: nothing to ask the lender."),
    OptionKind.SETTLEMENT: N_(
        "Pay the {owed} owed today at once from savings, and close the debt."
    ),
    OptionKind.WAIVER: N_(
        "Repay {principal} of principal and charged fees over {months}, asking the lender to waive {waived} of interest and penalty."
    ),
    OptionKind.OVERDUE_INSTALLMENTS: N_(
        "Keep to the plan and repay the {overdue} overdue over {months}, {extra} a month on top."
    ),
    OptionKind.LOWER_PAYMENT: N_("Repay everything over {months}, at most {payment} a month."),
    OptionKind.EXTENSION_FROZEN: N_(
        "Pay nothing for {months} with interest frozen, then {payment} a month for {then_months}."
    ),
    OptionKind.EXTENSION_INTEREST_ONLY: N_(
        "Pay only the interest, {interest} a month, for {months}, then {payment} a month for {then_months}."
    ),
    OptionKind.EXTENSION_PAUSE: N_(
        "Pay nothing for {months} while interest keeps running, then {payment} a month for {then_months}."
    ),
}
TERMS_CATCH_UP = N_(
    "Keep paying as planned, and pay the {arrears} overdue with the next installment."
)
TERMS_DISCOUNT = N_(
    "Pay {amount} at once from savings to close the debt, asking {percent}% off the {owed} owed."
)
#: A reply fits one phone screen.
MAX_LINES = 12

#: Why the first option is first, in one line.
WHY_FIRST = {
    Why.NO_ASK: N_("Why first: it fits your budget and asks the lender for nothing."),
    Why.ONLY_FIT: N_("Why first: it is the only option that fits your budget."),
    Why.CHEAPEST: N_(
        "Why first: it fits your budget and costs least of the asks a lender is as likely to accept."
    ),
    Why.CLOSEST: N_("Why first: nothing fits, and it comes closest to your budget."),
}
WHY_LIKELIEST = N_(
    "Why first: it fits your budget and, with nothing overdue, it is the ask a lender is likeliest to accept."
)
WHY_LIKELIEST_OVERDUE = N_(
    "Why first: it fits your budget and, with a payment overdue, it is the ask a lender is likeliest to accept."
)

FREE_HELP = N_(
    "<b>Free help</b>\n"
    "· The lender's own hardship channel or customer service (in its app, or the hotline on your statement): say what you can pay and ask what they can offer.\n"
    "· 12378, the banking and insurance consumer hotline in China, if talking to the lender gets nowhere.\n"
    "· A non-profit debt adviser or your local free legal aid service."
)
#: Asked once per flat-fee debt, before options whose figures depend on the answer.
FEES_QUESTION = N_("If you pay off {debt} early, does the lender still charge the remaining fees?")
FEES_EXPLAINED = N_(
    "{debt} charges a fee each month on the amount first borrowed, and the installments after this month carry {amount} of fees. Some lenders drop them when you repay everything early, others still charge them: the app's early repayment page shows which. Your answer changes what settling costs. Not sure? Then I assume they are charged."
)
#: The answers' buttons: (label, callback argument, stored answer).
FEES_ANSWERS = {
    "y": (N_("Yes, still charged"), True),
    "n": (N_("No, they are dropped"), False),
    "u": (N_("I don't know (assume yes)"), True),
}
FEES_CHARGED = N_(
    "Assumes {debt} still charges the remaining fees ({amount}) if you pay off early."
)
FEES_DROPPED = N_(
    "Assumes {debt} drops the remaining fees ({amount}) if you pay off early, as you said."
)

AGENTS_WARNING = N_(
    "⚠️ Never pay a “negotiation agent” or anyone who promises to clean your credit record: these are widely reported scams, and they can't get anything you can't ask for yourself, for free."
)


def title(t: Turn, option: Option) -> str:
    """An option's name."""
    return t._(TITLES[option.kind])


def _months(t: Turn, n: int) -> str:
    return t._.plural("{n} month", "{n} months", n)


def _runs(payments: list[Decimal]) -> list[tuple[Decimal, int]]:
    """Consecutive months paying about the same (within 1 %): (the largest amount, months)."""
    runs: list[tuple[Decimal, int]] = []
    for amount in payments:
        if runs:
            last, count = runs[-1]
            if abs(amount - last) <= max(amount, last) / 100:
                runs[-1] = (max(amount, last), count + 1)
                continue
        runs.append((amount, 1))
    return runs


def _phase(t: Turn, amount: Decimal, count: int, currency: str) -> str:
    if amount == 0:
        return t._("nothing for {months}", months=_months(t, count))
    if count == 1:
        return t._("<b>{amount}</b> once", amount=m(t, amount, currency))
    return t._(
        "<b>{amount}</b> a month for {months}",
        amount=m(t, amount, currency),
        months=_months(t, count),
    )


def _payments(t: Turn, option: Option) -> str:
    """What the option asks a month (or once): by phase when it changes, else the usual."""
    cur = option.currency
    parts: list[str] = []
    if option.lump_sum > 0:
        parts.append(t._("{amount} once, from savings", amount=m(t, option.lump_sum, cur)))
    payments = [r.payment for r in option.rows]
    runs = _runs(payments)
    if any(p > 0 for p in payments) and len(runs) <= 3:
        phases = [_phase(t, amount, count, cur) for amount, count in runs]
        parts.append(t._(", then ").join(phases))
    elif payments:
        paying = [p for p in payments if p > 0]
        parts.append(
            t._(
                "<b>{usual}</b> a month (from {low} to {high}) over {months}",
                usual=m(t, option.typical_payment or max(paying), cur),
                low=m(t, min(paying), cur),
                high=m(t, max(paying), cur),
                months=_months(t, option.months),
            )
        )
    separator = "；" if t._.language == "zh" else "; "
    return separator.join(parts) if parts else t._("nothing more to pay")


def _difference(t: Turn, amount: Decimal, currency: str) -> str:
    if amount > 0:
        return t._("{amount} more than the current plan", amount=m(t, amount, currency))
    if amount < 0:
        return t._("{amount} less than the current plan", amount=m(t, -amount, currency))
    return t._("the same as the current plan")


def _fit(t: Turn, option: Option) -> str:
    cur = option.currency
    if option.fits and option.margin > 0:
        return t._(
            "✅ fits your budget, {amount} a month to spare", amount=m(t, option.margin, cur)
        )
    if option.fits:
        return t._("✅ fits your budget")
    if option.lump_sum > 0 and option.margin >= 0:
        return t._("⚠️ needs more savings than you can spare")
    return t._("⚠️ {amount} a month more than you can afford", amount=m(t, option.shortfall, cur))


def payoff_assumptions(t: Turn, option: Option, names: dict[int, str]) -> list[str]:
    """What a settlement assumes about a flat-fee debt's remaining fees on an early payoff."""
    lines: list[str] = []
    for part in option.parts or (option,):
        fees = part.request.get("payoff_fees")
        if part.kind is not OptionKind.SETTLEMENT or fees is None:
            continue
        dropped = part.request.get("fees_on_payoff") == "no"
        lines.append(
            t._(
                FEES_DROPPED if dropped else FEES_CHARGED,
                debt=esc(names.get(part.debt_ids[0], "?")),
                amount=m(t, Decimal(str(fees)), part.currency),
            )
        )
    return lines


def _terms(t: Turn, option: Option, arrears: Decimal) -> str:
    """What one debt's option asks, in one sentence, from its request (``arrears``: overdue)."""
    cur = option.currency
    r = option.request

    def money(key: str) -> str:
        return m(t, Decimal(str(r[key])), cur)

    def months(key: str = "months") -> str:
        return _months(t, int(r[key]))

    kind = option.kind
    if kind is OptionKind.CURRENT:
        if arrears > 0:
            return t._(TERMS_CATCH_UP, arrears=m(t, arrears, cur))
        return t._(TERMS[kind])
    if kind is OptionKind.SETTLEMENT:
        if int(r["discount_percent"]):
            return t._(
                TERMS_DISCOUNT,
                amount=money("amount"),
                percent=r["discount_percent"],
                owed=money("owed"),
            )
        return t._(TERMS[kind], owed=money("owed"))
    if kind is OptionKind.WAIVER:
        return t._(
            TERMS[kind], principal=money("principal"), months=months(), waived=money("waived")
        )
    if kind is OptionKind.OVERDUE_INSTALLMENTS:
        return t._(TERMS[kind], overdue=money("overdue"), months=months(), extra=money("extra"))
    if kind is OptionKind.LOWER_PAYMENT:
        return t._(TERMS[kind], months=months(), payment=money("payment"))
    if kind is OptionKind.EXTENSION_INTEREST_ONLY:
        return t._(
            TERMS[kind],
            interest=money("interest_payment"),
            months=months(),
            payment=money("then_payment"),
            then_months=months("then_months"),
        )
    return t._(
        TERMS[kind],
        months=months(),
        payment=money("then_payment"),
        then_months=months("then_months"),
    )


def _first_payment(t: Turn, option: Option) -> str | None:
    """How many payments, and the first one's amount and date (a lump sum is paid today);
    None for a single lump sum, which the schedule line already says."""
    cur = option.currency
    paying = [r for r in option.rows if r.payment > 0]
    count = len(paying) + (1 if option.lump_sum > 0 else 0)
    if option.lump_sum > 0:
        if not paying:
            return None
        return t._(
            "Number of payments: {count}, the first of {amount} today, from savings.",
            count=count,
            amount=m(t, option.lump_sum, cur),
        )
    if not paying:
        return None
    return t._(
        "Number of payments: {count}, the first of {amount} on {date}.",
        count=count,
        amount=m(t, paying[0].payment, cur),
        date=d(t, paying[0].due_date),
    )


def details_text(t: Turn, plan: HardshipPlan, option: Option) -> str:
    """One option in full, within 12 lines: its terms, what it asks a month and how often, the
    first payment, the total against the current plan, whether it fits, and the caveats."""
    cur = option.currency
    result = plan.result
    names = {debt.debt_id: debt.name for debt in result.debts}
    number = result.ranked.index(option) + 1
    arrears = {debt.debt_id: debt.arrears for debt in result.debts}
    if option.parts:
        terms = [
            t._(
                "· {debt}: {terms}",
                debt=esc(names.get(part.debt_ids[0], "?")),
                terms=_terms(t, part, arrears.get(part.debt_ids[0], result.arrears)),
            )
            for part in option.parts
        ]
    else:
        terms = [_terms(t, option, arrears.get(option.debt_ids[0], result.arrears))]
    figures = [t._("Schedule: {payments}", payments=_payments(t, option))]
    count = _first_payment(t, option)
    if count is not None:
        figures.append(count)
    figures += [
        t._(
            "Total {total}, of which interest and fees {cost}: {difference}.",
            total=m(t, option.total_paid, cur),
            cost=m(t, option.interest_and_fees, cur),
            difference=_difference(t, option.vs_current_total, cur),
        ),
    ]
    if option.rows and option.kind is not OptionKind.CURRENT:
        # The month it asks most of, against the current plan's regular month: the usual
        # (most frequent) payment can be a small tail, as the overdue amount's installments.
        current_monthly = option.typical_payment - option.vs_current_monthly
        figures.append(
            t._(
                "At most {amount} a month: {difference}.",
                amount=m(t, option.max_payment, cur),
                difference=_difference(t, option.max_payment - current_monthly, cur),
            )
        )
    figures.append(_fit(t, option))
    tail = payoff_assumptions(t, option, names)
    # "Costs more" is said with the figures above; the rest are the option's caveats.
    caveats = keep_in_mind(t, (replace(option, notes=_without_costs_more(option)),))
    if caveats is not None:
        tail.append(caveats)
    head = f"<b>{number}. {esc(title(t, option))}</b>"
    if 1 + len(terms) + len(figures) + len(tail) > MAX_LINES:
        terms = [(" " if t._.language != "zh" else "").join(terms)]  # one line per debt is too many
    return "\n".join([head, *terms, *figures, *tail])


def _without_costs_more(option: Option) -> tuple[Note, ...]:
    return tuple(n for n in option.notes if n is not Note.COSTS_MORE)


def details_buttons(
    t: Turn, plan: HardshipPlan, option: Option, page: int
) -> list[list[InlineKeyboardButton]]:
    """[Choose this] (as the list's button: the pack) and [Back to options] (to ``page``)."""
    rule = RULE_CODES[plan.result.rule]
    index = list(OptionKind).index(option.kind)
    return [
        [
            t.button(t._("Choose this"), "hsp", plan.report_id, rule, index),
            t.button(t._("◀ Back to options"), "hsm", plan.report_id, rule, page),
        ]
    ]


def shown(plan: HardshipPlan, page: int = 0) -> tuple[Option, ...]:
    """The options on ``page``: 0 is the first screen (the best), 1… the "More options" pages."""
    ranked = plan.result.ranked
    if page == 0:
        return ranked[:FIRST_SCREEN]
    start = FIRST_SCREEN + (page - 1) * MORE_PAGE
    return ranked[start : start + MORE_PAGE]


def pages(plan: HardshipPlan) -> int:
    """How many "More options" pages there are (0 when the first screen shows them all)."""
    rest = max(0, len(plan.result.ranked) - FIRST_SCREEN)
    return -(-rest // MORE_PAGE)


def _first_number(page: int) -> int:
    return 1 if page == 0 else FIRST_SCREEN + (page - 1) * MORE_PAGE + 1


def _short_fit(t: Turn, option: Option) -> str:
    cur = option.currency
    if option.fits:
        return t._("✅ fits")
    if option.lump_sum > 0 and option.margin >= 0:
        return t._("⚠️ needs more savings than you can spare")
    return t._("⚠️ {amount} a month short", amount=m(t, option.shortfall, cur))


def option_line(t: Turn, number: int, option: Option) -> str:
    """One option in one line: its name, what it asks a month and for how long, whether it fits."""
    cur = option.currency
    asks: list[str] = []
    if option.lump_sum > 0:
        asks.append(t._("{amount} once, from savings", amount=m(t, option.lump_sum, cur)))
    if any(r.payment > 0 for r in option.rows):
        usual = option.typical_payment or option.max_payment
        # The overdue amount caught up with the first payment (not a cent of rounding).
        if option.first_payment - usual > usual / 100:
            asks.append(
                t._(
                    "{first} first, then {amount} a month, {months}",
                    first=m(t, option.first_payment, cur),
                    amount=m(t, usual, cur),
                    months=_months(t, option.months),
                )
            )
        else:
            asks.append(
                t._(
                    "{amount} a month, {months}",
                    amount=m(t, usual, cur),
                    months=_months(t, option.months),
                )
            )
    separator = "；" if t._.language == "zh" else "; "
    ask = separator.join(asks) if asks else t._("nothing more to pay")
    return t._(
        "{number}. <b>{option}</b>: {ask} {fit}",
        number=number,
        option=esc(title(t, option)),
        ask=ask,
        fit=_short_fit(t, option),
    )


def why_first_text(t: Turn, plan: HardshipPlan) -> str | None:
    """One line: why the first option is first."""
    why = plan.result.why_first
    if why is None:
        return None
    if why is Why.LIKELIEST:
        return t._(WHY_LIKELIEST_OVERDUE if plan.result.overdue else WHY_LIKELIEST)
    return t._(WHY_FIRST[why])


def keep_in_mind(t: Turn, options: tuple[Option, ...]) -> str | None:
    """The caveats of ``options`` in one line (each option's own words are in its pack)."""
    notes = dict.fromkeys(n for o in options for n in o.notes)
    if not notes:
        return None
    separator = "" if t._.language == "zh" else " "
    return "<i>" + separator.join(t._(SHORT_NOTES[n]) for n in notes) + "</i>"


def same_options(a: HardshipPlan, b: HardshipPlan) -> bool:
    """Whether two plans (under two split rules) offer the very same options and figures."""

    def signature(plan: HardshipPlan) -> tuple[object, ...]:
        return tuple(
            (
                o.kind,
                o.lump_sum,
                tuple(r.payment for r in o.rows),
                tuple((p.kind, p.lump_sum, tuple(r.payment for r in p.rows)) for p in o.parts),
            )
            for o in plan.result.ranked
        )

    return signature(a) == signature(b)


def unchanged_text(t: Turn, plan: HardshipPlan, before: HardshipPlan) -> str:
    """One line: the split rule just chosen changes nothing, and why."""
    new = t._(RULE_LABELS[plan.result.rule])
    old = t._(RULE_LABELS[before.result.rule])
    if [d.share for d in plan.result.debts] == [d.share for d in before.result.debts]:
        return t._(
            "ℹ️ “{new}” changes nothing here: each debt gets the same share as with “{old}”, so the options are the same.",
            new=new,
            old=old,
        )
    return t._(
        "ℹ️ “{new}” changes nothing here: the shares differ from “{old}”, but every option comes out the same.",
        new=new,
        old=old,
    )


def summary_text(t: Turn, plan: HardshipPlan) -> str:
    """The month after the change, and plain words and free help when nothing fits."""
    result, budget = plan.result, plan.budget
    cur = result.currency
    capacity = result.capacity
    lines = [
        t._("<b>Your month now</b>"),
        t._(
            "Income {income}, essential expenses {expenses}, other debts {other}, reserve {reserve}: you can afford <b>{affordable}</b> a month for these debts.",
            income=m(t, budget.monthly_income, cur),
            expenses=m(t, budget.fixed_expenses, cur),
            other=m(t, budget.other_debt_payments, cur),
            reserve=m(t, capacity.reserve, cur),
            affordable=m(t, result.affordable, cur),
        ),
    ]
    # A regular month: the debts' next installments may fall in different calendar months.
    planned = m(t, capacity.planned, cur)
    if result.arrears > 0:
        lines.append(
            t._(
                "Your current plans ask {planned} a month, plus {arrears} overdue now.",
                planned=planned,
                arrears=m(t, result.arrears, cur),
            )
        )
    else:
        lines.append(t._("Your current plans ask {planned} a month.", planned=planned))
    if plan.hardship.duration_months:
        lines.append(
            t._(
                "You expect this to last {months}.",
                months=_months(t, plan.hardship.duration_months),
            )
        )
    for skipped in result.not_planned:
        if skipped.reason == "other_currency":
            lines.append(
                t._(
                    "Not included: {debt} is in {currency}, not {budget}.",
                    debt=esc(skipped.name),
                    currency=skipped.currency,
                    budget=cur,
                )
            )
    if result.nothing_fits:
        lines += [
            "",
            t._(
                "⚠️ <b>None of the options fits your budget.</b> Even the closest leaves you <b>{shortfall}</b> a month short. That is a reason to talk to your lenders now, not to give up: tell them honestly what you can pay.",
                shortfall=m(t, result.shortfall, cur),
            ),
            "",
            t._(FREE_HELP),
            "",
            t._(AGENTS_WARNING),
        ]
    return "\n".join(lines)


def options_text(
    t: Turn, plan: HardshipPlan, *, page: int = 0, unchanged: str | None = None
) -> str:
    """A screen of options, one line each, best first: the first screen (``page`` 0) says why
    the first is first; "More options" pages show the rest. At most 12 lines."""
    result = plan.result
    options = shown(plan, page)
    if not options:
        if result.not_planned and not result.debts:
            return t._(
                "None of your debts is in {currency}, the currency of your budget: /currency changes it.",
                currency=result.currency,
            )
        return t._("You have nothing left to repay on these debts. ✅")
    names = {d.debt_id: d.name for d in result.debts}
    if page == 0:
        lines = [t._("<b>Your options</b>, best first:")]
        if len(result.debts) > 1:
            lines.append(t._(RULE_EXPLAINED[result.rule]))
        if unchanged is not None:
            lines.append(unchanged)
    else:
        lines = [
            t._(
                "<b>More options</b> ({page} of {pages}):",
                page=page,
                pages=pages(plan),
            )
        ]
    first = _first_number(page)
    lines += [option_line(t, n, o) for n, o in enumerate(options, start=first)]
    if page == 0:
        why = why_first_text(t, plan)
        if why is not None:
            lines.append(why)
    caveats = keep_in_mind(t, options)
    if caveats is not None:
        lines.append(caveats)
    for option in options:
        lines += payoff_assumptions(t, option, names)
    lines.append(
        t._(
            "Choose one and I'll prepare a letter for the lender (your situation and the proposed plan, to sign and send) and a guide for you (what to say, what to gather). Nothing changes until the lender agrees."
        )
    )
    return "\n".join(lines)


def unanswered_payoff(plan: HardshipPlan) -> Option | None:
    """A settlement offered for a flat-fee debt whose lender's payoff fees were never asked."""
    for option in plan.result.ranked:
        for part in option.parts or (option,):
            if part.kind is OptionKind.SETTLEMENT and part.request.get("fees_on_payoff") == (
                "unknown"
            ):
                return part
    return None


def fees_question(
    t: Turn, plan: HardshipPlan
) -> tuple[str, list[list[InlineKeyboardButton]]] | None:
    """The question to ask before the options, with its buttons, when one is needed."""
    part = unanswered_payoff(plan)
    if part is None:
        return None
    debt_id = part.debt_ids[0]
    debt = esc(plan.position(debt_id).debt.name)
    amount = m(t, Decimal(str(part.request["payoff_fees"])), part.currency)
    text = "\n\n".join(
        [
            f"<b>{t._(FEES_QUESTION, debt=debt)}</b>",
            t._(FEES_EXPLAINED, debt=debt, amount=amount),
        ]
    )
    args = (plan.report_id, RULE_CODES[plan.result.rule], debt_id)
    buttons = [
        t.button(t._(label), "hsfp", *args, code) for code, (label, _) in FEES_ANSWERS.items()
    ]
    return text, [buttons[:2], buttons[2:]]


def option_buttons(t: Turn, plan: HardshipPlan, page: int = 0) -> list[list[InlineKeyboardButton]]:
    """Per option on ``page`` a button choosing it (the pack) and its "Details"; "More options"
    (or the next page, and back to the best); then the split rules when there are several."""
    rule = RULE_CODES[plan.result.rule]
    first = _first_number(page)
    rows = []
    for number, option in enumerate(shown(plan, page), start=first):
        index = list(OptionKind).index(option.kind)
        label = t._("{number}. {option}", number=number, option=title(t, option))
        rows.append(
            [
                t.button(label, "hsp", plan.report_id, rule, index),
                t.button(t._("Details"), "hsdt", plan.report_id, rule, index, page),
            ]
        )
    count = pages(plan)
    moves = []
    if page > 0:
        moves.append(t.button(t._("◀ Best options"), "hsm", plan.report_id, rule, 0))
    if page < count:
        rest = len(plan.result.ranked) - (_first_number(page + 1) - 1)
        label = t._("More options ({count}) ▶", count=rest)
        moves.append(t.button(label, "hsm", plan.report_id, rule, page + 1))
    if moves:
        rows.append(moves)
    if len(plan.result.debts) > 1 and page == 0:
        rows.append(
            [
                t.button(
                    ("✓ " if other is plan.result.rule else "") + t._(RULE_LABELS[other]),
                    "hsr",
                    plan.report_id,
                    RULE_CODES[other],
                    rule,
                )
                for other in SplitRule
            ]
        )
    return rows
