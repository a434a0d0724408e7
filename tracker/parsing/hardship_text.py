"""Free text that reads like hardship: ``我失业了``, ``生病住院了``, ``I lost my job``.

The bot answers such a message with a short offer of help, so the recogniser is conservative:
a short message with a clear phrase about losing work or income, illness, a family emergency
or not being able to pay, and nothing that negates it (``没失业``), makes it hypothetical
(``如果``, ``what if``) or is about someone else. A payment report (``还了500``) is never
hardship. Everything else passes through to the bot's other handlers.
"""

from __future__ import annotations

import re
from enum import StrEnum

from tracker.parsing.payment_text import recognise_payment
from tracker.parsing.text import normalise_text

#: Longer messages are stories or pasted text: we leave those alone.
MAX_LENGTH = 80


class Cause(StrEnum):
    """What changed, as the hardship flow's first question offers it."""

    JOB_LOSS = "job_loss"
    INCOME_DROP = "income_drop"
    ILLNESS = "illness"
    FAMILY = "family"
    OTHER = "other"  # can't pay, without saying why


# The first matching pattern names the cause (most specific first). Chinese text has no spaces
# after normalisation of half-width forms only, so the patterns match anywhere in the message.
_PATTERNS: tuple[tuple[Cause, re.Pattern[str]], ...] = (
    (
        Cause.JOB_LOSS,
        re.compile(
            r"失业|下岗|被裁|裁员了|被辞退|被开除|辞退了|丢了工作|工作丢了|没了工作|没工作了|"
            r"找不到工作|公司倒闭|\blost (?:my|our) jobs?\b|\blaid off\b|\bbeen fired\b|"
            r"\bgot fired\b|\bwas fired\b|\bunemployed\b|\bjobless\b|\bout of work\b|"
            r"\bmade redundant\b"
        ),
    ),
    (
        Cause.ILLNESS,
        re.compile(
            r"生病|患病|得了病|重病|大病|住院|做手术|要手术|动手术|医药费|看病花|"
            r"\bin (?:the )?hospital\b|\bhospitali[sz]ed\b|\bi(?:'m| am) (?:sick|ill)\b|"
            r"\bgot (?:sick|ill)\b|\bfell ill\b|\bserious illness\b|\bmedical bills?\b|"
            r"\bsurgery\b"
        ),
    ),
    (
        Cause.INCOME_DROP,
        re.compile(
            r"收入(?:减少|下降|降低|少了|没了|骤减|大减|锐减)|工资(?:减少|降了|少了|被降|发不出|"
            r"没发|拖欠)|降薪|减薪|停薪|生意(?:不好|亏了|失败|黄了)|"
            r"\b(?:my )?income (?:has )?(?:dropped|fell|fallen|went down|is down|was cut)\b|"
            r"\b(?:pay|salary|wage) cut\b|\bhours (?:were|got) cut\b|\blost (?:my|our) income\b"
        ),
    ),
    (
        Cause.FAMILY,
        re.compile(
            r"家里出事|家里出了事|家里有急事|家庭变故|家人(?:生病|住院|去世|出事)|"
            r"(?:父亲|母亲|爸爸|妈妈|孩子|老公|老婆|爸|妈)(?:生病|住院|去世|出事)|离婚了|"
            r"\bfamily emergency\b|\bdeath in (?:the|my) family\b|\bdivorce\b"
        ),
    ),
    (
        Cause.OTHER,
        re.compile(
            r"没钱还|还不上|还不起|还不了|没有钱还|没能力还|无力还款|无力偿还|没钱了|"
            r"\bcan(?:'t|not) (?:pay|repay|afford)\b|\bunable to (?:pay|repay)\b|"
            r"\bno money (?:left )?to (?:pay|repay)\b|\bcan(?:'t|not) make (?:the|my) payments?\b"
        ),
    ),
)

#: Negation, hypotheticals, questions about others: the message is not (yet) hardship.
_HEDGES = re.compile(
    r"没(?:有)?(?:失业|生病|住院|被裁)|不是(?:失业|生病)|如果|假如|万一|要是|会不会|担心|怕|"
    r"朋友|同事|别人|\bif\b|\bwhat if\b|\bnot (?:unemployed|sick|ill)\b|\bdidn'?t lose\b|"
    r"\bworried\b|\bafraid\b|\bmight\b|\bmy friend\b|\bsomeone\b|"
    # Something was paid: a payment report, whatever else it says.
    r"还了 ?[0-9¥￥]|\bpaid\b"
)


def recognise_hardship(text: str | None) -> Cause | None:
    """The cause a short message names, or None when it does not clearly read as hardship."""
    if not text:
        return None
    s = normalise_text(text).casefold().replace("’", "'")
    if not s or len(s) > MAX_LENGTH or s.startswith("/"):
        return None
    if _HEDGES.search(s) or recognise_payment(text) is not None:
        return None
    for cause, pattern in _PATTERNS:
        if pattern.search(s):
            return cause
    return None
