"""/hardship after the questions: the options, the packs for the lenders and their answers.

These buttons work without the conversation, from the stored data, so they keep working later
(see bot.features.hardship). Choosing an option may first ask who a debt's lender is (the
``hardship_lender`` conversation, state LENDER); the choice waiting for it is a
``LenderChoice`` in ``user_data["hardship_lender"]``.
"""

from __future__ import annotations

from typing import Any

from pydantic import model_validator
from telegram import Update

from bot.callbacks import BadCallback
from bot.conversation import END, Draft, Drafts, pressed, text_of
from bot.features import hardship_pack as packs
from bot.features import hardship_views as views
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Context, Turn, turn
from tracker.errors import DomainError
from tracker.planner import Option, OptionKind
from tracker.services.debts import known_lenders, set_lender
from tracker.services.hardship import (
    HardshipPlan,
    hardship_options,
    lender_unknown,
    proposal,
    propose,
    reject_proposal,
    set_fees_on_payoff,
)
from tracker.storage.enums import PlanStatus
from tracker.storage.models import Debt

#: The state of the ``hardship_lender`` conversation: the lender of a debt is asked.
LENDER = "lender"
#: At most this many buttons with the lenders the user named before.
MAX_LENDER_BUTTONS = 6

KEEP_PAYING = N_(
    "Then you don't need a new arrangement: keep to the current plan and pay any overdue amount as soon as you can. Reminders continue as before. If things change, send /hardship again."
)


class LenderChoice(Draft):
    """The option waiting for a debt's lender: the report, rule, option and debt."""

    report: int
    rule: str
    option: int
    debt: int

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        """The older form, a list ``[report, rule, option, debt]``."""
        if isinstance(value, list) and len(value) == 4:
            return dict(zip(("report", "rule", "option", "debt"), value, strict=True))
        return value

    def args(self) -> tuple[int, str, int, int]:
        """The choice as it rides on the lender buttons."""
        return (self.report, self.rule, self.option, self.debt)


LENDER_DRAFTS = Drafts(
    "hardship_lender", LenderChoice, N_("I lost track of which option this was: send /hardship.")
)


async def show_options(
    t: Turn, plan: HardshipPlan, *, summary: bool = True, unchanged: str | None = None
) -> None:
    """The summary (unless ``summary`` is False), the fees question if one is due, else the
    options with their buttons."""
    if summary:
        await t.reply(views.summary_text(t, plan))
    question = views.fees_question(t, plan)
    if question is not None:  # asked once per debt: the answer is stored on it
        await t.reply(*question)
        return
    await t.reply(views.options_text(t, plan, unchanged=unchanged), views.option_buttons(t, plan))


# ---- the options ----------------------------------------------------------------------------


def _plan(t: Turn, report_id: int, code: str) -> HardshipPlan:
    rule = views.RULES_BY_CODE.get(code)
    if rule is None:
        raise BadCallback(f"unknown rule {code!r}")
    plan = hardship_options(t.uow, user_id=t.user_id, today=t.today, rule=rule)
    if plan.report_id != report_id:
        raise DomainError("options of an older report", code="hardship_options_stale")
    return plan


async def rule_pressed(update: Update, context: Context) -> None:
    """Another way to split the affordable amount across the debts; says so when it changes
    nothing against the rule shown before (the button's last argument)."""
    async with turn(update, context) as t:
        data = await pressed(t)
        plan = _plan(t, data.int_arg(0), data.arg(1))
        unchanged = None
        before_code = data.args[2] if len(data.args) > 2 else None
        if before_code is not None and before_code != data.arg(1):
            before = _plan(t, data.int_arg(0), before_code)
            if views.same_options(plan, before):
                unchanged = views.unchanged_text(t, plan, before)
        await show_options(t, plan, summary=False, unchanged=unchanged)


async def more_pressed(update: Update, context: Context) -> None:
    """ "More options": the options after the first screen, a page at a time (0: the best)."""
    async with turn(update, context) as t:
        data = await pressed(t)
        plan = _plan(t, data.int_arg(0), data.arg(1))
        page = min(data.int_arg(2), views.pages(plan))
        await t.reply(views.options_text(t, plan, page=page), views.option_buttons(t, plan, page))


async def details_pressed(update: Update, context: Context) -> None:
    """An option's "Details": its terms and figures, [Choose this] and [Back to options]."""
    async with turn(update, context) as t:
        data = await pressed(t)
        kinds = list(OptionKind)
        index = data.int_arg(2)
        if index >= len(kinds):
            raise BadCallback(f"unknown option {index}")
        plan = _plan(t, data.int_arg(0), data.arg(1))
        option = plan.option(kinds[index])
        page = min(data.int_arg(3), views.pages(plan))
        await t.reply(
            views.details_text(t, plan, option), views.details_buttons(t, plan, option, page)
        )


async def fees_answer_pressed(update: Update, context: Context) -> None:
    """Whether the lender still charges the remaining fees on an early payoff: stored, then
    the options (figured with the answer, or the next question)."""
    async with turn(update, context) as t:
        data = await pressed(t)
        answer = views.FEES_ANSWERS.get(data.arg(3))
        if answer is None:
            raise BadCallback(f"unknown answer {data.arg(3)!r}")
        plan = _plan(t, data.int_arg(0), data.arg(1))
        debt = set_fees_on_payoff(
            t.uow, user_id=t.user_id, debt_id=data.int_arg(2), charged=answer[1], now=t.now
        )
        t.commit()
        await t.reply(
            t._(
                "✅ Saved for {debt}: {answer}. /status and the options use it.",
                debt=esc(debt.name),
                answer=t._(answer[0]),
            )
        )
        rule = plan.result.rule
        await show_options(
            t, hardship_options(t.uow, user_id=t.user_id, today=t.today, rule=rule), summary=False
        )


async def option_pressed(update: Update, context: Context) -> object:
    """An option chosen: the lender asked for first when a debt has none yet (issue 10), else
    stored as a proposal per lender, then each lender's pack."""
    async with turn(update, context) as t:
        data = await pressed(t)
        return await _choose(t, context, data.int_arg(0), data.arg(1), data.int_arg(2))
    return END


async def _choose(t: Turn, context: Context, report_id: int, code: str, index: int) -> object:
    """The option ``index`` of the report's options under rule ``code``: its packs, or first
    the question of who the lender is for a debt it asks something of (state LENDER)."""
    kinds = list(OptionKind)
    if index >= len(kinds):
        raise BadCallback(f"unknown option {index}")
    plan = _plan(t, report_id, code)
    option = plan.option(kinds[index])
    debt = lender_unknown(plan, option)
    if debt is not None:
        assert debt.id is not None
        choice = LenderChoice(report=report_id, rule=code, option=index, debt=debt.id)
        LENDER_DRAFTS.save(context, choice)
        await _ask_lender(t, debt, choice)
        return LENDER
    LENDER_DRAFTS.drop(context)
    await _send_packs(t, plan, option)
    return END


async def _send_packs(t: Turn, plan: HardshipPlan, option: Option) -> None:
    """Store ``option`` as a proposal per lender; the request per lender, the files, what next."""
    stored = propose(t.uow, user_id=t.user_id, plan=plan, option=option, now=t.now, today=t.today)
    if not stored:
        await t.reply(t._(KEEP_PAYING))
        return
    t.commit()
    found = [proposal(t.uow, user_id=t.user_id, plan_id=p.id) for p in stored if p.id is not None]
    several = len(found) > 1
    # One message and files (not a stream of chat messages): the request per lender here,
    # the whole pack in the PDF and the text to send in a .txt (issue 10: ≤ 3 messages).
    if several:
        lead = t._(
            "<b>{option}</b>: here is a pack for each lender to ask. Check every figure before you send anything.",
            option=esc(views.title(t, option)),
        )
    else:
        lead = t._(
            "<b>{option}</b>: here is your pack for {lender}. Check every figure before you send anything.",
            option=esc(views.title(t, option)),
            lender=esc(found[0].lender),
        )
    await t.reply("\n".join([lead, *(packs.request_line(t, item) for item in found)]))
    for number, item in enumerate(found, start=1):
        await packs.send_pack(t, item, number if several else None)
    await t.reply(packs.next_steps_text(t, found), packs.next_steps_keyboard(t, found))


# ---- the lender, asked once before a debt's first pack (issue 10) -----------------------------


async def _ask_lender(t: Turn, debt: Debt, choice: LenderChoice) -> None:
    """Who the debt is repaid to: a button per lender the user named before, "the name itself",
    or typed; ``choice`` (report, rule, option, debt) rides on the buttons."""
    lenders = known_lenders(t.uow, user_id=t.user_id)[:MAX_LENDER_BUTTONS]
    rows = [[t.button(lender, "hsl", *choice.args(), i)] for i, lender in enumerate(lenders)]
    rows.append(
        [t.button(t._("It's {debt} itself", debt=debt.name), "hsl", *choice.args(), "name")]
    )
    await t.reply(
        t._(
            "Who is the lender of <b>{debt}</b>? The company you repay, for example JD Finance or China Merchants Bank: the pack is addressed to it. Press a button or type its name.",
            debt=esc(debt.name),
        ),
        rows,
    )


async def _lender_saved(t: Turn, context: Context, choice: LenderChoice, lender: str) -> object:
    debt = set_lender(t.uow, user_id=t.user_id, debt_id=choice.debt, lender=lender, now=t.now)
    t.commit()
    await t.reply(
        t._(
            "✅ Saved: you repay <b>{debt}</b> to <b>{lender}</b>.",
            debt=esc(debt.name),
            lender=esc(debt.lender or ""),
        )
    )
    return await _choose(t, context, choice.report, choice.rule, choice.option)


async def lender_pressed(update: Update, context: Context) -> object:
    """A lender chosen with a button (one the user named before, or the debt's own name)."""
    async with turn(update, context) as t:
        data = await pressed(t)
        choice = LenderChoice(
            report=data.int_arg(0), rule=data.arg(1), option=data.int_arg(2), debt=data.int_arg(3)
        )
        debt = t.uow.debts.require_for_user(t.user_id, choice.debt)
        if data.arg(4) == "name":
            lender = debt.name
        else:
            lenders = known_lenders(t.uow, user_id=t.user_id)
            at = data.int_arg(4)
            if at >= len(lenders):
                raise BadCallback(f"unknown lender {at}")
            lender = lenders[at]
        return await _lender_saved(t, context, choice, lender)
    return END


@LENDER_DRAFTS.step
async def lender_typed(update: Update, context: Context, choice: LenderChoice) -> object:
    """The lender typed while it is asked; a bad one gets the reason and an example."""
    async with turn(update, context) as t:
        return await _lender_saved(t, context, choice, text_of(update))
    return LENDER


async def plain_pressed(update: Update, context: Context) -> None:
    """The lender-facing text without markup, to copy."""
    async with turn(update, context) as t:
        plan_id = (await pressed(t)).int_arg(0)
        found = proposal(t.uow, user_id=t.user_id, plan_id=plan_id)
        await t.reply(
            t._(
                "Copy the next message into {lender}'s app chat, an email or a letter. Check the figures first.",
                lender=esc(found.lender),
            )
        )
        await packs.send_plain(t, found)


async def refused_pressed(update: Update, context: Context) -> None:
    """The lender said no: the proposal is marked refused; the current plan stays."""
    async with turn(update, context) as t:
        plan_id = (await pressed(t)).int_arg(0)
        found = proposal(t.uow, user_id=t.user_id, plan_id=plan_id)
        if found.status is PlanStatus.PROPOSED:
            reject_proposal(t.uow, user_id=t.user_id, plan_id=plan_id)
            t.commit()
        elif found.status is not PlanStatus.REJECTED:
            raise DomainError("already answered", code="proposal_closed")
        lender = esc(found.lender)
        await t.reply(
            "\n\n".join(
                [
                    t._(
                        "Noted: {lender} said no to this proposal. Your current plan stays, and reminders follow it.",
                        lender=lender,
                    ),
                    t._(
                        "Ask {lender} what it can offer instead and which documents would help. A smaller ask, such as installments on the overdue amount or a shorter pause, is often easier to accept: /hardship shows the other options.",
                        lender=lender,
                    ),
                    t._(views.FREE_HELP),
                    t._(views.AGENTS_WARNING),
                ]
            )
        )
