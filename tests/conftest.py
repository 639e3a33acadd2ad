"""Settings for the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.postgres import TempCluster

# PTB 22 warns (PTBDeprecationWarning) when it builds RetryAfter from whole seconds;
# with warnings as errors that turns every 429 into a failure. Opt in to timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[TempCluster]:
    """One throw-away PostgreSQL cluster for the whole run, started on first use."""
    cluster = TempCluster()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def pg_url(pg_cluster: TempCluster) -> Iterator[str]:
    """A fresh empty database for one test, dropped afterwards."""
    url = pg_cluster.create_database()
    try:
        yield url
    finally:
        if pg_cluster.is_running():
            pg_cluster.drop_database(url)
