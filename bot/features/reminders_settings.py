"""/reminders settings: reading the one-line forms and showing them (the service applies them).

One-line forms (Chinese words work too), and the same changes from the menus' buttons:
``/reminders 3,1,0 09:00`` · ``/reminders 3,1,0`` · ``/reminders 20:00`` · ``/reminders off|on``
``/reminders quiet 22:00-08:00|off`` · ``/reminders digest off|on|mon 09:00``.
"""

from __future__ import annotations

import re
from datetime import time

from babel.dates import get_day_names
from babel.lists import format_list

from bot.callbacks import BadCallback, Callback
from bot.i18n import N_
from bot.runtime import Turn
from tracker.errors import DomainError
from tracker.parsing.text import SKIP_WORDS, is_skip, normalise_text
from tracker.reminders import (
    OVERDUE_OCCASIONS,
    InvalidReminderSetting,
    ReminderPrefs,
    parse_reminder_setting,
    parse_reminder_time,
)
from tracker.risk import RISK_LEAD_DAYS
from tracker.services.reminders import ReminderChange

OFF = {"off", "关", "关闭", "停", "停止", "不要"}
ON = {"on", "开", "开启", "打开"}
QUIET = {"quiet", "免打扰", "勿扰", "静音"}
DIGEST = {"digest", "summary", "weekly", "周报", "每周摘要", "摘要"}
#: Quiet hours off: ``/reminders quiet off`` (or none, 无, 不…: the shared skip words).
NONE = OFF | SKIP_WORDS
_RANGE = re.compile(r"\s*(?:-|–|—|~|～|到|至)\s*|\s+")
_WEEKDAY_PREFIXES = ("星期", "礼拜", "周")
_CN_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_change(text: str) -> ReminderChange:
    """Read the words after /reminders; InvalidReminderSetting (with a code) if unreadable."""
    clean = normalise_text(text).strip()
    head, _, rest = clean.partition(" ")
    word = head.casefold()
    rest = rest.strip()
    if word in OFF and not rest:
        return ReminderChange(enabled=False)
    if word in ON and not rest:
        return ReminderChange(enabled=True)
    if word in QUIET:
        return _quiet(rest)
    if word in DIGEST:
        return _digest(rest)
    setting = parse_reminder_setting(clean)
    # Setting the days or the time means wanting reminders: they come back on.
    return ReminderChange(enabled=True, lead_days=setting.lead_days, at=setting.at)


def _quiet(text: str) -> ReminderChange:
    if text.casefold() in NONE or is_skip(text):
        return ReminderChange(clear_quiet=True)
    parts = [p for p in _RANGE.split(text) if p]
    if len(parts) != 2:
        raise InvalidReminderSetting(
            f"{text!r} is not a range of times", code="reminder_quiet_garbage", text=text
        )
    try:
        start, end = (parse_reminder_time(p) for p in parts)
    except InvalidReminderSetting:
        raise InvalidReminderSetting(
            f"{text!r} is not a range of times", code="reminder_quiet_garbage", text=text
        ) from None
    if start == end:
        raise InvalidReminderSetting(
            "quiet hours start where they end", code="reminder_quiet_empty"
        )
    return ReminderChange(quiet=(start, end))


def weekday(word: str) -> int | None:
    """0 (Monday) … 6 for ``mon``, ``Monday``, ``周一``, ``星期日``, ``礼拜天``; else None."""
    w = word.casefold().rstrip(".")
    for prefix in _WEEKDAY_PREFIXES:
        if w.startswith(prefix) and w[len(prefix) :] in _CN_DAYS:
            return _CN_DAYS[w[len(prefix) :]]
    if len(w) >= 3 and w.isascii():
        for index, name in enumerate(_EN_DAYS):
            if name.startswith(w):
                return index
    return None


def _digest(text: str) -> ReminderChange:
    lowered = text.casefold()
    if lowered in OFF:
        return ReminderChange(digest_enabled=False)
    if not text or lowered in ON:
        return ReminderChange(digest_enabled=True)
    words = text.split()
    day = weekday(words[0])
    if day is None or len(words) > 2:
        raise InvalidReminderSetting(
            f"{text!r} is not a weekday and time", code="reminder_digest_garbage", text=text
        )
    at = None
    if len(words) == 2:
        try:
            at = parse_reminder_time(words[1])
        except InvalidReminderSetting:
            raise InvalidReminderSetting(
                f"{text!r} is not a weekday and time", code="reminder_digest_garbage", text=text
            ) from None
    return ReminderChange(digest_enabled=True, digest_weekday=day, digest_time=at)


def button_change(data: Callback) -> ReminderChange:
    """A settings button's change; BadCallback if it is not one the menus make."""
    what = data.arg(0)
    if what in ("on", "off"):
        return ReminderChange(enabled=what == "on")
    value = data.arg(1)
    try:
        if what == "d":
            return parse_change(value.replace("-", ","))
        if what == "t":
            return ReminderChange(at=_hm(value))
        if what == "q":
            if value == "none":
                return ReminderChange(clear_quiet=True)
            start, _, end = value.partition("-")
            return ReminderChange(quiet=(_hm(start), _hm(end)))
        if what == "g":
            if value in ("on", "off"):
                return ReminderChange(digest_enabled=value == "on")
            day, _, at = value.partition("-")
            if len(day) != 1 or day not in "0123456":
                raise BadCallback(f"bad weekday {day!r}")
            return ReminderChange(digest_enabled=True, digest_weekday=int(day), digest_time=_hm(at))
    except DomainError:
        raise BadCallback(f"bad setting {data.args!r}") from None
    raise BadCallback(f"unknown setting {what!r}")


def _hm(value: str) -> time:
    """0930 → 09:30 (button data)."""
    if len(value) != 4 or not value.isdigit() or int(value[:2]) > 23 or int(value[2:]) > 59:
        raise BadCallback(f"bad time {value!r}")
    return time(int(value[:2]), int(value[2:]))


# ---- showing them ----------------------------------------------------------------------------


def hhmm(value: time) -> str:
    """09:00."""
    return f"{value:%H:%M}"


def lead_days_words(t: Turn, days: tuple[int, ...]) -> str:
    """3 days, 1 day and on the due day / 提前 3 天、提前 1 天和当天."""
    items = [
        t._.plural("{n} day before", "{n} days before", d) if d else t._("on the due day")
        for d in days
    ]
    return str(format_list(items, locale=t.locale))


def weekday_name(t: Turn, index: int) -> str:
    """Monday / 星期一."""
    return str(get_day_names("wide", locale=t.locale)[index])


def settings_text(t: Turn, prefs: ReminderPrefs) -> str:
    """The current settings and how to change them."""
    state = t._("on ✅") if prefs.enabled else t._("off 🔕")
    lines = [t._("<b>Reminders</b>: {state}", state=state)]
    quiet = prefs.quiet
    if prefs.enabled:
        days, at = lead_days_words(t, prefs.lead_days), hhmm(prefs.at)
        if quiet is not None and prefs.is_quiet(prefs.at):
            # A time the user picked inside their quiet hours: say where the reminders go.
            lines.append(
                t._(
                    "Before each due date: {days}, at {time} — inside your quiet hours, so they wait until {end}.",
                    days=days,
                    time=at,
                    end=hhmm(quiet[1]),
                )
            )
        else:
            lines.append(t._("Before each due date: {days}, at {time}.", days=days, time=at))
        lines.append(
            t._(
                "If a payment is late: alerts {days} days after the due date, and a warning {lead} days ahead when a payment looks hard to make.",
                days=str(format_list([str(n) for n in OVERDUE_OCCASIONS], locale=t.locale)),
                lead=RISK_LEAD_DAYS,
            )
        )
    else:
        lines.append(t._("No reminders, overdue alerts or warnings are sent."))
    if quiet is None:
        lines.append(t._("Quiet hours: none."))
    else:
        lines.append(t._("Quiet hours: {start}–{end}.", start=hhmm(quiet[0]), end=hhmm(quiet[1])))
    if prefs.digest_enabled:
        lines.append(
            t._(
                "Weekly summary: every {weekday} at {time}.",
                weekday=weekday_name(t, prefs.digest_weekday),
                time=hhmm(prefs.digest_time),
            )
        )
    else:
        lines.append(t._("Weekly summary: off."))
    lines += [
        t._(
            "Times are in your timezone, {timezone} (/timezone changes it).",
            timezone=prefs.timezone,
        ),
        "",
        t._(HOW_TO),
    ]
    return "\n".join(lines)


HOW_TO = N_(
    "Tap a button, or type for example:\n"
    "<code>/reminders 3,1,0 09:00</code> (days before the due date, and the time)\n"
    "<code>/reminders quiet 22:00-08:00</code> · <code>/reminders digest mon 09:00</code>\n"
    "<code>/reminders off</code> · <code>/reminders on</code>"
)

#: Presets the buttons offer (anything else can be typed).
DAY_PRESETS: tuple[tuple[int, ...], ...] = ((3, 1, 0), (7, 3, 1, 0), (5, 2, 0), (1, 0), (0,))
TIME_PRESETS = (time(8), time(9), time(12), time(18), time(20), time(21))
QUIET_PRESETS = ((time(22), time(8)), (time(23), time(7)), (time(21), time(9)))
DIGEST_PRESETS = ((0, time(9)), (4, time(18)), (6, time(20)))
