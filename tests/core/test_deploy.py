"""Issue 12, deploy: compose.yaml parses and every variable it uses is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


def test_compose_parses_with_postgres_the_bot_and_a_tls_proxy() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")
    config = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services = config["services"]
    assert {"db", "bot", "caddy"} <= set(services)
    assert "healthcheck" in services["db"]
    assert any(volume.startswith("pgdata:") for volume in services["db"]["volumes"])
    # One replica until per-user ordering across replicas exists.
    assert services["bot"]["deploy"]["replicas"] == 1
    assert services["bot"]["environment"]["TELEGRAM_WEBHOOK_URL"].startswith("https://")


def test_the_image_runs_migrations_then_the_bot_as_a_non_root_user() -> None:
    lines = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8").splitlines()
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim"
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users
    assert users[-1] != "root"
    assert instructions[-1] == 'CMD ["sh", "-c", "repaybot migrate && exec repaybot run"]'
