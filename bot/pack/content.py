"""The negotiation pack as plain data: what goes in (``PackInput``) and the sections that come out.

``build_pack`` turns the borrower's figures into a ``Pack``: titled sections of paragraphs, facts,
lists, tables and questions, all in the borrower's language and all plain text (no markup, nothing
escaped). The renderers in ``chat``, ``plain`` and ``pdf`` decide how each block looks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from bot.formatting import day
from bot.i18n import Translator, translator
from bot.pack import texts
from tracker.money import ZERO, format_money

#: The longest schedule a pack carries (personalised plans run up to 60 months).
MAX_SCHEDULE_ROWS = 60
#: Chat and plain text show a longer schedule by its first and last rows.
SHOWN_FIRST = 6
SHOWN_LAST = 2
#: User text is clipped so that no paragraph can outgrow a chat message.
SHORT_TEXT = 80
NOTE_TEXT = 600


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class Change(StrEnum):
    """What changed in the borrower's life."""

    JOB_LOSS = "job_loss"
    INCOME_DROP = "income_drop"
    ILLNESS = "illness"
    FAMILY = "family"
    OTHER = "other"


class OptionKind(StrEnum):
    """The arrangement the borrower asks for."""

    EXTENSION = "extension"
    LOWER_PAYMENT = "lower_payment"
    WAIVER = "waiver"
    OVERDUE_INSTALLMENTS = "overdue_installments"
    SETTLEMENT = "settlement"


@dataclass(frozen=True, slots=True)
class DebtInput:
    """One of the borrower's debts, as the statement lists it."""

    name: str
    outstanding: Decimal
    monthly_payment: Decimal
    overdue: Decimal = ZERO
    #: The rate as the borrower or lender words it ("日息 0.05%", "18% a year"); may be empty.
    rate_text: str = ""
    #: ``rate_text`` is a flat-fee debt's fee ("手续费每期 0.5%（年化约 10.9%）"), worded in full:
    #: printed as it is, never as a rate (its contract rate is 0, which is not its cost).
    is_fee: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", clip(self.name, SHORT_TEXT))
        object.__setattr__(self, "rate_text", clip(self.rate_text, SHORT_TEXT))


class PauseInterest(StrEnum):
    """What an extension asks for the interest during its pause."""

    RUNNING = "running"  # nothing paid, interest keeps running and is repaid afterwards
    INTEREST_ONLY = "interest_only"  # the interest is paid, no principal
    FROZEN = "frozen"  # nothing paid, no interest charged for the pause


@dataclass(frozen=True, slots=True)
class Installment:
    """One payment of the proposed schedule."""

    due: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class OptionInput:
    """The proposed arrangement, with its figures already worked out by the planner."""

    kind: OptionKind
    monthly_payment: Decimal
    months: int
    first_payment: date
    total_paid: Decimal
    interest_and_fees: Decimal
    #: Total paid under this plan minus the total under the current one (negative: less).
    difference: Decimal
    schedule: tuple[Installment, ...] = ()
    #: An extension's pause (0: the request words no pause): how many months from
    #: ``pause_first``, what happens to the interest, and the most paid a paused month (interest
    #: only). ``first_payment`` and ``monthly_payment`` are then the payments after the pause.
    pause_months: int = 0
    pause_first: date | None = None
    pause_interest: PauseInterest = PauseInterest.RUNNING
    pause_payment: Decimal = ZERO
    #: A waiver: what it waives against the current plan, and what is repaid (principal and the
    #: fees already charged).
    waived: Decimal | None = None
    repaid: Decimal | None = None
    #: Installments on the overdue amount: the amount, over how many months, the extra a month.
    overdue: Decimal | None = None
    overdue_months: int = 0
    overdue_extra: Decimal = ZERO
    #: A settlement: what settling today takes (the discount is measured from it).
    owed: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", OptionKind(self.kind))
        object.__setattr__(self, "pause_interest", PauseInterest(self.pause_interest))
        if self.pause_months and self.pause_first is None:
            raise ValueError("a pause has a first month")
        object.__setattr__(self, "schedule", tuple(self.schedule))
        if self.months < 1:
            raise ValueError("a plan has at least one payment")
        if len(self.schedule) > MAX_SCHEDULE_ROWS:
            raise ValueError(f"a schedule has at most {MAX_SCHEDULE_ROWS} rows")


@dataclass(frozen=True, slots=True)
class PackInput:
    """Everything the pack says, as plain data (amounts are monthly, in ``currency``)."""

    language: str
    today: date
    lender: str
    currency: str
    income_now: Decimal
    fixed_expenses: Decimal
    other_debt_payments: Decimal
    savings: Decimal
    what_changed: Change
    since: date
    debts: tuple[DebtInput, ...]
    option: OptionInput
    affordable_per_month: Decimal
    borrower_name: str | None = None
    account_hint: str | None = None
    income_before: Decimal | None = None
    #: The borrower's own words about what changed (optional, short).
    what_changed_note: str | None = None
    duration_months: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "what_changed", Change(self.what_changed))
        object.__setattr__(self, "debts", tuple(self.debts))
        object.__setattr__(self, "lender", clip(self.lender, SHORT_TEXT))
        for name in ("borrower_name", "account_hint"):
            value = getattr(self, name)
            object.__setattr__(self, name, clip(value, SHORT_TEXT) if value else None)
        note = self.what_changed_note
        object.__setattr__(self, "what_changed_note", clip(note, NOTE_TEXT) if note else None)


# The blocks a section is made of -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Running text."""

    text: str
    #: The sentence the borrower's request rests on (renderers may stress it).
    key: bool = False


@dataclass(frozen=True, slots=True)
class Facts:
    """Label and value pairs."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Bullets:
    """A list, with an optional heading."""

    items: tuple[str, ...]
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Steps:
    """Numbered steps: a label and what to say."""

    steps: tuple[tuple[str, str], ...]
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A table for the PDF, with one plain line per row for chat and plain text."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[str, ...]
    total: tuple[str, ...] | None = None
    #: Narrow renderers show only the first and last lines of a long table.
    abbreviate: bool = False
    #: How many times wider each column is than the narrowest.
    widths: tuple[int, ...] = ()
    #: Lines line up in a fixed-width font (a schedule).
    mono: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    """A question and its answer."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Caution:
    """Something the reader must not miss."""

    text: str


Block = Paragraph | Facts | Bullets | Steps | Table | Question | Caution


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the pack."""

    key: str
    title: str
    blocks: tuple[Block, ...]
    #: True for the letter the borrower sends to the lender; False for the borrower's guide.
    for_lender: bool = False


@dataclass(frozen=True, slots=True)
class Pack:
    """The whole pack, ready to render: the letter to the lender and the borrower's guide."""

    language: str
    lender: str
    #: The guide's title, date and introduction: addressed to the borrower, never in the letter.
    title: str
    subtitle: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...]
    #: The sentence that asks for the arrangement (statement, script and plain text share it).
    request: str
    #: Who writes: the borrower's name and account lines (either may be missing).
    identity: tuple[str, ...] = field(default=())
    #: Closing lines of the letter and the plain text (commitment, written confirmation, thanks).
    sign_off: tuple[str, ...] = field(default=())
    #: The letter's title, and its letterhead: to whom, from whom (blanks to fill in by hand for
    #: what the borrower did not give), and the date.
    letter_title: str = ""
    letterhead: tuple[str, ...] = field(default=())
    #: The line the borrower signs and dates, last in the letter.
    signature: str = ""

    def section(self, key: str) -> Section:
        """The section called ``key``."""
        return next(section for section in self.sections if section.key == key)


def colon(language: str) -> str:
    """The separator between a label and its value: "：" in Chinese, ": " in English."""
    return "：" if language == "zh" else ": "


def shown_lines(table: Table) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """What a narrow renderer shows of a table: the first lines, the last lines, how many between.

    A short (or unabbreviated) table comes back whole as the first part.
    """
    lines = table.lines
    if not table.abbreviate or len(lines) <= SHOWN_FIRST + SHOWN_LAST + 2:
        return lines, (), 0
    hidden = len(lines) - SHOWN_FIRST - SHOWN_LAST
    return lines[:SHOWN_FIRST], lines[-SHOWN_LAST:], hidden


# Building the pack -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Words:
    """The translator with the data's money and date formats."""

    t: Translator
    data: PackInput

    def __call__(self, message: str, /, **params: object) -> str:
        return self.t(message, lender=self.data.lender, **params)

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.data.currency, self.t.locale)

    def day(self, value: date) -> str:
        return day(value, self.t.locale)

    def term(self, months: int) -> str:
        return texts.term(self.t, months)


def build_pack(data: PackInput) -> Pack:
    """The pack for ``data``, in ``data.language``."""
    w = _Words(translator(data.language), data)
    request = _request(w)
    sections = (
        _statement(w),
        _plan(w, request),
        _script(w, request),
        _evidence(w),
        _records(w),
        _refused(w),
        _help(w),
    )
    return Pack(
        language=w.t.language,
        lender=data.lender,
        title=w(texts.TITLE),
        subtitle=w(texts.PREPARED, date=w.day(data.today)),
        intro=(w(texts.INTRO), w(texts.HONEST)),
        sections=sections,
        request=request,
        identity=tuple(_identity(w)),
        sign_off=(w(texts.COMMITMENT), w(texts.WRITTEN), w(texts.REFERENCE), w(texts.PLAIN_THANKS)),
        letter_title=w(texts.LETTER_TITLE),
        letterhead=_letterhead(w),
        signature=w(texts.SIGNATURE),
    )


def _letterhead(w: _Words) -> tuple[str, ...]:
    """To the lender, from the borrower (a blank line to fill in for what is unknown), the date."""
    data = w.data
    return (
        w(texts.ADDRESSEE),
        w(texts.BORROWER, name=data.borrower_name)
        if data.borrower_name
        else w(texts.BORROWER_BLANK),
        w(texts.ACCOUNT, account=data.account_hint)
        if data.account_hint
        else w(texts.ACCOUNT_BLANK),
        w(texts.PHONE_BLANK),
        w(texts.STATEMENT_DATE, date=w.day(data.today)),
    )


def _identity(w: _Words) -> Iterable[str]:
    data = w.data
    if data.borrower_name:
        yield w(texts.BORROWER, name=data.borrower_name)
    if data.account_hint:
        yield w(texts.ACCOUNT, account=data.account_hint)


def what_happened(w: _Words) -> str:
    """What changed, since when, and for how long (the statement and the script share it)."""
    data = w.data
    parts = [w(texts.CHANGED[data.what_changed.value], since=w.day(data.since))]
    if data.what_changed_note:
        parts.append(w(texts.CHANGED_NOTE, note=_sentence(w, data.what_changed_note)))
    if data.duration_months:
        parts.append(w(texts.EXPECTED_DURATION, term=w.term(data.duration_months)))
    else:
        parts.append(w(texts.UNKNOWN_DURATION))
    return _join(w, parts)


def _sentence(w: _Words, text: str) -> str:
    """The borrower's words ending like a sentence."""
    text = text.strip()
    if text.endswith(("。", "！", "？", ".", "!", "?", "…")):
        return text
    return text + ("。" if w.t.language == "zh" else ".")


def _join(w: _Words, sentences: Iterable[str]) -> str:
    """Sentences as one paragraph (Chinese runs them together, English puts a space between)."""
    return ("" if w.t.language == "zh" else " ").join(sentences)


def _statement(w: _Words) -> Section:
    data = w.data
    facts: list[tuple[str, str]] = []
    if data.income_before is not None:
        facts.append((w(texts.INCOME_BEFORE), w.money(data.income_before)))
    left_over = data.income_now - data.fixed_expenses - data.other_debt_payments
    facts += [
        (w(texts.INCOME_NOW), w.money(data.income_now)),
        (w(texts.FIXED_EXPENSES), w.money(data.fixed_expenses)),
        (w(texts.OTHER_DEBTS), w.money(data.other_debt_payments)),
        (w(texts.LEFT_OVER), w.money(left_over)),
        (w(texts.SAVINGS), w.money(data.savings)),
        _can_pay_fact(w),
    ]
    blocks: list[Block] = [
        Paragraph(what_happened(w)),
        Facts(tuple(facts)),
    ]
    if data.debts:
        blocks.append(_debts_table(w))
    blocks += [
        Paragraph(_can_pay_sentence(w)),
        Paragraph(w(texts.NOT_REFUSING)),
    ]
    return Section("statement", w(texts.STATEMENT), tuple(blocks), for_lender=True)


def _once(option: OptionInput) -> bool:
    return option.kind is OptionKind.SETTLEMENT and option.months == 1


def stated_monthly(data: PackInput) -> Decimal:
    """What the statement says the borrower can pay a month: never less than the request asks
    (the request is the promise; the script warns the borrower when it exceeds the budget)."""
    return max(data.affordable_per_month, data.option.monthly_payment)


def _pause_amount(option: OptionInput) -> Decimal:
    if option.pause_interest is PauseInterest.INTEREST_ONLY:
        return option.pause_payment
    return ZERO


def _can_pay_fact(w: _Words) -> tuple[str, str]:
    option = w.data.option
    if _once(option):
        return w(texts.AFFORDABLE_LUMP), w.money(option.total_paid)
    if option.pause_months:
        value = w(
            texts.PAUSE_THEN,
            pause_amount=w.money(_pause_amount(option)),
            pause=w.term(option.pause_months),
            amount=w.money(option.monthly_payment),
        )
        return w(texts.AFFORDABLE), value
    return w(texts.AFFORDABLE), w.money(stated_monthly(w.data))


def _can_pay_sentence(w: _Words) -> str:
    """What the borrower can pay, in the request's own figures (statement and script)."""
    option = w.data.option
    first = w.day(option.first_payment)
    if _once(option):
        return w(texts.AFFORDABLE_ONCE, amount=w.money(option.total_paid), first=first)
    if option.pause_months:
        assert option.pause_first is not None
        return w(
            texts.AFFORDABLE_PAUSE,
            pause_amount=w.money(_pause_amount(option)),
            pause=w.term(option.pause_months),
            pause_first=w.day(option.pause_first),
            amount=w.money(option.monthly_payment),
            first=first,
        )
    return w(texts.AFFORDABLE_FROM, amount=w.money(stated_monthly(w.data)), first=first)


def _debts_table(w: _Words) -> Table:
    debts = w.data.debts
    rows = tuple(
        (
            debt.name,
            w.money(debt.outstanding),
            w.money(debt.monthly_payment),
            w.money(debt.overdue),
            debt.rate_text or "—",
        )
        for debt in debts
    )
    lines = []
    for debt in debts:
        line = w(
            texts.DEBT_LINE,
            debt=debt.name,
            outstanding=w.money(debt.outstanding),
            monthly=w.money(debt.monthly_payment),
            overdue=w.money(debt.overdue),
        )
        if debt.rate_text:
            rate = debt.rate_text if debt.is_fee else w(texts.DEBT_RATE, rate=debt.rate_text)
            line += ("；" if w.t.language == "zh" else "; ") + rate
        lines.append(line)
    total = None
    if len(debts) > 1:
        total = (
            w(texts.TOTAL),
            w.money(sum((debt.outstanding for debt in debts), ZERO)),
            w.money(sum((debt.monthly_payment for debt in debts), ZERO)),
            w.money(sum((debt.overdue for debt in debts), ZERO)),
            "",
        )
        lines.append(
            w(
                texts.DEBT_LINE,
                debt=total[0],
                outstanding=total[1],
                monthly=total[2],
                overdue=total[3],
            )
        )
    return Table(
        title=w(texts.DEBTS),
        columns=(
            w(texts.DEBT),
            w(texts.OUTSTANDING),
            w(texts.MONTHLY),
            w(texts.OVERDUE),
            w(texts.RATE),
        ),
        rows=rows,
        lines=tuple(lines),
        total=total,
        widths=(3, 3, 3, 3, 3),
    )


def _request(w: _Words) -> str:
    option = w.data.option
    params = {
        "monthly": w.money(option.monthly_payment),
        "first": w.day(option.first_payment),
        "term": w.term(option.months),
        "total": w.money(option.total_paid),
    }
    kind = option.kind
    if kind is OptionKind.SETTLEMENT and option.months == 1:
        if option.owed is None:
            return w(texts.REQUEST_SETTLEMENT_ONCE, **params)
        if option.owed > option.total_paid:
            percent = (option.owed - option.total_paid) * 100 / option.owed
            return w(
                texts.REQUEST_SETTLEMENT_DISCOUNT,
                owed=w.money(option.owed),
                percent=f"{percent.quantize(Decimal('1'), rounding=ROUND_HALF_UP):f}",
                **params,
            )
        return w(texts.REQUEST_SETTLEMENT_FULL, **params)
    interest = w.money(option.interest_and_fees)
    if kind is OptionKind.EXTENSION and option.pause_months:
        assert option.pause_first is not None
        return w(
            texts.REQUEST_EXTENSION[option.pause_interest.value],
            pause=w.term(option.pause_months),
            pause_first=w.day(option.pause_first),
            interest=w.money(option.pause_payment),
            then=w.term(option.months - option.pause_months),
            **params,
        )
    if kind is OptionKind.LOWER_PAYMENT and option.schedule:
        return w(texts.REQUEST_LOWER_PAYMENT, interest=interest, **params)
    if kind is OptionKind.WAIVER and option.waived is not None and option.repaid is not None:
        return w(
            texts.REQUEST_WAIVER,
            waived=w.money(option.waived),
            repaid=w.money(option.repaid),
            **params,
        )
    if kind is OptionKind.OVERDUE_INSTALLMENTS and option.overdue is not None:
        return w(
            texts.REQUEST_OVERDUE,
            overdue=w.money(option.overdue),
            spread=w.term(option.overdue_months),
            extra=w.money(option.overdue_extra),
            **params,
        )
    return w(texts.REQUEST[kind.value], **params)


def _difference(w: _Words, amount: Decimal) -> str:
    if amount > 0:
        return w(texts.MORE, amount=w.money(amount))
    if amount < 0:
        return w(texts.LESS, amount=w.money(-amount))
    return w(texts.SAME)


def _plan(w: _Words, request: str) -> Section:
    option = w.data.option
    name = w(texts.OPTION_NAMES[option.kind.value])
    first = option.first_payment
    if option.kind is OptionKind.EXTENSION and option.pause_months:
        name = w(texts.EXTENSION_NAMES[option.pause_interest.value])
        if option.pause_interest is PauseInterest.INTEREST_ONLY and option.pause_first:
            first = option.pause_first
    facts = (
        (w(texts.ARRANGEMENT), name),
        (w(texts.MONTHLY), w.money(option.monthly_payment)),
        (w(texts.PAYMENTS), str(option.months)),
        (w(texts.FIRST_PAYMENT), w.day(first)),
        (w(texts.TOTAL_PAID), w.money(option.total_paid)),
        (w(texts.INTEREST_FEES), w.money(option.interest_and_fees)),
        (w(texts.COMPARED), _difference(w, option.difference)),
    )
    blocks: list[Block] = [Paragraph(request, key=True), Facts(facts)]
    if option.schedule:
        rows = tuple(
            (str(number), w.day(row.due), w.money(row.amount))
            for number, row in enumerate(option.schedule, start=1)
        )
        blocks.append(
            Table(
                title=w(texts.SCHEDULE),
                columns=(w(texts.NUMBER), w(texts.DATE), w(texts.AMOUNT)),
                rows=rows,
                lines=tuple(f"{number}. {due} — {amount}" for number, due, amount in rows),
                abbreviate=True,
                widths=(1, 3, 3),
                mono=True,
            )
        )
    blocks.append(Paragraph(w(texts.NEEDS_APPROVAL)))
    return Section("plan", w(texts.PLAN), tuple(blocks), for_lender=True)


def _script(w: _Words, request: str) -> Section:
    data = w.data
    option = data.option
    before = [w(texts.BEFORE_MATERIALS), w(texts.BEFORE_CHANNELS)]
    if option.monthly_payment > data.affordable_per_month:
        before.append(
            w(
                texts.BEFORE_TOO_MUCH,
                monthly=w.money(option.monthly_payment),
                affordable=w.money(data.affordable_per_month),
            )
        )
    greeting = [w(texts.GREETING)]
    if data.borrower_name:
        greeting.append(w(texts.GREETING_NAME, name=data.borrower_name))
    if data.account_hint:
        greeting.append(w(texts.GREETING_ACCOUNT, account=data.account_hint))
    greeting.append(w(texts.GREETING_VERIFY))
    once = _once(option)
    can_pay = w(
        texts.CAN_PAY_ONCE if once else texts.CAN_PAY,
        amount=w.money(option.total_paid if once else option.monthly_payment),
        first=w.day(option.first_payment),
    )
    if option.pause_months:
        can_pay = _can_pay_sentence(w)
    steps = (
        (w(texts.STEP_GREETING), _join(w, greeting)),
        (w(texts.STEP_WHAT_HAPPENED), _join(w, (what_happened(w), w(texts.EARLY)))),
        (w(texts.STEP_CAN_PAY), can_pay),
        (w(texts.STEP_REQUEST), request),
        (w(texts.STEP_COMMITMENT), w(texts.COMMITMENT)),
        (w(texts.STEP_WRITING), _join(w, (w(texts.WRITTEN), w(texts.REFERENCE)))),
        (w(texts.STEP_AGENT), w(texts.AGENT, date=w.day(data.today))),
    )
    blocks = (
        Bullets(tuple(before), title=w(texts.BEFORE)),
        Steps(steps, title=w(texts.SAY)),
        Paragraph(w(texts.IF_NOT_NOW)),
        Paragraph(w(texts.STAY_CALM)),
    )
    return Section("script", w(texts.SCRIPT), blocks)


def evidence_items(w: _Words) -> tuple[str, ...]:
    """The documents to gather, the ones about what changed first."""
    changed = w.data.what_changed
    items = [w(item) for item in texts.EVIDENCE_CHANGED[changed.value]]
    if changed is not Change.JOB_LOSS and changed is not Change.INCOME_DROP:
        items.append(w(texts.EVIDENCE_CURRENT_INCOME))
    items += [w(texts.EVIDENCE_STATEMENTS), w(texts.EVIDENCE_LETTER), w(texts.EVIDENCE_ID)]
    return tuple(items)


def _evidence(w: _Words) -> Section:
    blocks = (Paragraph(w(texts.EVIDENCE_INTRO)), Bullets(evidence_items(w)))
    return Section("evidence", w(texts.EVIDENCE), blocks)


def _records(w: _Words) -> Section:
    items = (
        w(texts.RECORD_CONTACTS),
        w(texts.RECORD_SCREENSHOTS),
        w(texts.RECORD_OFFICIAL),
        w(texts.RECORD_EXACT),
        w(texts.RECORD_PLAN),
    )
    return Section("records", w(texts.RECORDS), (Bullets(items),))


def _refused(w: _Words) -> Section:
    steps = (
        w(texts.REFUSED_ALTERNATIVES),
        w(texts.REFUSED_ESCALATE),
        w(texts.REFUSED_RECORDS),
        w(texts.REFUSED_BANK),
        w(texts.REFUSED_NON_BANK),
    )
    blocks = (
        Bullets(steps, title=w(texts.REFUSED_STEPS)),
        Question(w(texts.Q_MISSED), w(texts.A_MISSED)),
        Question(w(texts.Q_CREDIT), w(texts.A_CREDIT)),
    )
    return Section("refused", w(texts.REFUSED), blocks)


def _help(w: _Words) -> Section:
    blocks = (
        Bullets(
            (w(texts.HELP_LENDER), w(texts.HELP_12378), w(texts.HELP_ADVISER)),
            title=w(texts.FREE_HELP),
        ),
        Caution(w(texts.WARNING)),
    )
    return Section("help", w(texts.HELP), blocks)
