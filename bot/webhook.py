"""Webhook mode: Telegram POSTs each update to the bot's own HTTP server (Starlette + uvicorn).

python-telegram-bot's "custom webhook bot" pattern: the Application runs without an Updater,
and the server's POST handler puts each update on ``application.update_queue`` — the durable
inbox, which stores it in the database before the 200 goes back to Telegram. A request without
the secret registered with ``setWebhook`` gets 403 and changes nothing. The same server answers
``GET /healthz`` (the database answers: 200, else 503) and ``GET /metrics`` (Prometheus).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Generator
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import ApplicationBuilder

from bot.http import AiohttpRequest
from bot.processing import PerUserProcessor
from bot.replicas import attach
from bot.settings import BotSettings
from bot.types import App, Builder
from tracker.storage.enums import OutboxStatus
from tracker.storage.models import Outbox

logger = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
#: Bot API methods that deliver a message to a user (sendChatAction only shows "typing…").
_NOT_A_MESSAGE = frozenset({"sendchataction"})
#: Telegram's answer to a request over its flood limit.
TOO_MANY_REQUESTS = 429


class Metrics:
    """The bot's Prometheus metrics, in a registry of their own (one per server)."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self.registry = CollectorRegistry()
        self._session_factory = session_factory
        self.updates_received = Counter(
            "repaybot_updates_received",
            "Updates Telegram delivered to the webhook and the inbox stored.",
            registry=self.registry,
        )
        self.handler_seconds = Histogram(
            "repaybot_update_handling_seconds",
            "Time to handle one update, from the start of its handlers to the end.",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
            registry=self.registry,
        )
        self.messages_sent = Counter(
            "repaybot_messages_sent",
            "Messages Telegram accepted (replies and reminders).",
            registry=self.registry,
        )
        self.flood_waits = Counter(
            "repaybot_telegram_429",
            "Calls Telegram answered 429 Too Many Requests.",
            registry=self.registry,
        )
        outbox = Gauge(
            "repaybot_outbox_depth",
            "Reminders waiting in the outbox (pending or being sent), read at scrape time.",
            registry=self.registry,
        )
        outbox.set_function(self.outbox_depth)

    def outbox_depth(self) -> float:
        """Pending and claimed outbox rows (NaN when the database does not answer)."""
        waiting = (OutboxStatus.PENDING, OutboxStatus.SENDING)
        query = select(func.count()).select_from(Outbox).where(Outbox.status.in_(waiting))  # type: ignore[attr-defined]
        try:
            with self._session_factory() as session:
                return float(session.execute(query).scalar_one())
        except SQLAlchemyError:
            logger.warning("outbox depth: the database does not answer")
            return float("nan")

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)


class CountingRequest(AiohttpRequest):
    """The bot's HTTP client (``bot.http``), counting delivered messages and 429 answers."""

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metrics = metrics

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        """Send the request, then count what Telegram answered."""
        status, body = await super().do_request(url, method, *args, **kwargs)
        endpoint = url.rsplit("/", 1)[-1].lower()
        if status == TOO_MANY_REQUESTS:
            self._metrics.flood_waits.inc()
        elif status == 200 and endpoint.startswith("send") and endpoint not in _NOT_A_MESSAGE:
            self._metrics.messages_sent.inc()
        return status, body


class TimedProcessor(PerUserProcessor):
    """The per-user processor, timing each update's handlers (not its wait for the user's turn)."""

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metrics = metrics

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update as PerUserProcessor does, observing how long its handlers took."""

        async def timed() -> None:
            started = time.perf_counter()
            try:
                await coroutine
            finally:
                self._metrics.handler_seconds.observe(time.perf_counter() - started)

        await super().do_process_update(update, timed())


def builder(
    settings: BotSettings, metrics: Metrics, *, read_timeout: float, connections: int
) -> Builder:
    """The ApplicationBuilder for webhook mode: no Updater, and sends counted."""
    assert settings.telegram_bot_token is not None
    # One connection by default, given up after 1 s waiting for it: updates handled side by
    # side would queue their replies behind each other, and fail.
    request = CountingRequest(
        metrics,
        read_timeout=read_timeout,
        connection_pool_size=connections,
        pool_timeout=read_timeout,
    )
    return (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.file_base_url)
        .request(request)
        .updater(None)
    )


def create_app(
    application: App,
    *,
    path: str,
    secret: str,
    session_factory: SessionFactory,
    metrics: Metrics,
) -> Starlette:
    """The webhook's ASGI app: POST ``path`` (Telegram), GET /healthz and GET /metrics."""
    expected = secret.encode()

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        try:
            data = await request.json()
        except ValueError:
            return Response(status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return Response(status_code=400)
        try:
            update = Update.de_json(data, application.bot)
        except (TypeError, ValueError, KeyError):
            logger.warning("update %s cannot be read: refused", data["update_id"])
            return Response(status_code=400)
        try:
            await application.update_queue.put(update)  # stored in the inbox before the 200
        except SQLAlchemyError:
            # Not stored: Telegram must try again, so it gets no 200.
            logger.exception("update %s could not be stored", update.update_id)
            return Response(status_code=503)
        metrics.updates_received.inc()
        return Response()

    def ping() -> None:
        with session_factory() as session:
            session.execute(text("SELECT 1"))

    async def healthz(_: Request) -> Response:
        try:
            await asyncio.to_thread(ping)
        except SQLAlchemyError as exc:
            logger.warning("health check: the database does not answer: %s", type(exc).__name__)
            return PlainTextResponse("database unavailable\n", status_code=503)
        return PlainTextResponse("ok\n")

    async def prometheus(_: Request) -> Response:
        body = await asyncio.to_thread(metrics.exposition)  # the outbox gauge queries
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route(path, telegram, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", prometheus, methods=["GET"]),
        ]
    )


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: ``serve_webhook`` stops it cleanly."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class WebhookBot:
    """The Application in webhook mode with its HTTP server: ``start()`` then ``stop()``."""

    def __init__(
        self,
        application: App,
        settings: BotSettings,
        session_factory: SessionFactory,
        metrics: Metrics,
    ) -> None:
        if settings.telegram_webhook_url is None or settings.telegram_webhook_secret is None:
            raise ValueError("webhook mode needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET")
        self.application = application
        # Replicas behind a load balancer share PostgreSQL: keep each user's order across them.
        attach(application)
        self.url = settings.telegram_webhook_url
        self._secret = settings.telegram_webhook_secret.get_secret_value()
        app = create_app(
            application,
            path=settings.webhook_path,
            secret=self._secret,
            session_factory=session_factory,
            metrics=metrics,
        )
        config = uvicorn.Config(
            app,
            host=settings.webhook_host,
            port=settings.webhook_port,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The bound port (useful with WEBHOOK_PORT of a free port in tests)."""
        sockets = [sock for srv in self._server.servers for sock in (srv.sockets or [])]
        return int(sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Start the Application, listen, then ask Telegram to deliver here."""
        application = self.application
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)  # replays the inbox; run_webhook would
        await application.start()
        self._task = asyncio.create_task(self._server.serve(), name="webhook-server")
        while not self._server.started:
            if self._task.done():
                await self._task
                raise RuntimeError("the webhook server did not start")
            await asyncio.sleep(0.01)
        await application.bot.set_webhook(
            self.url, secret_token=self._secret, allowed_updates=Update.ALL_TYPES
        )
        logger.info("repaybot webhook listening on port %s for %s", self.port, self.url)

    async def stop(self) -> None:
        """Stop taking updates, finish the queued ones, stop the Application.

        The webhook stays registered: Telegram keeps the updates until the bot is back.
        """
        if self._task is not None:
            self._server.should_exit = True
            await self._task
            self._task = None
        application = self.application
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve_webhook(bot: WebhookBot) -> None:
    """Run until SIGINT or SIGTERM (a container stop), then stop cleanly."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    await bot.start()
    try:
        await stopped.wait()
    finally:
        await bot.stop()
