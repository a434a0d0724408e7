"""/reminders and its menus: show the settings, change them by a line or by a button.

Reading a line or a button's data is ``reminders_settings``; saving the change (and cancelling
what it turns off) is ``tracker.services.reminders.change_reminders``.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardButton, Update
from telegram.error import BadRequest

from bot.callbacks import BadCallback, decode
from bot.features import reminders_settings as settings
from bot.runtime import Context, Keyboard, Turn, edit_message, kb, turn
from tracker.reminders import ReminderPrefs
from tracker.services.reminders import ReminderChange, change_reminders, reminder_prefs

logger = logging.getLogger(__name__)

#: Callback actions: a settings button (saves), a menu button (shows a menu).
SET, MENU = "rset", "rmenu"


async def reminders(update: Update, context: Context) -> None:
    """/reminders shows the settings; /reminders 3,1,0 09:00 (off, on, quiet …, digest …) sets."""
    async with turn(update, context) as t:
        if context.args:
            prefs = _save(t, settings.parse_change(" ".join(context.args)))
            await t.reply(
                t._("Saved.") + "\n\n" + settings.settings_text(t, prefs), _main(t, prefs)
            )
            return
        prefs = reminder_prefs(t.uow, user_id=t.user_id)
        await t.reply(settings.settings_text(t, prefs), _main(t, prefs))


def _save(t: Turn, change: ReminderChange) -> ReminderPrefs:
    """Apply and commit a change; pending messages it turns off are cancelled."""
    prefs = change_reminders(t.uow, user_id=t.user_id, change=change)
    t.commit()
    return prefs


async def menu_pressed(update: Update, context: Context) -> None:
    """Days before / Time / Quiet hours / Weekly summary / « Back: show that menu in place."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        which = decode(query.data, t.update_user_id).arg(0)
        prefs = reminder_prefs(t.uow, user_id=t.user_id)
        text = settings.settings_text(t, prefs)
        if which == "main":
            keyboard = _main(t, prefs)
        else:
            question, keyboard = _submenu(t, prefs, which)
            text = f"{text}\n\n{question}"
        await t.answer()
        await _edit(query, text, keyboard)


async def setting_pressed(update: Update, context: Context) -> None:
    """A settings button: save it and show the settings again in place."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        change = settings.button_change(decode(query.data, t.update_user_id))
        prefs = _save(t, change)
        await t.answer(t._("Saved."))
        await _edit(query, settings.settings_text(t, prefs), _main(t, prefs))


# ---- the keyboards ---------------------------------------------------------------------------


def _main(t: Turn, prefs: ReminderPrefs) -> Keyboard:
    toggle = (
        t.button(t._("🔕 Turn reminders off"), SET, "off")
        if prefs.enabled
        else t.button(t._("🔔 Turn reminders on"), SET, "on")
    )
    return kb(
        [toggle],
        [t.button(t._("Days before"), MENU, "days"), t.button(t._("Time"), MENU, "time")],
        [
            t.button(t._("Quiet hours"), MENU, "quiet"),
            t.button(t._("Weekly summary"), MENU, "digest"),
        ],
    )


def _rows(
    buttons: list[InlineKeyboardButton], per_row: int = 3
) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _submenu(t: Turn, prefs: ReminderPrefs, which: str) -> tuple[str, Keyboard]:
    """The question and the preset buttons for one setting."""
    back = [t.button(t._("« Back"), MENU, "main")]
    hm = settings.hhmm
    if which == "days":
        buttons = [
            t.button(" · ".join(str(n) for n in days), SET, "d", "-".join(map(str, days)))
            for days in settings.DAY_PRESETS
        ]
        question = t._(
            "How many days before the due date? 0 is the due day itself. For other days type e.g. <code>/reminders 10,3,0</code>."
        )
        return question, [*_rows(buttons), back]
    if which == "time":
        buttons = [t.button(hm(at), SET, "t", f"{at:%H%M}") for at in settings.TIME_PRESETS]
        question = t._(
            "At what time of day? For another time type e.g. <code>/reminders 07:30</code>."
        )
        return question, [*_rows(buttons), back]
    if which == "quiet":
        buttons = [
            t.button(f"{hm(a)}–{hm(b)}", SET, "q", f"{a:%H%M}-{b:%H%M}")
            for a, b in settings.QUIET_PRESETS
        ]
        none = t.button(t._("No quiet hours"), SET, "q", "none")
        question = t._(
            "During quiet hours nothing is sent; what falls in them comes when they end. For other hours type e.g. <code>/reminders quiet 22:30-07:30</code>."
        )
        return question, [*_rows(buttons), [none], back]
    if which == "digest":
        buttons = [
            t.button(f"{settings.weekday_name(t, day)} {hm(at)}", SET, "g", f"{day}-{at:%H%M}")
            for day, at in settings.DIGEST_PRESETS
        ]
        toggle = (
            t.button(t._("Turn the summary off"), SET, "g", "off")
            if prefs.digest_enabled
            else t.button(t._("Turn the summary on"), SET, "g", "on")
        )
        question = t._(
            "When should the weekly summary come? It shows what you paid, what is due in the next 30 days and anything overdue."
        )
        return question, [*_rows(buttons), [toggle], back]
    raise BadCallback(f"unknown menu {which!r}")


async def _edit(query: CallbackQuery, text: str, keyboard: Keyboard) -> None:
    try:
        await edit_message(query, text, keyboard)  # a double tap changes nothing: not sent
    except BadRequest as error:
        logger.warning("could not update the settings message: %s", error)
