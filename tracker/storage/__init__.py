"""Persistence: tables, migrations, repositories and the unit of work (no engine at import)."""
