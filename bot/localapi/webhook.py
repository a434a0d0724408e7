"""Webhook delivery: POST each queued update to the bot's URL with the secret, as Telegram does.

Telegram delivers a bot's updates one after another and tries an update again, after a pause
that grows, until the bot answers 2xx; the emulator does the same from a daemon thread, so it
works whether the HTTP server runs in a thread or as a task (or not at all, in-process).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from bot.localapi.state import EmulatorState

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
#: Pauses between tries of an update the bot did not take (seconds): short, tests wait on them.
FIRST_RETRY_PAUSE = 0.05
LAST_RETRY_PAUSE = 1.0
#: How long one POST may take before it counts as failed (Telegram's is about a minute).
DELIVERY_TIMEOUT = 10.0


@dataclass(frozen=True)
class WebhookConfig:
    """What setWebhook registered."""

    url: str
    secret_token: str | None
    max_connections: int


class WebhookDeliverer:
    """A thread that posts the state's queued updates to the webhook, in order."""

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="localapi-webhook", daemon=True)

    def start(self) -> None:
        """Begin delivering."""
        self._thread.start()

    def wake(self) -> None:
        """A new update is queued (callable from any thread)."""
        self._wake.set()

    def stop(self, *, join: bool) -> None:
        """Stop after the POST in flight, if any; ``join`` waits for that."""
        self._stop.set()
        self._wake.set()
        if join and self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=DELIVERY_TIMEOUT + 1)

    def _run(self) -> None:
        pause = FIRST_RETRY_PAUSE
        with httpx.Client(timeout=DELIVERY_TIMEOUT) as client:
            while not self._stop.is_set():
                self._wake.clear()  # before looking, so an update queued meanwhile wakes us
                item = self._state.next_webhook_delivery()
                if item is None:
                    self._wake.wait(timeout=0.5)
                    continue
                config, update = item
                error = self._post(client, config, update)
                if error is None:
                    self._state.webhook_delivered(update["update_id"])
                    pause = FIRST_RETRY_PAUSE
                    continue
                self._state.webhook_failed(error)
                self._stop.wait(pause)
                pause = min(pause * 2, LAST_RETRY_PAUSE)

    @staticmethod
    def _post(client: httpx.Client, config: WebhookConfig, update: dict[str, object]) -> str | None:
        """POST one update; None when the bot took it, else Telegram's kind of error line."""
        headers = {SECRET_HEADER: config.secret_token} if config.secret_token else {}
        try:
            response = client.post(config.url, json=update, headers=headers)
        except httpx.HTTPError as exc:
            return f"Connection failed: {type(exc).__name__}"
        if 200 <= response.status_code < 300:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
