"""Run the emulator over real HTTP on 127.0.0.1 (free port), in a thread or an asyncio task."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Generator
from types import TracebackType

import uvicorn

from bot.localapi.app import create_app
from bot.localapi.state import EmulatorState

logger = logging.getLogger(__name__)


class _QuietServer(uvicorn.Server):
    """uvicorn without signal handling: the host process (pytest, the sandbox) owns signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class LocalBotApiServer:
    """HTTP Bot API on an EmulatorState: `with` runs it in a thread, `async with` as a task."""

    def __init__(
        self,
        state: EmulatorState | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
    ) -> None:
        self.state = state or EmulatorState()
        self.app = create_app(self.state)
        self._host = host
        self._port = port
        self._log_level = log_level
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task[None] | None = None

    # ---- addresses ----------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (known once started)."""
        server = self._server
        if server is None or not server.started:
            raise RuntimeError("server is not running")
        sockets = [sock for srv in server.servers for sock in (srv.sockets or [])]
        return int(sockets[0].getsockname()[1])

    @property
    def root_url(self) -> str:
        """http://127.0.0.1:PORT (the control API lives at root_url + '/_emulator')."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder.base_url / Bot(base_url=...)."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ApplicationBuilder.base_file_url."""
        return f"{self.root_url}/file/bot"

    def _make_server(self) -> _QuietServer:
        config = uvicorn.Config(
            self.app,
            host=self._host,
            port=self._port,
            log_level=self._log_level,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        return _QuietServer(config)

    # ---- thread mode --------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> LocalBotApiServer:
        """Serve from a daemon thread; returns once the port is bound."""
        if self._server is not None:
            raise RuntimeError("server already started")
        server = self._server = self._make_server()
        self._thread = threading.Thread(target=server.run, name="localapi-uvicorn", daemon=True)
        self._thread.start()
        stopped = threading.Event()
        for _ in range(int(timeout / 0.01)):
            if server.started or not self._thread.is_alive():
                break
            stopped.wait(0.01)
        if not server.started:
            self.stop()
            raise RuntimeError("local Bot API server failed to start")
        logger.info("local Bot API listening on %s", self.root_url)
        return self

    def stop(self) -> None:
        """Stop the thread started by start()."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self.state.release_long_polls()
        self.state.stop_webhook_delivery()
        server.should_exit = True
        thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> LocalBotApiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- asyncio mode -------------------------------------------------------------------
    async def astart(self, timeout: float = 10.0) -> LocalBotApiServer:
        """Serve as a task in the running event loop; returns once the port is bound."""
        if self._server is not None:
            raise RuntimeError("server already started")
        server = self._server = self._make_server()
        self._task = asyncio.create_task(server.serve(), name="localapi-uvicorn")
        async with asyncio.timeout(timeout):
            while not server.started:
                if self._task.done():
                    await self._task  # surfaces the startup error
                    raise RuntimeError("local Bot API server failed to start")
                await asyncio.sleep(0.01)
        logger.info("local Bot API listening on %s", self.root_url)
        return self

    async def astop(self) -> None:
        """Stop the task started by astart()."""
        server, task = self._server, self._task
        if server is None or task is None:
            return
        self.state.release_long_polls()
        # In a thread: a POST in flight may go to a server on this very loop.
        await asyncio.to_thread(self.state.stop_webhook_delivery)
        server.should_exit = True
        await task
        self._server, self._task = None, None

    async def __aenter__(self) -> LocalBotApiServer:
        return await self.astart()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.astop()
