"""Run Alembic migrations from code: no alembic.ini, the scripts live in the package."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from tracker.storage.db import make_engine
from tracker.storage.models import metadata

#: The Alembic script directory, shipped inside the package.
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def make_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged scripts (and at ``url``, for the CLI)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        # The config is an INI parser: a literal % (URL-encoded passwords) must be doubled.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(
    url: str, revision: str = "head", *, connect_args: Mapping[str, Any] | None = None
) -> None:
    """Migrate the database at ``url`` to ``revision`` in one transaction."""
    engine = make_engine(url, connect_args=connect_args, sqlite_foreign_keys=False)
    try:
        with engine.begin() as connection:
            config = make_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            _check_foreign_keys(connection)
    finally:
        engine.dispose()


def head() -> str:
    """The newest revision the packaged scripts define."""
    revision = ScriptDirectory.from_config(make_config()).get_current_head()
    if revision is None:  # pragma: no cover - the package always ships its scripts
        raise RuntimeError("no migration scripts found")
    return revision


def current(url: str, *, connect_args: Mapping[str, Any] | None = None) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    engine = make_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def pending_changes(url: str, *, connect_args: Mapping[str, Any] | None = None) -> list[Any]:
    """Differences between the models and the database (``alembic check``); [] when in sync."""
    engine = make_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            return diff(connection)
    finally:
        engine.dispose()


def diff(connection: Connection) -> list[Any]:
    """Differences between the models and the database behind ``connection``."""
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"},
    )
    return list(compare_metadata(context, metadata))


def _check_foreign_keys(connection: Connection) -> None:
    # Migrations run with SQLite foreign keys off (see make_engine); prove nothing dangles.
    if connection.dialect.name != "sqlite":
        return
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise RuntimeError(f"foreign key violations after migrating: {violations[:10]}")


def downgrade(url: str, revision: str, *, connect_args: Mapping[str, Any] | None = None) -> None:
    """Migrate the database at ``url`` down to ``revision`` ("base" empties it)."""
    engine = make_engine(url, connect_args=connect_args, sqlite_foreign_keys=False)
    try:
        with engine.begin() as connection:
            config = make_config()
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()
