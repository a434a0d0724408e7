"""Issue 12, deploy: compose.yaml parses and every variable it uses is documented."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"
#: ${NAME}, ${NAME:-default}, ${NAME:?message}, ${NAME-default}, ${NAME?message}.
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?-][^}]*)?\}")


def documented() -> set[str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return {line.split("=", 1)[0].strip() for line in lines if re.match(r"^[A-Z_]+=", line)}


def test_every_compose_variable_is_documented_in_env_example() -> None:
    used = set(VARIABLE.findall(COMPOSE.read_text(encoding="utf-8")))
    assert {"TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "POSTGRES_PASSWORD"} <= used
    assert used - documented() == set()


def test_compose_parses_with_postgres_two_webhook_replicas_and_a_tls_proxy() -> None:
    config = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services = config["services"]
    assert {"db", "migrate", "bot", "caddy"} <= set(services)
    db = services["db"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(volume.startswith("pgdata:") for volume in db["volumes"])
    assert "pgdata" in config["volumes"]
    bot = services["bot"]
    # Two replicas on one PostgreSQL: each user's updates in order across them (bot/replicas.py).
    assert bot["deploy"]["replicas"] == 2
    # Each replica its own host name (Compose's default): a restart releases the send claims
    # of its host's stopped processes only (jobs/claims.py).
    assert "hostname" not in bot
    environment = bot["environment"]  # the migrate service's, through a YAML anchor
    assert environment == services["migrate"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@db:5432/" in environment["DATABASE_URL"]
    assert environment["TELEGRAM_WEBHOOK_URL"].startswith("https://")
    assert environment["TELEGRAM_WEBHOOK_SECRET"].startswith("${TELEGRAM_WEBHOOK_SECRET")
    port = environment["WEBHOOK_PORT"]
    assert f"127.0.0.1:{port}/healthz" in " ".join(bot["healthcheck"]["test"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    caddy = services["caddy"]
    assert caddy["image"].startswith("caddy:")
    assert "443:443" in caddy["ports"]
    assert any(volume.startswith("./Caddyfile:") for volume in caddy["volumes"])
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert f"dynamic a bot {port}" in caddyfile  # Telegram's calls reach every replica
    assert "lb_policy round_robin" in caddyfile


def test_the_image_runs_migrations_then_the_bot_as_a_non_root_user() -> None:
    lines = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8").splitlines()
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim"
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users
    assert users[-1] != "root"
    assert instructions[-1] == 'CMD ["sh", "-c", "repaybot migrate && exec repaybot run"]'
