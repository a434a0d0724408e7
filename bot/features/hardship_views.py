"""How /hardship words things: the questions' buttons, the options and their honest notes."""

from __future__ import annotations

from decimal import Decimal

from telegram import InlineKeyboardButton

from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Turn
from bot.views import m
from tracker.parsing.hardship_text import Cause
from tracker.planner import Note, Option, OptionKind, SplitRule
from tracker.services.hardship import HardshipPlan

#: At most this many options are shown (the best ranked first); the rest are variations.
SHOWN_OPTIONS = 5

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
    OptionKind.WAIVER: N_("Ask to waive interest and penalty (停息挂账)"),
    OptionKind.OVERDUE_INSTALLMENTS: N_("Repay the overdue amount in installments"),
    OptionKind.LOWER_PAYMENT: N_("Lower payment over a longer term"),
    OptionKind.EXTENSION_FROZEN: N_("Pause payments, interest frozen (展期)"),
    OptionKind.EXTENSION_INTEREST_ONLY: N_("Pay interest only for a while (展期)"),
    OptionKind.EXTENSION_PAUSE: N_("Pause payments, interest keeps running (展期)"),
    OptionKind.MIXED: N_("The best option for each debt"),
}

NOTES = {
    Note.NOT_A_RIGHT: N_("Not a legal right: the lender decides and may refuse."),
    Note.NEEDS_LENDER_CONSENT: N_("Needs the lender's consent: nothing changes until it agrees."),
    Note.CREDIT_RECORD_STAYS: N_(
        "Any overdue record stays on your credit report (征信) for 5 years after it is repaid: waiving charges does not remove it."
    ),
    Note.INTEREST_CONTINUES: N_("Interest keeps running: it is put off, not forgiven."),
    Note.INTEREST_FROZEN_IF_AGREED: N_(
        "Interest stops only if the lender agrees to it in writing."
    ),
    Note.PENALTY_MAY_CONTINUE: N_(
        "Penalty interest may keep running until the overdue amount is cleared."
    ),
    Note.COSTS_MORE: N_("Costs more in total than the current plan."),
    Note.PERSONALISED_INSTALLMENTS: N_(
        "Credit cards: the bank may agree personalised installments (个性化分期) over up to 60 months; ask for them by that name."
    ),
    Note.GET_IT_IN_WRITING: N_(
        "It only counts once the lender confirms it in writing, before you pay."
    ),
}

FREE_HELP = N_(
    "<b>Free help</b>\n"
    "· The lender's own hardship channel or customer service (in its app, or the hotline on your statement): say what you can pay and ask what they can offer.\n"
    "· 12378, the banking and insurance consumer hotline in China, if talking to the lender gets nowhere.\n"
    "· A non-profit debt adviser or your local free legal aid service."
)
#: Asked once per flat-fee debt, before options whose figures depend on the answer.
FEES_QUESTION = N_("If you pay off {debt} early, does the lender still charge the remaining fees?")
FEES_EXPLAINED = N_(
    "{debt} charges a fee each month on the amount first borrowed, and the installments after this month carry {amount} of fees. Some lenders drop them when you repay everything early, others still charge them: the app's early repayment (提前还款) page shows which. Your answer changes what settling costs. Not sure? Then I assume they are charged."
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
    "⚠️ Never pay a “negotiation agent” (代理协商, 反催收) or anyone who promises to clean your credit record: these are widely reported scams, and they can't get anything you can't ask for yourself, for free."
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


def option_text(t: Turn, number: int, option: Option, names: dict[int, str]) -> str:
    """One option: what it asks, what it costs, whether it fits, and its caveats."""
    cur = option.currency
    lines = [
        f"<b>{number}. {esc(title(t, option))}</b>",
        _payments(t, option),
        t._(
            "Total {total}, of which interest and fees {cost}: {difference}.",
            total=m(t, option.total_paid, cur),
            cost=m(t, option.interest_and_fees, cur),
            difference=_difference(t, option.vs_current_total, cur),
        ),
        _fit(t, option),
    ]
    for part in option.parts:
        debt = esc(names.get(part.debt_ids[0], "?"))
        if part.kind is option.kind:
            lines.append(t._("· {debt}: {payments}", debt=debt, payments=_payments(t, part)))
        else:
            lines.append(
                t._(
                    "· {debt}: {option}, {payments}",
                    debt=debt,
                    option=esc(title(t, part)),
                    payments=_payments(t, part),
                )
            )
    lines += payoff_assumptions(t, option, names)
    lines += [f"<i>{esc(t._(NOTES[note]))}</i>" for note in option.notes]
    return "\n".join(lines)


def shown(plan: HardshipPlan) -> tuple[Option, ...]:
    """The options offered, best first."""
    return plan.result.ranked[:SHOWN_OPTIONS]


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
        t._("Your current plans ask {planned} this month.", planned=m(t, capacity.planned, cur)),
    ]
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


def options_text(t: Turn, plan: HardshipPlan) -> str:
    """The options, best first, each with its figures and caveats."""
    result = plan.result
    options = shown(plan)
    if not options:
        if result.not_planned and not result.debts:
            return t._(
                "None of your debts is in {currency}, the currency of your budget: /currency changes it.",
                currency=result.currency,
            )
        return t._("You have nothing left to repay on these debts. ✅")
    lines = [t._("<b>Your options</b>, best first:")]
    if len(result.debts) > 1:
        lines.append(t._(RULE_EXPLAINED[result.rule]))
    names = {d.debt_id: d.name for d in result.debts}
    for number, option in enumerate(options, start=1):
        lines += ["", option_text(t, number, option, names)]
    lines += [
        "",
        t._(
            "Choose one and I'll prepare a negotiation pack for the lender: a statement, the proposed plan, a script and a checklist. Nothing changes until the lender agrees."
        ),
    ]
    return "\n".join(lines)


def unanswered_payoff(plan: HardshipPlan) -> Option | None:
    """A settlement shown for a flat-fee debt whose lender's payoff fees were never asked."""
    for option in shown(plan):
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


def option_buttons(t: Turn, plan: HardshipPlan) -> list[list[InlineKeyboardButton]]:
    """One button per option, then the split rules when there are several debts."""
    rule = RULE_CODES[plan.result.rule]
    rows = [
        [
            t.button(
                t._("{number}. {option}", number=number, option=title(t, option)),
                "hsp",
                plan.report_id,
                rule,
                list(OptionKind).index(option.kind),
            )
        ]
        for number, option in enumerate(shown(plan), start=1)
    ]
    if len(plan.result.debts) > 1:
        rows.append(
            [
                t.button(
                    ("✓ " if other is plan.result.rule else "") + t._(RULE_LABELS[other]),
                    "hsr",
                    plan.report_id,
                    RULE_CODES[other],
                )
                for other in SplitRule
            ]
        )
    return rows
