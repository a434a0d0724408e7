"""The Starlette ASGI app: Bot API methods, file downloads and the /_emulator control API."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from bot.localapi.control import control_routes
from bot.localapi.errors import ApiError, not_found, unauthorized
from bot.localapi.methods import lookup
from bot.localapi.params import Params, read_params
from bot.localapi.state import EmulatorState

logger = logging.getLogger(__name__)


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.to_json(), status_code=exc.code)


def _state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


async def _call(state: EmulatorState, name: str, params: Params) -> Any:
    method = lookup(name)
    if method is None:
        raise not_found()
    delay = state.faults.latency_for(name)
    if delay:
        await asyncio.sleep(delay)
    failure = state.faults.take_failure(name)
    if failure is not None and not failure.after_effect:
        raise failure.error()
    if method.asynchronous is not None:
        result = await method.asynchronous(state, params)
    elif method.sync is not None:
        with state.lock:
            result = method.sync(state, params)
    else:
        raise not_found()
    if failure is not None:
        raise failure.error()  # the effect happened, but the client never hears about it
    return result


async def bot_method(request: Request) -> Response:
    """POST/GET /bot<token>/<method>."""
    state = _state(request)
    name = request.path_params["method"]
    if request.path_params["token"] != state.token:
        return _error(unauthorized())
    try:
        params = await read_params(request)
    except ApiError as exc:
        return _error(exc)
    try:
        result = await _call(state, name, params)
    except ApiError as exc:
        logger.debug("%s -> %s %s", name, exc.code, exc.description)
        with state.lock:
            state.api_calls.append(
                {"method": name, "params": params.public(), "error": exc.to_json()}
            )
        return _error(exc)
    with state.lock:
        state.api_calls.append({"method": name, "params": params.public(), "result": result})
    return JSONResponse({"ok": True, "result": result})


async def download_file(request: Request) -> Response:
    """GET /file/bot<token>/<file_path>."""
    state = _state(request)
    if request.path_params["token"] != state.token:
        return _error(unauthorized())
    with state.lock:
        stored = state.files_by_path.get(request.path_params["file_path"])
    if stored is None:
        return _error(not_found())
    media_type = stored.mime_type or mimetypes.guess_type(stored.file_path)[0]
    return Response(stored.data, media_type=media_type or "application/octet-stream")


def create_app(state: EmulatorState | None = None) -> Starlette:
    """Build the ASGI app around a state (a fresh default one if omitted)."""
    app = Starlette(
        routes=[
            Route("/bot{token}/{method}", bot_method, methods=["GET", "POST"]),
            Route("/file/bot{token}/{file_path:path}", download_file, methods=["GET"]),
            Mount("/_emulator", routes=control_routes()),
        ]
    )
    app.state.emulator = state or EmulatorState()
    return app
