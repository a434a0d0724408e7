"""The bot's connection to the Bot API for sending: python-telegram-bot's request on aiohttp.

python-telegram-bot sends through httpx by default (``HTTPXRequest``). With several replies in
flight, httpx's connection pool (httpcore over anyio) costs about 1 ms of CPU per request on
this machine; aiohttp's client, whose HTTP parser is compiled, about 0.3 ms (measured against
the local Bot API, 8 sends at once). The bot sends one message per update or more, so that is a
large part of what an update costs. ``AiohttpRequest`` is python-telegram-bot's documented
extension point (``BaseRequest``) on aiohttp, with the same timeouts and the same errors as
``HTTPXRequest``: TimedOut for a timeout (retried by the callers that retry), NetworkError for
the rest.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """HTTP/1.1 requests to the Bot API on an aiohttp session (one per event loop: created
    by ``initialize``, closed by ``shutdown``)."""

    __slots__ = (
        "_connect_timeout",
        "_connections",
        "_media_write_timeout",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("at least one connection")
        self._connections = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (seconds), as ``HTTPXRequest`` has it."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session on the running loop (again after a shutdown)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the request; Telegram's status code and body."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        waits = (pool, connect, write, read)
        timeout = aiohttp.ClientTimeout(
            # aiohttp has no write timeout: an upload (which may take the media write timeout)
            # is bounded as a whole instead, so a stalled one still ends.
            total=sum(w for w in waits if w is not None) if files and None not in waits else None,
            # aiohttp's connect covers the wait for a free connection and the connecting.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        data: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            # Names as they are (UTF-8), as httpx sends them: quoted, 协商方案.pdf would reach
            # the user as %E5%8D%8F….pdf.
            form = aiohttp.FormData(fields or {}, quote_fields=False)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
        try:
            async with session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's ServerTimeoutError is one too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """A per-call timeout, or the request's default where the call left it out."""
    return default if isinstance(value, DefaultValue) else value
