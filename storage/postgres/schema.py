"""Versioned schema migrations: numbered SQL files, each applied in one transaction.

``migrations/NNNN_name.sql`` ship inside the package. ``keepword_schema`` records which
versions are applied; ``upgrade`` applies the missing ones in order, each together with
its row in ``keepword_schema`` in a single transaction, so a failed migration leaves the
schema exactly at the previous version. An advisory lock makes two processes starting
at once apply each migration only once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg
from psycopg.rows import TupleRow

__all__ = ["Migration", "applied_versions", "migrations", "upgrade"]

_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")
# Any constant works; it only has to be the same for every Keepword process.
_LOCK_KEY = 0x6B656570  # "keep"

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS keepword_schema (
    version integer     PRIMARY KEY,
    name    text        NOT NULL,
    applied timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every shipped migration, in version order; a gap or a duplicate is a packaging bug."""
    found = []
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        match = _NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps: {found}")
    return found


def applied_versions(conn: psycopg.Connection[TupleRow]) -> list[int]:
    """Versions already applied (empty on a fresh database)."""
    exists = conn.execute("SELECT to_regclass('keepword_schema') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return []
    rows = conn.execute("SELECT version FROM keepword_schema ORDER BY version").fetchall()
    return [int(row[0]) for row in rows]


def upgrade(conn: psycopg.Connection[TupleRow]) -> list[Migration]:
    """Apply every missing migration; returns those applied now (none if up to date).

    ``conn`` must not be inside a transaction: each migration gets its own.
    """
    done: list[Migration] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute(_VERSION_TABLE)
    for migration in migrations():
        with conn.transaction():
            # Re-checked under the lock: another process may have applied it meanwhile.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            if migration.version in applied_versions(conn):
                continue
            conn.execute(migration.sql.encode())
            conn.execute(
                "INSERT INTO keepword_schema (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
        done.append(migration)
    return done
