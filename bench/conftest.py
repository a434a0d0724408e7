"""Benchmarks: run with `make bench`; sizes grow with BENCH_SCALE (default 1)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def scale() -> int:
    """A multiplier for benchmark sizes (BENCH_SCALE=10 for the full million-row scan)."""
    return max(1, int(os.environ.get("BENCH_SCALE", "1")))
