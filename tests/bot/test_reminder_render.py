"""bot/reminder_render.py: every outbox kind as a message in both languages, within limits."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.callbacks import MAX_CALLBACK_BYTES, decode
from bot.formatting import MAX_MESSAGE
from bot.localapi.htmlparse import parse_html
from bot.reminder_render import LIST_CAP, render
from jobs.types import Rendered
from tracker.storage.enums import Language
from tracker.storage.models import Outbox, User

OWNER = 9_876_543_210  # a long Telegram id: the callback data must still fit
NAME = "<b>金条&</b>"
INSTALLMENT = {
    "installment_id": 123_456_789_012,
    "debt_id": 42,
    "debt_name": NAME,
    "currency": "CNY",
    "due_date": "2026-12-15",
    "remaining": "917.99",
}
SENT = {  # 09:00 in Shanghai
    "due": datetime(2026, 12, 12, 1, tzinfo=UTC),  # 3 days ahead
    "overdue": datetime(2026, 12, 18, 1, tzinfo=UTC),
    "risk": datetime(2026, 12, 10, 1, tzinfo=UTC),
    "digest": datetime(2026, 12, 7, 1, tzinfo=UTC),
    "later": datetime(2026, 12, 12, 5, tzinfo=UTC),  # 13:00
}
RISK_REASONS = [
    {"code": "due_exceeds_affordable", "params": {"due": "917.99", "affordable": "600.00"}},
    {"code": "crowded_week", "params": {"week_total": "1500.00", "affordable": "1200.00"}},
    {"code": "recent_late", "params": {"count": 2}},
    {"code": "recent_partial", "params": {"count": 1}},
    {"code": "recent_hardship", "params": {"count": 1}},
    {"code": "no_budget", "params": {}},
]


def payloads() -> dict[str, dict[str, Any]]:
    second = INSTALLMENT | {"installment_id": 7, "debt_name": "白条", "due_date": "2026-12-20"}
    return {
        "due": INSTALLMENT | {"lead_days": 3},
        "overdue": INSTALLMENT
        | {
            "days_overdue": 3,
            "grace_days": 0,
            "penalty_accrued": "2.07",
            "penalty_per_day": "0.69",
        },
        "risk": INSTALLMENT | {"score": 100, "level": "high", "reasons": RISK_REASONS},
        "digest": {
            "week": "2026-W50",
            "upcoming": [INSTALLMENT, second],
            "overdue": [INSTALLMENT | {"days_overdue": 3, "penalty_accrued": "2.07"}],
            "upcoming_totals": {"CNY": "1835.98"},
            "progress": [
                {"currency": "CNY", "planned": "2000.00", "paid": "1500.00", "behind": "500.00"}
            ],
            "on_time_streak": 4,
        },
        "later": INSTALLMENT
        | {"lead_days": 3, "kind": "due", "original_at": "2026-12-12T01:00:00+00:00"},
    }


def user(language: Language) -> User:
    return User(id=1, telegram_user_id=OWNER, chat_id=OWNER, language=language)


def row(kind: str, payload: dict[str, Any] | str, *, at: datetime | None = None) -> Outbox:
    moment = at or SENT.get(kind, SENT["due"])
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return Outbox(
        id=987_654_321_098,
        key=f"{kind}:1",
        user_id=1,
        chat_id=OWNER,
        kind=kind,
        payload=text,
        due_at=moment,
        next_attempt_at=moment,
    )


def send(out_row: Outbox, who: User, now: datetime | None = None) -> Rendered | None:
    """Render as the sender does; ``now`` defaults to the row's planned slot."""
    return render(out_row, who, now or out_row.due_at)


def rendered(kind: str, language: Language, payload: dict[str, Any] | None = None) -> Rendered:
    out = send(row(kind, payload or payloads()[kind]), user(language))
    assert out is not None
    return out


def visible(out: Rendered) -> str:
    """The text as Telegram shows it (the local Bot API's HTML parser: tags must be valid)."""
    text, _ = parse_html(out.text)
    return text


def buttons(out: Rendered) -> list[tuple[str, str]]:
    assert out.keyboard is not None
    return [(b.text, str(b.callback_data)) for line in out.keyboard.inline_keyboard for b in line]


@pytest.mark.parametrize("language", [Language.ZH, Language.EN])
@pytest.mark.parametrize("kind", ["due", "overdue", "risk", "digest", "later"])
def test_every_kind_renders_within_limits(kind: str, language: Language) -> None:
    out = rendered(kind, language)
    assert 0 < len(out.text) <= MAX_MESSAGE
    shown = visible(out)
    assert NAME in shown  # escaped in the HTML, shown as typed
    assert "<b>金条" not in out.text.replace("<b>&lt;b&gt;", "")  # never raw
    if out.keyboard is not None:
        for _, data in buttons(out):
            assert len(data.encode()) <= MAX_CALLBACK_BYTES
            assert decode(data, OWNER).owner == OWNER


def test_due_in_both_languages() -> None:
    zh, en = rendered("due", Language.ZH), rendered("due", Language.EN)
    assert "🔔 还款提醒：<b>金条&</b>的 ¥917.99 将于12月15日到期（还有 3 天）。" in visible(zh)
    assert "🔔 Reminder: CN¥917.99 to <b>金条&</b> is due on Dec 15 (in 3 days)." in visible(en)
    assert buttons(en) == [
        ("✅ Paid in full", f"rp:{OWNER}:123456789012"),
        ("Paid part", f"rq:{OWNER}:123456789012"),
        ("⏰ Remind me later", f"rl:{OWNER}:987654321098"),
        ("I can't pay", f"rc:{OWNER}:123456789012"),
    ]
    assert [label for label, _ in buttons(zh)] == [
        "✅ 已还清本期",
        "只还了一部分",
        "⏰ 稍后提醒",
        "我还不上",
    ]


@pytest.mark.parametrize(
    ("at", "zh", "en"),
    [
        (datetime(2026, 12, 14, 1, tzinfo=UTC), "（明天）", "(tomorrow)"),
        (datetime(2026, 12, 15, 1, tzinfo=UTC), "（今天）", "(today)"),
        (datetime(2026, 12, 16, 1, tzinfo=UTC), "已于12月15日到期", "was due on Dec 15"),
    ],
)
def test_due_says_when_counted_from_the_send_day(at: datetime, zh: str, en: str) -> None:
    payload = payloads()["due"]
    for language, expected in ((Language.ZH, zh), (Language.EN, en)):
        out = send(row("due", payload, at=at), user(language))
        assert out is not None
        assert expected in visible(out)


def test_overdue_explains_credit_and_gives_a_message_for_the_lender() -> None:
    en = rendered("overdue", Language.EN)
    text = visible(en)
    assert "CN¥917.99 is overdue since Dec 15 (3 days)." in text
    assert "Penalty interest so far: CN¥2.07; about CN¥0.69 more each day" in text
    assert "credit reference centre" in text
    assert "five years after the overdue amount is paid" in text
    assert "12378" in text
    assert "negotiation agent" in text
    # The letter is a code block (tap to copy), naming the account, the amount and the date.
    letter = en.text.split("<code>", 1)[1].split("</code>", 1)[0]
    assert "&lt;b&gt;金条&amp;&lt;/b&gt;" in letter
    assert "CN¥917.99" in letter
    assert "in writing" in letter
    zh = visible(rendered("overdue", Language.ZH))
    assert "¥917.99 自12月15日起逾期，已逾期 3 天。" in zh
    assert "征信" in zh
    assert "保留五年" in zh
    assert "书面形式确认" in zh
    assert "代理协商" in zh


def test_one_day_overdue_is_singular_in_english() -> None:
    payload = payloads()["overdue"] | {"days_overdue": 1}
    assert "(1 day)." in visible(rendered("overdue", Language.EN, payload))


def test_risk_gives_reasons_in_words_and_what_to_do() -> None:
    en = visible(rendered("risk", Language.EN))
    assert "This payment may be hard to make:" in en
    assert "more than your budget leaves for your debts in a month (CN¥600.00)" in en
    assert "it comes to CN¥1,500.00" in en
    assert "2 late payments in the last 90 days" in en
    assert "1 partial payment in the last 90 days" in en
    assert "your situation has changed" in en
    assert "Talk to the lender before the due date" in en
    assert "/budget" in en
    assert "/hardship prepares options and a message for your lender." in en
    zh = visible(rendered("risk", Language.ZH))
    assert "这笔还款可能有困难" in zh
    assert "最近 90 天有 2 次逾期还款" in zh
    assert "请在到期日之前联系贷款机构" in zh
    assert "/hardship 会为你整理可选方案" in zh
    assert [label for label, _ in buttons(rendered("risk", Language.ZH))] == [
        "✅ 已还清本期",
        "我还不上",
    ]


def test_digest_lists_what_is_due_and_overdue() -> None:
    en = visible(rendered("digest", Language.EN))
    assert "This month: CN¥1,500.00 of CN¥2,000.00 paid, CN¥500.00 still to pay." in en
    assert "On time 4 times in a row." in en
    assert "Due in the next 30 days" in en
    assert "Dec 20 白条 CN¥917.99" in en
    assert "In all: CN¥1,835.98" in en
    assert "· <b>金条&</b> CN¥917.99, 3 days late, penalty so far CN¥2.07" in en
    zh = visible(rendered("digest", Language.ZH))
    assert "本月应还 ¥2,000.00，已还 ¥1,500.00，还剩 ¥500.00。" in zh
    assert "未来 30 天内到期" in zh
    # One tap from the digest to the progress chart (bot.features.progress answers "prg").
    assert buttons(rendered("digest", Language.ZH)) == [("📈 还款进度", f"prg:{OWNER}")]
    assert buttons(rendered("digest", Language.EN)) == [("📈 Progress", f"prg:{OWNER}")]


def test_a_huge_digest_is_capped_to_one_message() -> None:
    many = [
        INSTALLMENT | {"installment_id": n, "debt_name": "&" * 40} for n in range(LIST_CAP * 30)
    ]
    payload = payloads()["digest"] | {
        "upcoming": many,
        "overdue": [i | {"days_overdue": 5, "penalty_accrued": "1.00"} for i in many],
    }
    for language in (Language.ZH, Language.EN):
        out = rendered("digest", language, payload)
        assert len(out.text) <= MAX_MESSAGE
        # Ten lines a list would not fit with names this long: five each, then "…and N more".
        assert out.text.count("&amp;" * 40) == 2 * 5
    assert visible(rendered("digest", Language.EN, payload)).count("…and 295 more.") == 2


def test_later_resends_the_original_kind() -> None:
    zh = visible(rendered("later", Language.ZH))
    assert zh.startswith("⏰ 按你的要求，再提醒你一次。")
    assert "将于12月15日到期（还有 3 天）" in zh
    overdue = payloads()["overdue"] | {
        "kind": "overdue",
        "original_at": "2026-12-18T01:00:00+00:00",
    }
    next_day = datetime(2026, 12, 19, 1, tzinfo=UTC)
    out = send(row("later", overdue, at=next_day), user(Language.EN))
    assert out is not None
    # A day later: one more day overdue, one more day of penalty.
    assert "(4 days)" in visible(out)
    assert "Penalty interest so far: CN¥2.76" in visible(out)


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("due", "not json"),
        ("due", "[1, 2]"),
        ("due", {"installment_id": 1}),  # missing fields
        ("due", INSTALLMENT | {"lead_days": 3, "remaining": "lots"}),
        ("due", INSTALLMENT | {"lead_days": 3, "remaining": "NaN"}),
        ("due", INSTALLMENT | {"lead_days": 3, "due_date": "15/12/2026"}),
        ("due", INSTALLMENT | {"lead_days": 3, "currency": "人民币"}),
        ("due", INSTALLMENT | {"lead_days": "3"}),
        ("overdue", INSTALLMENT | {"lead_days": 3}),  # a due payload under another kind
        ("risk", INSTALLMENT | {"reasons": [{"code": "crowded_week", "params": {}}]}),
        ("risk", INSTALLMENT | {"reasons": "high"}),
        ("digest", {"week": "2026-W50", "upcoming": [{"debt_name": "x"}]}),
        ("digest", {"week": "2026-W50", "upcoming_totals": ["CNY"]}),
        ("later", INSTALLMENT | {"lead_days": 3}),  # no original kind
        ("later", INSTALLMENT | {"lead_days": 3, "kind": "digest"}),
        ("postcard", INSTALLMENT),
    ],
)
def test_an_unreadable_payload_is_dropped_with_a_warning(
    kind: str, payload: dict[str, Any] | str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.reminder_render"):
        assert send(row(kind, payload), user(Language.ZH)) is None
    assert "unreadable payload" in caplog.text


def test_an_unknown_risk_reason_is_left_out() -> None:
    payload = INSTALLMENT | {"reasons": [{"code": "moon_phase", "params": {}}]}
    text = visible(rendered("risk", Language.EN, payload))
    assert "Why I think so" not in text
    assert "Talk to the lender before the due date" in text


def test_an_unknown_timezone_falls_back_to_shanghai() -> None:
    odd = user(Language.EN)
    odd.timezone = "Mars/Olympus"
    out = send(row("due", payloads()["due"]), odd)
    assert out is not None
    assert "(in 3 days)" in visible(out)


def test_a_long_digest_lists_ten_of_each_then_says_how_many_more() -> None:
    many = [INSTALLMENT | {"installment_id": n, "debt_name": f"借据{n}"} for n in range(30)]
    payload = payloads()["digest"] | {
        "upcoming": many,
        "overdue": [i | {"days_overdue": 2, "penalty_accrued": "1.00"} for i in many],
    }
    zh = visible(rendered("digest", Language.ZH, payload))
    assert zh.count("借据") == 2 * LIST_CAP
    assert zh.count("……另有 20 项。") == 2
