"""Real HTTP: raw Bot API semantics, the /_emulator control API, and a polling PTB app."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot.localapi import EmulatorError, EmulatorState, FakeClock, LocalBotApiServer
from bot.localapi.client import EmulatorClient
from bot.localapi.ptb import http_builder, in_process_builder


async def test_raw_protocol(server: LocalBotApiServer, state: EmulatorState) -> None:
    user = state.create_user("Raw")
    async with httpx.AsyncClient(base_url=server.root_url) as client:
        bad_token = await client.post("/bot1:wrong/getMe")
        assert (bad_token.status_code, bad_token.json()) == (
            401,
            {"ok": False, "error_code": 401, "description": "Unauthorized"},
        )
        unknown = await client.post(f"/bot{state.token}/sendTelepathy")
        assert unknown.status_code == 404
        assert unknown.json()["description"] == "Not Found"
        # JSON body, native types, case-insensitive method name.
        sent = await client.post(
            f"/bot{state.token}/SENDMESSAGE",
            json={"chat_id": user.chat_id, "text": "1.5", "parse_mode": "MarkdownV2"},
        )
        assert sent.status_code == 400
        assert sent.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: can't parse entities: "
            "Character '.' is reserved and must be escaped with the preceding '\\'",
        }
        # Query-string parameters work as well, with reply_markup as a JSON string.
        markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
        got = await client.get(
            f"/bot{state.token}/sendMessage",
            params={"chat_id": str(user.chat_id), "text": "hi", "reply_markup": markup},
        )
        assert got.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
        limited = await client.post(
            f"/bot{state.token}/sendMessage", data={"chat_id": user.chat_id, "text": "x" * 4097}
        )
        assert limited.json()["description"] == "Bad Request: message is too long"
        state.faults.fail_next("getMe", status=429, retry_after=7)
        flood = await client.post(f"/bot{state.token}/getMe")
        assert flood.status_code == 429
        assert flood.json()["parameters"] == {"retry_after": 7}
        missing = await client.get(f"/file/bot{state.token}/documents/none.txt")
        assert missing.status_code == 404


async def test_control_api(
    server: LocalBotApiServer, http_bot: Bot, state: EmulatorState, clock: FakeClock
) -> None:
    async with httpx.AsyncClient(base_url=f"{server.root_url}/_emulator") as api:
        created = (
            await api.post(
                "/users", json={"first_name": "Li", "user_id": 42, "language_code": "zh-hans"}
            )
        ).json()
        assert created["result"] == {
            "id": 42,
            "is_bot": False,
            "first_name": "Li",
            "language_code": "zh-hans",
        }
        update = (await api.post("/users/42/text", json={"text": "/start"})).json()["result"]
        assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

        events_call = asyncio.create_task(
            api.get("/events", params={"after": 1, "timeout": 5, "chat_id": 42})
        )
        await asyncio.sleep(0.05)
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
        sent = await http_bot.send_message(42, "Confirm?", reply_markup=keyboard)
        events = (await events_call).json()["result"]["events"]
        assert events[0]["kind"] == "bot_message"
        assert events[0]["message"]["message"]["text"] == "Confirm?"

        press = (
            await api.post("/users/42/press", json={"message_id": sent.message_id, "data": "yes"})
        ).json()
        query_id = press["result"]["callback_query"]["id"]
        assert (await api.get(f"/callbacks/{query_id}")).json()["result"] is None
        await http_bot.answer_callback_query(query_id, text="Done")
        assert (await api.get(f"/callbacks/{query_id}")).json()["result"]["text"] == "Done"
        bad_press = await api.post(
            "/users/42/press", json={"message_id": sent.message_id, "data": "no"}
        )
        assert bad_press.status_code == 400

        doc = base64.b64encode(b"receipt").decode()
        await api.post("/users/42/document", json={"content_base64": doc, "file_name": "r.txt"})
        transcript = (await api.get("/chats/42/transcript")).json()["result"]
        assert [m["from_bot"] for m in transcript] == [False, True, False]
        file_id = transcript[-1]["message"]["document"]["file_id"]
        assert (await api.get(f"/files/{file_id}")).content == b"receipt"

        pending = (await api.get("/updates")).json()["result"]
        again = await api.post(f"/updates/{pending[0]['update_id']}/redeliver")
        assert again.json()["result"]["update_id"] == pending[0]["update_id"]

        await api.post("/faults", json={"action": "block", "chat_id": 42})
        async with httpx.AsyncClient() as raw:
            url = f"{server.base_url}{state.token}/sendMessage"
            blocked = await raw.post(url, data={"chat_id": 42, "text": "x"})
        assert blocked.status_code == 403
        assert blocked.json()["description"] == "Forbidden: bot was blocked by the user"
        faults = (
            await api.post("/faults", json={"action": "fail", "method": "sendMessage", "times": 2})
        ).json()
        assert faults["result"]["pending_failures"] == {"sendmessage": 2}
        await api.post("/faults", json={"action": "reset"})

        flood = (await api.post("/flood", json={"enabled": True, "per_chat_burst": 5})).json()[
            "result"
        ]
        assert (flood["enabled"], flood["per_chat_burst"]) == (True, 5)
        assert (await api.post("/clock", json={"advance": 60})).json()["result"] == clock()
        calls = (await api.get("/calls", params={"method": "answerCallbackQuery"})).json()["result"]
        assert len(calls) == 1
        overview = (await api.get("/state")).json()["result"]
        assert overview["bot"]["username"] == state.bot_username
        assert (await api.post("/reset")).json()["result"] is True
        assert (await api.get("/users")).json()["result"] == []


def _handlers() -> list[object]:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Show plan", callback_data="plan")]])

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Welcome!", reply_markup=keyboard)

    async def plan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Loading…")
        await query.edit_message_text("Your plan: 3 × 100")

    return [CommandHandler("start", start), CallbackQueryHandler(plan, pattern="^plan$")]


async def _drive_bot(state: EmulatorState) -> None:
    user = state.create_user("Wang", language_code="zh-hans")
    user.send_text("/start")
    welcome = await user.next_message(timeout=5)
    assert (welcome.text, welcome.callback_data) == ("Welcome!", ["plan"])
    press = user.press_button(welcome, data="plan")
    assert (await user.wait_for_answer(press, timeout=5))["text"] == "Loading…"
    edited = await user.wait_for_edit(welcome.message_id, timeout=5, after=0)
    assert edited.text == "Your plan: 3 × 100"
    assert edited.buttons == []


async def _poll_with(server: LocalBotApiServer, state: EmulatorState) -> None:
    application = http_builder(server).build()
    application.add_handlers(_handlers())  # type: ignore[arg-type]
    async with application:
        await application.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
        await application.start()
        try:
            await _drive_bot(state)
        finally:
            await application.updater.stop()  # type: ignore[union-attr]
            await application.stop()
    assert state.pending_updates() == []  # PTB confirmed everything on shutdown


async def test_ptb_application_polling_over_http_task(state: EmulatorState) -> None:
    async with LocalBotApiServer(state) as server:  # uvicorn as a task in this loop
        await _poll_with(server, state)


async def test_ptb_application_polling_over_http_thread(
    server: LocalBotApiServer, state: EmulatorState
) -> None:
    await _poll_with(server, state)  # uvicorn in a background thread


async def test_ptb_application_in_process(state: EmulatorState) -> None:
    application = in_process_builder(state).build()
    application.add_handlers(_handlers())  # type: ignore[arg-type]
    async with application:
        await application.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
        await application.start()
        try:
            await _drive_bot(state)
        finally:
            await application.updater.stop()  # type: ignore[union-attr]
            await application.stop()


def test_emulator_client_from_another_process(
    server: LocalBotApiServer, state: EmulatorState
) -> None:
    with EmulatorClient(server.root_url) as client:
        client.create_user("Zhang", user_id=7, language_code="zh-hans")
        assert client.send_text(7, "/start")["message"]["text"] == "/start"
        _, seq = client.events()
        upload = httpx.post(
            f"{server.base_url}{state.token}/sendDocument",
            data={"chat_id": "7", "caption": "计划"},
            files={"document": ("plan.txt", b"line\r\n--not-a-boundary\x00")},
        )
        assert upload.json()["ok"] is True
        events, last = client.events(after=seq, timeout=2, chat_id=7)
        assert [e["kind"] for e in events] == ["bot_message"]
        assert last == events[-1]["seq"]
        document = events[0]["message"]["message"]["document"]
        assert client.file_bytes(document["file_id"]) == b"line\r\n--not-a-boundary\x00"
        assert [m["message"].get("caption") for m in client.transcript(7)] == [None, "计划"]
        client.block(7)
        assert client.overview()["faults"]["blocked_chats"] == [7]
        client.faults("reset")
        with pytest.raises(EmulatorError):
            client.press_button(7, 2, data="missing")
