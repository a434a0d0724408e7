"""HTTP control API under /_emulator: drive simulated users and faults from another process."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.localapi.clock import FakeClock
from bot.localapi.errors import ApiError, EmulatorError
from bot.localapi.state import EmulatorState

Endpoint = Callable[[Request], Awaitable[Response]]
Handler = Callable[[EmulatorState, Request, dict[str, Any]], Awaitable[Any]]


def _endpoint(handler: Handler) -> Endpoint:
    """Wrap a handler: parse the JSON body, map emulator errors to 4xx JSON answers."""

    async def endpoint(request: Request) -> Response:
        state: EmulatorState = request.app.state.emulator
        body: dict[str, Any] = {}
        raw = await request.body()
        try:
            if raw:
                decoded = json.loads(raw)
                if not isinstance(decoded, dict):
                    raise EmulatorError("body must be a JSON object")
                body = decoded
            result = await handler(state, request, body)
        except (EmulatorError, ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        except ApiError as exc:
            return JSONResponse({"ok": False, "error": exc.description}, status_code=404)
        except TimeoutError as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=408)
        if isinstance(result, Response):
            return result
        return JSONResponse({"ok": True, "result": result})

    return endpoint


def _decode(body: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(body["content_base64"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EmulatorError(f"content_base64 is not valid base64: {exc}") from None


async def overview(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """Bot identity, users, queue size, faults and flood settings."""
    flood = state.flood.config
    return {
        "bot": state.bot_user(),
        "users": [u.to_user() for u in state.users()],
        "pending_updates": len(state.pending_updates()),
        "faults": state.faults.snapshot(),
        "flood": {**flood.__dict__, "methods": sorted(flood.methods)},
        "last_event_seq": state.last_event_seq,
    }


async def reset(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """Wipe users, chats, files, updates and faults."""
    state.reset()
    return True


async def create_user(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """Create a user: {first_name, user_id?, last_name?, username?, language_code?, started?}."""
    user = state.create_user(
        body.get("first_name", "Test"),
        user_id=body.get("user_id"),
        last_name=body.get("last_name"),
        username=body.get("username"),
        language_code=body.get("language_code", "en"),
        started=body.get("started", True),
    )
    return user.record.to_user()


async def list_users(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """All users."""
    return [u.to_user() for u in state.users()]


def _user_id(request: Request) -> int:
    return int(request.path_params["user_id"])


async def user_text(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """The user sends {text, reply_to?}; returns the update."""
    return state.user(_user_id(request)).send_text(body["text"], reply_to=body.get("reply_to"))


async def user_photo(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """The user sends {content_base64, caption?}."""
    user = state.user(_user_id(request))
    return user.send_photo(_decode(body), caption=body.get("caption"))


async def user_document(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """The user sends {content_base64, file_name, mime_type?, caption?}."""
    return state.user(_user_id(request)).send_document(
        _decode(body),
        file_name=body.get("file_name", "file.bin"),
        mime_type=body.get("mime_type"),
        caption=body.get("caption"),
    )


async def user_press(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """The user presses {message_id, data? | text?}; returns the callback_query update."""
    user = state.user(_user_id(request))
    return user.press_button(int(body["message_id"]), data=body.get("data"), text=body.get("text"))


async def user_block(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """The user blocks the bot."""
    state.user(_user_id(request)).block_bot()
    return True


async def user_unblock(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """The user unblocks the bot."""
    state.user(_user_id(request)).unblock_bot()
    return True


async def transcript(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """All messages of a chat as they look now (?include_deleted=false to hide deleted)."""
    include = request.query_params.get("include_deleted", "true").lower() != "false"
    messages = state.transcript(int(request.path_params["chat_id"]), include_deleted=include)
    return [m.to_json() for m in messages]


async def events(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """Phone-side events after ?after=SEQ, long-polling up to ?timeout=S; ?chat_id= filters."""
    query = request.query_params
    chat_id = int(query["chat_id"]) if "chat_id" in query else None
    after = int(query.get("after", "0"))
    found = await state.wait_events(after, float(query.get("timeout", "0")), chat_id)
    return {"events": [e.to_json() for e in found], "last_seq": state.last_event_seq}


async def file_content(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """Raw bytes of a stored file."""
    data = state.file_bytes(request.path_params["file_id"])
    return Response(data, media_type="application/octet-stream")


async def pending_updates(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """Unconfirmed updates."""
    return state.pending_updates()


async def redeliver(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """Queue an update again with its original update_id."""
    return state.redeliver(int(request.path_params["update_id"]))


async def callback_answer(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """The bot's answer to a press, or null."""
    query = state.callback_queries.get(request.path_params["query_id"])
    if query is None:
        raise EmulatorError("unknown callback query")
    return query.answer


async def faults(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """POST {action: block|unblock|fail|latency|reset, ...}; GET shows the current faults."""
    action = body.get("action")
    if action == "block":
        state.faults.block(int(body["chat_id"]))
    elif action == "unblock":
        state.faults.unblock(int(body["chat_id"]))
    elif action == "fail":
        state.faults.fail_next(
            body.get("method", "*"),
            int(body.get("times", 1)),
            status=int(body.get("status", 502)),
            description=body.get("description"),
            retry_after=body.get("retry_after"),
            after_effect=bool(body.get("after_effect", False)),
        )
    elif action == "latency":
        state.faults.set_latency(body.get("method", "*"), float(body["seconds"]))
    elif action == "reset":
        state.faults.reset()
    elif action is not None:
        raise EmulatorError(f"unknown fault action {action!r}")
    return state.faults.snapshot()


async def flood(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """POST FloodConfig fields (enabled, per_chat_rate, ...) to change; GET to read."""
    config = state.flood.configure(**body) if body else state.flood.config
    return {**config.__dict__, "methods": sorted(config.methods)}


async def clock(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """POST {advance: seconds} or {set: timestamp}; needs the state to run on a FakeClock."""
    if not isinstance(state.now, FakeClock):
        raise EmulatorError("the emulator runs on the system clock")
    if "set" in body:
        state.now.set(float(body["set"]))
    if "advance" in body:
        state.now.advance(float(body["advance"]))
    return state.now()


async def commands(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """Every stored command list: [{scope, language_code, commands}]."""
    return [
        {"scope": json.loads(scope), "language_code": lang, "commands": cmds}
        for (scope, lang), cmds in state.commands.items()
    ]


async def calls(state: EmulatorState, request: Request, body: dict[str, Any]) -> Any:
    """The Bot API call log (?method= filters, case-insensitive)."""
    wanted = request.query_params.get("method", "").lower()
    with state.lock:
        return [c for c in state.api_calls if not wanted or c["method"].lower() == wanted]


def control_routes() -> list[Route]:
    """Routes mounted at /_emulator."""
    table: list[tuple[str, Handler, list[str]]] = [
        ("/state", overview, ["GET"]),
        ("/reset", reset, ["POST"]),
        ("/users", create_user, ["POST"]),
        ("/users", list_users, ["GET"]),
        ("/users/{user_id:int}/text", user_text, ["POST"]),
        ("/users/{user_id:int}/photo", user_photo, ["POST"]),
        ("/users/{user_id:int}/document", user_document, ["POST"]),
        ("/users/{user_id:int}/press", user_press, ["POST"]),
        ("/users/{user_id:int}/block", user_block, ["POST"]),
        ("/users/{user_id:int}/unblock", user_unblock, ["POST"]),
        ("/chats/{chat_id:int}/transcript", transcript, ["GET"]),
        ("/events", events, ["GET"]),
        ("/files/{file_id}", file_content, ["GET"]),
        ("/updates", pending_updates, ["GET"]),
        ("/updates/{update_id:int}/redeliver", redeliver, ["POST"]),
        ("/callbacks/{query_id}", callback_answer, ["GET"]),
        ("/faults", faults, ["GET", "POST"]),
        ("/flood", flood, ["GET", "POST"]),
        ("/clock", clock, ["POST"]),
        ("/commands", commands, ["GET"]),
        ("/calls", calls, ["GET"]),
    ]
    return [Route(path, _endpoint(handler), methods=verbs) for path, handler, verbs in table]
