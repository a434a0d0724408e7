"""Every sentence of the negotiation pack as English message ids (Chinese: ``locales/zh/pack.po``).

The texts hold no HTML: the renderers add markup and escape what the user typed. Placeholders are
filled with plain values (money and dates already formatted for the reader's language).
"""

from __future__ import annotations

from bot.i18n import N_, Translator

# Title and introduction ---------------------------------------------------------------------------

#: The borrower's guide (and the chat's header): addressed to the borrower, never to the lender.
TITLE = N_("Your guide to asking {lender} for a new arrangement")
PREPARED = N_("Prepared on {date}")
INTRO = N_(
    "This guide is for you, not for {lender}. What you send is the letter (the other PDF): sign "
    "and date it, then send it or attach it in the app chat. Here: what to say, what to gather, "
    "and what to do if they say no."
)
HONEST = N_(
    "It is built from the figures you gave me: check them before you send anything. It is not "
    "legal advice. {lender} decides whether to agree; an early, honest and clear request gives "
    "you the best chance."
)

# The letter to the lender: title, letterhead, closing ---------------------------------------------

#: The letter's own title: what the lender reads first.
LETTER_TITLE = N_("Request for a repayment arrangement")
BORROWER_BLANK = N_("Borrower: ________________________")
ACCOUNT_BLANK = N_("Account or contract number: ________________________")
PHONE_BLANK = N_("Contact phone: ________________________")

# 1. Situation statement ---------------------------------------------------------------------------

STATEMENT = N_("1. Financial situation statement")
ADDRESSEE = N_("To: {lender} customer service")
BORROWER = N_("Borrower: {name}")
ACCOUNT = N_("Account: {account}")
STATEMENT_DATE = N_("Date: {date}")

CHANGED = {
    "job_loss": N_("I lost my job on {since}."),
    "income_drop": N_("Since {since}, my income has fallen."),
    "illness": N_("Since {since}, illness has kept me from working as before."),
    "family": N_("Since {since}, a family emergency has put a heavy strain on my finances."),
    "other": N_("Since {since}, my financial situation has changed."),
}
CHANGED_NOTE = N_("In my own words: {note}")
EXPECTED_DURATION = N_("I expect this to last about {term}.")
UNKNOWN_DURATION = N_("I cannot yet say how long this will last.")
NOT_REFUSING = N_(
    "I am not refusing to pay. I want to keep repaying in a way I can sustain, and I ask {lender} "
    "to consider the plan below."
)

INCOME_BEFORE = N_("Monthly income before the change")
INCOME_NOW = N_("Monthly income now")
FIXED_EXPENSES = N_("Essential monthly expenses (rent, utilities, food, transport)")
OTHER_DEBTS = N_("Monthly payments on other debts")
SAVINGS = N_("Savings I can use")
LEFT_OVER = N_("Left each month after expenses and other debts")
AFFORDABLE = N_("What I can pay {lender} each month")
AFFORDABLE_LUMP = N_("What I can pay {lender} in one payment")
PAUSE_THEN = N_("{pause_amount} a month for {pause}, then {amount} a month")
AFFORDABLE_FROM = N_(
    "After essential expenses and my other debts, I can reliably pay {amount} a month towards "
    "this debt from {first}."
)
AFFORDABLE_PAUSE = N_(
    "After essential expenses and my other debts, I cannot pay this debt in full for now: I can "
    "pay {pause_amount} a month for {pause} from {pause_first}, and then {amount} a month from "
    "{first}."
)
AFFORDABLE_ONCE = N_(
    "After essential expenses and my other debts, I can pay {amount} in one payment on {first} "
    "from my savings, towards this debt."
)

DEBTS = N_("My debts")
DEBT = N_("Debt")
OUTSTANDING = N_("Outstanding")
MONTHLY = N_("Monthly payment")
OVERDUE = N_("Overdue")
RATE = N_("Rate")
TOTAL = N_("Total")
DEBT_LINE = N_("{debt}: {outstanding} outstanding, {monthly} a month, {overdue} overdue")
DEBT_RATE = N_("rate {rate}")

# 2. Proposed plan ---------------------------------------------------------------------------------

PLAN = N_("2. Proposed repayment plan")
REQUEST = {
    "extension": N_(
        "I would like to ask {lender} to extend my loan so that the balance is repaid over "
        "{term}, at {monthly} a month from {first}."
    ),
    "lower_payment": N_(
        "I would like to ask {lender} to lower my monthly payment to {monthly} from {first}, "
        "over {term}."
    ),
    "waiver": N_(
        "I would like to ask {lender} to waive or reduce the interest and penalty charges, so "
        "that I can repay {monthly} a month over {term} from {first}."
    ),
    "overdue_installments": N_(
        "I would like to ask {lender} to let me repay the overdue amount in installments: "
        "{monthly} a month over {term}, starting on {first}."
    ),
    "settlement": N_(
        "I would like to ask {lender} to accept {total} as full and final settlement of this "
        "debt, paid over {term} at {monthly} a month from {first}."
    ),
}
#: An extension's request with its pause worded (``{pause}`` months from ``{pause_first}``, then
#: ``{monthly}`` a month over ``{then}`` from ``{first}``), by what happens to the interest.
REQUEST_EXTENSION = {
    "running": N_(
        "I would like to ask {lender} for an extension: no payments for {pause} from "
        "{pause_first}, with interest continuing to run during the pause and added to what I "
        "repay afterwards; then {monthly} a month over {then} from {first}, {total} in total."
    ),
    "interest_only": N_(
        "I would like to ask {lender} for an extension: for {pause} from {pause_first} I pay "
        "only the interest, at most {interest} a month, and no principal; then {monthly} a month "
        "over {then} from {first}, {total} in total."
    ),
    "frozen": N_(
        "I would like to ask {lender} for an extension: no payments for {pause} from "
        "{pause_first}, with the interest frozen, so that no interest is charged for the pause; "
        "then {monthly} a month over {then} from {first}, {total} in total."
    ),
}
REQUEST_LOWER_PAYMENT = N_(
    "I would like to ask {lender} to lower my monthly payment to {monthly} by spreading what I "
    "owe over {term} from {first}; interest and fees continue as in my contract, {interest} "
    "over the whole plan, {total} in total."
)
REQUEST_WAIVER = N_(
    "I would like to ask {lender} to waive the interest and penalty charges, {waived} less than "
    "my current plan, and to let me repay the {repaid} I owe without further interest: {monthly} "
    "a month over {term} from {first}, {total} in total."
)
REQUEST_OVERDUE = N_(
    "I would like to ask {lender} to let me repay the overdue amount of {overdue} in "
    "installments over {spread}, about {extra} a month on top of my regular payments, from "
    "{first}; interest continues as in my contract, and the schedule below comes to {total} "
    "in total."
)
REQUEST_SETTLEMENT_DISCOUNT = N_(
    "I would like to ask {lender} to accept a one-off payment of {total} on {first} as full and "
    "final settlement of this debt, instead of the {owed} it takes to settle it today ({percent}% "
    "less), with no further interest or charges."
)
REQUEST_SETTLEMENT_FULL = N_(
    "I would like to ask {lender} to accept a one-off payment of {total} on {first}, what it takes "
    "to settle this debt today, as full and final settlement, with no further interest or charges."
)
REQUEST_SETTLEMENT_ONCE = N_(
    "I would like to ask {lender} to accept a one-off payment of {total} on {first} as full and "
    "final settlement of this debt."
)
EXTENSION_NAMES = {
    "running": N_("Extension: pause, interest keeps running"),
    "interest_only": N_("Extension: interest only for a while"),
    "frozen": N_("Extension: pause, interest frozen"),
}
OPTION_NAMES = {
    "extension": N_("Extension"),
    "lower_payment": N_("Lower monthly payment"),
    "waiver": N_("Interest and penalty waiver"),
    "overdue_installments": N_("Installments on the overdue amount"),
    "settlement": N_("Settlement"),
}
ARRANGEMENT = N_("Arrangement")
PAYMENTS = N_("Number of payments")
FIRST_PAYMENT = N_("First payment")
TOTAL_PAID = N_("Total to be paid")
INTEREST_FEES = N_("Interest and fees in this plan")
COMPARED = N_("Compared with the current plan")
MORE = N_("{amount} more in total")
LESS = N_("{amount} less in total")
SAME = N_("the same in total")
SCHEDULE = N_("Payment schedule")
NUMBER = N_("No.")
DATE = N_("Date")
AMOUNT = N_("Amount")
ROWS_LEFT_OUT = N_("… {count} more payments: the full schedule is in the PDF.")
NEEDS_APPROVAL = N_(
    "I understand this needs {lender}'s approval. If this plan is not possible, I would be "
    "grateful to hear which alternatives you can offer."
)

# The guide, 1. Script -----------------------------------------------------------------------------

SCRIPT = N_("1. Call or chat script")
BEFORE = N_("Before you start")
BEFORE_MATERIALS = N_(
    "Have the letter, your ID and your account details at hand, and choose a quiet moment with "
    "time to spare."
)
BEFORE_CHANNELS = N_(
    "Use official channels only: the hotline shown in the {lender} app or on your statement, or "
    "the customer service inside the app."
)
BEFORE_TOO_MUCH = N_(
    "This plan asks for {monthly} a month, more than the {affordable} you said you can afford. "
    "Promise only what you can keep paying."
)
SAY = N_("What to say")
STEP_GREETING = N_("Greeting")
STEP_WHAT_HAPPENED = N_("What happened")
STEP_CAN_PAY = N_("What you can pay")
STEP_REQUEST = N_("Your request")
STEP_COMMITMENT = N_("Your commitment")
STEP_WRITING = N_("Written confirmation")
STEP_AGENT = N_("Agent and date")
GREETING = N_("Hello, I am calling about my {lender} account.")
GREETING_NAME = N_("My name is {name}.")
GREETING_ACCOUNT = N_("My account reference is {account}.")
GREETING_VERIFY = N_("I can verify my identity.")
EARLY = N_(
    "I do not want to fall behind without telling you, so I am contacting you early and honestly."
)
CAN_PAY = N_("I can pay {amount} a month, starting on {first}.")
CAN_PAY_ONCE = N_("I can pay {amount} in one payment on {first}.")
COMMITMENT = N_(
    "If you agree, I will pay exactly as agreed, and I will tell you straight away if anything "
    "changes."
)
WRITTEN = N_(
    "Could you please send me the agreed arrangement in writing, by SMS, letter or a message in "
    "the app, with the new amounts and dates?"
)
REFERENCE = N_("Could you also give me a reference number for this request?")
AGENT = N_("May I have your name or staff number? I am noting it down with today's date, {date}.")
IF_NOT_NOW = N_(
    "If they cannot agree now, ask: “What can you offer me instead, and which documents do you "
    "need?”"
)
STAY_CALM = N_(
    "Stay calm and polite even if the call is hard. You may ask to continue in writing or to be "
    "called back."
)

# 2. Evidence --------------------------------------------------------------------------------------

EVIDENCE = N_("2. Evidence checklist")
EVIDENCE_INTRO = N_("Lenders often ask for these. Send copies or photos, never the originals.")
EVIDENCE_ID = N_("Your ID card (both sides)")
EVIDENCE_STATEMENTS = N_("Bank statements for the last 3–6 months")
EVIDENCE_LETTER = N_("The letter to {lender}, signed and dated")
EVIDENCE_CURRENT_INCOME = N_(
    "Proof of your current income, if you have any (payslip or income certificate)"
)
EVIDENCE_CHANGED = {
    "job_loss": (
        N_("Proof of job loss: the termination notice, or your unemployment registration"),
        N_("Your social insurance record showing when contributions stopped"),
    ),
    "income_drop": (
        N_(
            "Proof of income before and after: payslips, an income certificate from your "
            "employer, or business records"
        ),
    ),
    "illness": (
        N_("Medical documents: diagnosis, hospital records and medical bills"),
        N_("Proof of sick leave or of the income you lost"),
    ),
    "family": (
        N_("Documents about the family emergency, such as medical or funeral records"),
        N_("Proof of your relationship to the family member, if the lender asks"),
    ),
    "other": (N_("Any document that shows what changed and when"),),
}

# 3. Records ---------------------------------------------------------------------------------------

RECORDS = N_("3. Keeping records")
RECORD_CONTACTS = N_(
    "Write down every contact: date and time, channel (phone, app chat, letter), the agent's "
    "name or staff number, what was agreed, and the reference number."
)
RECORD_SCREENSHOTS = N_(
    "Keep screenshots of app chats, SMS and notices, and keep every payment receipt."
)
RECORD_OFFICIAL = N_(
    "Pay only through {lender}'s official repayment channels, never into a personal account."
)
RECORD_EXACT = N_(
    "Once a plan is agreed, pay exactly the agreed amount on each date: a missed payment can "
    "cancel the arrangement."
)
RECORD_PLAN = N_(
    "Record the agreed plan here with /plan, and I will remind you before each payment."
)

# 4. If they say no --------------------------------------------------------------------------------

REFUSED = N_("4. If {lender} says no")
REFUSED_STEPS = N_("Step by step")
REFUSED_ALTERNATIVES = N_(
    "Ask what they can offer instead and which documents would help, then propose another option "
    "(a longer term, a smaller payment, installments on the overdue amount)."
)
REFUSED_ESCALATE = N_(
    "Ask to take the request to the complaints team or a senior team, and ask for a reference "
    "number for the complaint."
)
REFUSED_RECORDS = N_(
    "Keep records of every answer: date, agent, reference number, screenshots. If you can, keep "
    "paying something meanwhile and keep the receipts."
)
# 12378 is the banking and insurance consumer hotline of the regulator, the National Financial
# Regulatory Administration (国家金融监督管理总局, NFRA); source: /work/shared/domain-notes.md,
# "Free help". It takes complaints about banks; other licensed lenders answer through their own
# complaints channel. No lender's own number is printed: we have no cited source for any.
REFUSED_BANK = N_(
    "If {lender} is a bank and its complaints team does not resolve it: call 12378, the consumer "
    "hotline of the banking and insurance regulator (National Financial Regulatory "
    "Administration)."
)
REFUSED_NON_BANK = N_(
    "If {lender} is a licensed lender that is not a bank (a consumer finance company or a lending "
    "platform): use its own complaints channel, in the customer service of its app or on its "
    "official website."
)
Q_MISSED = N_("What if I miss a payment after agreeing?")
A_MISSED = N_(
    "Late fees and penalty interest may be charged, the arrangement may be cancelled, and the "
    "late payment can go on your credit record. Contact {lender} at once, before the due date if "
    "you can, explain what happened and ask how to get back on track."
)
Q_CREDIT = N_("How do I check my credit report?")
A_CREDIT = N_(
    "Through the Credit Reference Center of the People's Bank of China (中国人民银行征信中心): "
    "on its official website, or at the query machines and counters of many bank branches. The "
    "lender must tell you before it reports adverse information, and adverse records are kept "
    "for 5 years from the end of the adverse event (for example, from when the overdue amount is "
    "repaid)."
)

# 5. Free help -------------------------------------------------------------------------------------

HELP = N_("5. Free help, and a warning")
FREE_HELP = N_("Free help")
HELP_LENDER = N_(
    "{lender}'s own customer service: the customer-service entry in its app, or the number on "
    "your statement."
)
# 12378: the NFRA consumer hotline (source: /work/shared/domain-notes.md, "Free help").
HELP_12378 = N_(
    "12378, the banking and insurance consumer hotline in China, if talking to the lender gets "
    "nowhere or you are treated unfairly."
)
HELP_ADVISER = N_("A non-profit debt adviser or your local free legal aid service.")
WARNING = N_(
    "Warning: do not pay “negotiation agents” or anyone who promises to "
    "“repair” or clean your credit record for a fee. These are widely reported scams: they take "
    "your money and personal data, can make things worse, and cannot do anything you cannot do "
    "yourself for free. Accurate credit records cannot be deleted for money."
)

# Plain text for the lender's app chat -------------------------------------------------------------

PLAIN_GREETING = N_("Hello, I am writing about my {lender} account.")
PLAIN_THANKS = N_("Thank you for your time.")

# PDF ----------------------------------------------------------------------------------------------

SIGNATURE = N_("Signature: ____________________    Date: ____________")
GUIDE_FOOTER = N_("Your guide, not for the lender · page {page} of {pages}")
PAGE = N_("Page {page} of {pages}")


def term(t: Translator, months: int) -> str:
    """A number of months: “12 months” / “12 个月”."""
    return t.plural("{n} month", "{n} months", months)
