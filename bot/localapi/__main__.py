"""`python -m bot.localapi`: serve the emulator in the foreground (for the sandbox)."""

from __future__ import annotations

import argparse
import logging

import uvicorn

from bot.localapi.app import create_app
from bot.localapi.clock import FakeClock
from bot.localapi.limits import FloodConfig
from bot.localapi.state import DEFAULT_TOKEN, EmulatorState


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run uvicorn until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m bot.localapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default="repaybot_local_bot")
    parser.add_argument(
        "--fake-clock", action="store_true", help="freeze time; move it via /_emulator/clock"
    )
    parser.add_argument("--no-flood", action="store_true", help="disable flood control")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper())
    state = EmulatorState(
        args.token,
        bot_username=args.bot_username,
        now=FakeClock() if args.fake_clock else None,
        flood=FloodConfig(enabled=not args.no_flood),
    )
    root = f"http://{args.host}:{args.port}"
    logging.getLogger(__name__).info(
        "base_url=%s/bot base_file_url=%s/file/bot control=%s/_emulator", root, root, root
    )
    uvicorn.run(create_app(state), host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
