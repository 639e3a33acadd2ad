"""The Store on PostgreSQL (psycopg 3 with a small connection pool).

Every method is one transaction on a pooled connection: a write returns only after its
COMMIT, so whatever the bot acknowledges is durable on the server. Any failure to reach
the server, a full pool, a statement that runs past ``statement_timeout`` or a refused
constraint becomes ``core.ports.StoreError`` with nothing changed, which the
conversation turns into "couldn't save that, please try again".

Records are stored as the JSON ``storage.codec`` writes (the same as in the TinyDB
files); the columns beside it are the fields queries filter or sort on. See
docs/POSTGRES.md for the schema, the pool and the cost of ``forget_user``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolTimeout

from core.history import DAY, DaySummary, day_start, summarize_day, summarize_days, utc_day
from core.models import Promise, Routine, UserSettings
from core.ports import Store, StoreError, UserSnapshot
from storage.codec import (
    PROMISE,
    ROUTINE,
    SETTINGS,
    CodecError,
    day_summary_from_dict,
    day_summary_to_dict,
)
from storage.postgres import schema

__all__ = ["PoolSettings", "PostgresStore", "redact_url"]

log = logging.getLogger(__name__)

# Tables holding user data; /forget deletes from and then vacuums exactly these.
USER_TABLES = ("users", "promises", "routines", "history_days", "history_users")
# One user's history is changed by one transaction at a time (two closes on the same day
# would each sum it up without the other): an advisory lock per user, in a key space of
# its own (the two-number form; the schema lock uses the one-number form).
_HISTORY_LOCK = 0x6B77  # "kw"
# Rows fetched per round trip when reading everyone (start-up): big enough that round
# trips do not dominate, small enough that no single result holds everyone.
SCAN_BATCH = 5000
SNAPSHOT_USERS = 1000


def redact_url(url: str) -> str:
    """The URL with its password replaced, for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """How long anything may wait. Short on purpose: a caller that cannot get an answer
    quickly tells the user to try again instead of hanging the conversation."""

    max_size: int = 8
    min_size: int = 1
    wait_timeout: float = 2.0  # seconds to wait for a free connection
    connect_timeout: int = 3  # seconds to open a new connection
    statement_timeout_ms: int = 5000
    # How long the pool retries (with backoff) to replace a lost connection before it
    # gives up; the next request then starts a fresh attempt at once. Kept short so a
    # restarted server is used again within seconds, not after minutes of backoff.
    reconnect_timeout: float = 2.0


def _dumps(data: dict[str, Any]) -> str:
    # ASCII-only JSON: a NUL or any other code point in a task is escaped, never raw.
    return json.dumps(data, separators=(",", ":"))


def _loads(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str | bytes) else value
    if not isinstance(loaded, dict):
        raise CodecError("stored record is not a JSON object")
    return loaded


def _promise_row(p: Promise) -> tuple[Any, ...]:
    outcome = None if p.outcome is None else p.outcome.value
    closed = None if p.outcome is None else p.closed
    return (
        p.user_id,
        p.id,
        p.due,
        outcome,
        p.source_message_id,
        closed,
        _dumps(PROMISE.encode(p)),
    )


def _routine_row(r: Routine) -> tuple[Any, ...]:
    return (r.user_id, r.id, r.created, _dumps(ROUTINE.encode(r)))


def _user_row(u: UserSettings) -> tuple[Any, ...]:
    return (u.user_id, _dumps(SETTINGS.encode(u)))


_PUT_USER = """
INSERT INTO users (user_id, data) VALUES (%s, %s)
ON CONFLICT (user_id) DO UPDATE SET data = EXCLUDED.data
"""
_PUT_PROMISE = """
INSERT INTO promises (user_id, id, due, outcome, source_message_id, closed, data)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (user_id, id) DO UPDATE SET
    due = EXCLUDED.due, outcome = EXCLUDED.outcome,
    source_message_id = EXCLUDED.source_message_id, closed = EXCLUDED.closed,
    data = EXCLUDED.data
"""
_PUT_DAY = """
INSERT INTO history_days (user_id, day, data) VALUES (%s, %s, %s)
ON CONFLICT (user_id, day) DO UPDATE SET data = EXCLUDED.data
"""
_PUT_ROUTINE = """
INSERT INTO routines (user_id, id, created, data) VALUES (%s, %s, %s, %s)
ON CONFLICT (user_id, id) DO UPDATE SET created = EXCLUDED.created, data = EXCLUDED.data
"""


class PostgresStore(Store):
    """``core.ports.Store`` on PostgreSQL. Applies missing migrations when opened."""

    def __init__(
        self,
        url: str,
        *,
        pool: PoolSettings | None = None,
        upgrade: bool = True,
        vacuum_after_forget: str = "full",
    ) -> None:
        self.url = url
        self.settings = pool or PoolSettings()
        if vacuum_after_forget not in ("full", "plain", "none"):
            raise ValueError("vacuum_after_forget must be 'full', 'plain' or 'none'")
        self.vacuum_after_forget = vacuum_after_forget
        options = f"-c statement_timeout={self.settings.statement_timeout_ms}"
        self._pool: ConnectionPool[psycopg.Connection[TupleRow]] = ConnectionPool(
            url,
            min_size=self.settings.min_size,
            max_size=self.settings.max_size,
            timeout=self.settings.wait_timeout,
            reconnect_timeout=self.settings.reconnect_timeout,
            kwargs={
                "connect_timeout": self.settings.connect_timeout,
                "options": options,
                "application_name": "keepword",
            },
            # A connection broken by a server restart is found and replaced before
            # use, so the first request after the server is back succeeds.
            check=ConnectionPool.check_connection,
            open=False,
            name="keepword",
        )
        try:
            self._pool.open(wait=True, timeout=self.settings.connect_timeout + 1)
        except PoolTimeout as error:
            self._pool.close()
            raise StoreError(f"cannot connect to {redact_url(url)}") from error
        self._vacuum_lock = threading.Lock()
        if upgrade:
            self.upgrade()

    # --- plumbing ------------------------------------------------------------------
    @contextlib.contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[TupleRow]]:
        """One transaction on a pooled connection; every database failure -> StoreError."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except PoolTimeout as error:
            raise StoreError("no database connection free in time") from error
        except psycopg.Error as error:
            # sqlstate and class only: the message may quote the record being written.
            raise StoreError(
                f"database error {type(error).__name__} (sqlstate {error.sqlstate})"
            ) from error

    def _decoded(self, decode: Any, rows: Iterable[Sequence[Any]]) -> list[Any]:
        try:
            return [decode(_loads(row[0])) for row in rows]
        except CodecError as error:
            raise StoreError(f"a stored record does not decode: {error}") from error

    def upgrade(self) -> list[schema.Migration]:
        """Apply missing migrations (each in its own transaction)."""
        try:
            with self._pool.connection() as conn:
                conn.autocommit = True
                try:
                    applied = schema.upgrade(conn)
                finally:
                    conn.autocommit = False
        except (psycopg.Error, PoolTimeout) as error:
            raise StoreError(f"schema upgrade failed: {type(error).__name__}") from error
        for migration in applied:
            log.info("applied schema migration %04d_%s", migration.version, migration.name)
        return applied

    def schema_version(self) -> int:
        with self._tx() as conn:
            versions = schema.applied_versions(conn)
        return max(versions, default=0)

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- users ---------------------------------------------------------------------
    def get_user(self, user_id: int) -> UserSettings | None:
        with self._tx() as conn:
            rows = conn.execute("SELECT data FROM users WHERE user_id = %s", (user_id,))
            found: list[UserSettings] = self._decoded(SETTINGS.decode, rows.fetchall())
        return found[0] if found else None

    def put_user(self, user: UserSettings) -> None:
        row = _user_row(user)
        with self._tx() as conn:
            conn.execute(_PUT_USER, row)

    def user_ids(self) -> list[int]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT user_id FROM users UNION SELECT user_id FROM promises"
                " UNION SELECT user_id FROM routines ORDER BY 1"
            ).fetchall()
        return [int(row[0]) for row in rows]

    # --- promises ------------------------------------------------------------------
    def put_promise(self, promise: Promise) -> None:
        row = _promise_row(promise)
        with self._tx() as conn:
            before = conn.execute(
                "SELECT due FROM promises WHERE user_id = %s AND id = %s"
                " AND outcome IS NOT NULL FOR UPDATE",
                (promise.user_id, promise.id),
            ).fetchall()
            days = {utc_day(row[0]) for row in before}
            if promise.outcome is not None:
                days.add(utc_day(promise.due))
            if days:
                self._lock_history(conn, promise.user_id)
            conn.execute(_PUT_PROMISE, row)
            if days and self._history_built(conn, promise.user_id):
                for day in days:
                    self._sum_up_day(conn, promise.user_id, day)

    @staticmethod
    def _lock_history(conn: psycopg.Connection[TupleRow], user_id: int) -> None:
        conn.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s::text))", (_HISTORY_LOCK, user_id)
        )

    @staticmethod
    def _history_built(conn: psycopg.Connection[TupleRow], user_id: int) -> bool:
        found = conn.execute("SELECT 1 FROM history_users WHERE user_id = %s", (user_id,))
        return found.fetchone() is not None

    def _sum_up_day(self, conn: psycopg.Connection[TupleRow], user_id: int, day: date) -> None:
        """Rewrite one day's summary from that day's closed promises."""
        start = day_start(day)
        rows = conn.execute(
            "SELECT data FROM promises WHERE user_id = %s AND outcome IS NOT NULL"
            " AND due >= %s AND due < %s",
            (user_id, start, start + DAY),
        ).fetchall()
        summary = summarize_day(day, self._decoded(PROMISE.decode, rows))
        if summary is None:
            conn.execute(
                "DELETE FROM history_days WHERE user_id = %s AND day = %s", (user_id, day)
            )
        else:
            conn.execute(_PUT_DAY, (user_id, day, _dumps(day_summary_to_dict(summary))))

    def _build_history(self, conn: psycopg.Connection[TupleRow], user_id: int) -> None:
        """Every day's summary of one user from scratch (once: after the upgrade, a batch)."""
        rows = conn.execute(
            "SELECT data FROM promises WHERE user_id = %s AND outcome IS NOT NULL", (user_id,)
        ).fetchall()
        summaries = summarize_days(self._decoded(PROMISE.decode, rows))
        conn.execute("DELETE FROM history_days WHERE user_id = %s", (user_id,))
        with conn.cursor() as cursor:
            cursor.executemany(
                _PUT_DAY,
                [(user_id, s.day, _dumps(day_summary_to_dict(s))) for s in summaries],
            )
        conn.execute(
            "INSERT INTO history_users (user_id) VALUES (%s) ON CONFLICT DO NOTHING", (user_id,)
        )

    def closed_days(
        self, user_id: int, since: date | None = None, until: date | None = None
    ) -> list[DaySummary]:
        with self._tx() as conn:
            if not self._history_built(conn, user_id):
                self._lock_history(conn, user_id)
                if not self._history_built(conn, user_id):
                    self._build_history(conn, user_id)
            rows = conn.execute(
                "SELECT data FROM history_days WHERE user_id = %s"
                " AND (%s::date IS NULL OR day >= %s) AND (%s::date IS NULL OR day < %s)"
                " ORDER BY day",
                (user_id, since, since, until, until),
            ).fetchall()
        return self._decoded(day_summary_from_dict, rows)

    def latest_closed(self, user_id: int, limit: int) -> list[Promise]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT data FROM promises WHERE user_id = %s AND outcome IS NOT NULL"
                " ORDER BY coalesce(closed, due) DESC, id DESC LIMIT %s",
                (user_id, max(0, limit)),
            ).fetchall()
        return self._decoded(PROMISE.decode, rows)

    def delete_open_promise(self, user_id: int, promise_id: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "DELETE FROM promises WHERE user_id = %s AND id = %s AND outcome IS NULL",
                (user_id, promise_id),
            )

    def get_promise(self, user_id: int, promise_id: str) -> Promise | None:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT data FROM promises WHERE user_id = %s AND id = %s", (user_id, promise_id)
            ).fetchall()
        found: list[Promise] = self._decoded(PROMISE.decode, rows)
        return found[0] if found else None

    def open_promises(self, user_id: int) -> list[Promise]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT data FROM promises WHERE user_id = %s AND outcome IS NULL"
                " ORDER BY due, id",
                (user_id,),
            ).fetchall()
        return self._decoded(PROMISE.decode, rows)

    def closed_promises(
        self, user_id: int, since: datetime | None = None, until: datetime | None = None
    ) -> list[Promise]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT data FROM promises WHERE user_id = %s AND outcome IS NOT NULL"
                " AND (%s::timestamptz IS NULL OR due >= %s)"
                " AND (%s::timestamptz IS NULL OR due < %s) ORDER BY due, id",
                (user_id, since, since, until, until),
            ).fetchall()
        return self._decoded(PROMISE.decode, rows)

    def all_open_promises(self) -> Iterator[Promise]:
        # Keyset pages: no connection is held while the caller works on a page.
        last: tuple[int, datetime, str] | None = None
        while True:
            with self._tx() as conn:
                if last is None:
                    cursor = conn.execute(
                        "SELECT data, user_id, due, id FROM promises WHERE outcome IS NULL"
                        " ORDER BY user_id, due, id LIMIT %s",
                        (SCAN_BATCH,),
                    )
                else:
                    cursor = conn.execute(
                        "SELECT data, user_id, due, id FROM promises WHERE outcome IS NULL"
                        " AND (user_id, due, id) > (%s, %s, %s)"
                        " ORDER BY user_id, due, id LIMIT %s",
                        (*last, SCAN_BATCH),
                    )
                rows = cursor.fetchall()
            yield from self._decoded(PROMISE.decode, rows)
            if len(rows) < SCAN_BATCH:
                return
            last = (rows[-1][1], rows[-1][2], rows[-1][3])

    def find_by_source_message(self, user_id: int, message_id: int) -> Promise | None:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT data FROM promises WHERE user_id = %s AND source_message_id = %s"
                " ORDER BY outcome IS NOT NULL, due, id LIMIT 1",
                (user_id, message_id),
            ).fetchall()
        found: list[Promise] = self._decoded(PROMISE.decode, rows)
        return found[0] if found else None

    # --- routines ------------------------------------------------------------------
    def put_routine(self, routine: Routine) -> None:
        row = _routine_row(routine)
        with self._tx() as conn:
            conn.execute(_PUT_ROUTINE, row)

    def get_routine(self, user_id: int, routine_id: str) -> Routine | None:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT data FROM routines WHERE user_id = %s AND id = %s", (user_id, routine_id)
            ).fetchall()
        found: list[Routine] = self._decoded(ROUTINE.decode, rows)
        return found[0] if found else None

    def routines(self, user_id: int) -> list[Routine]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT data FROM routines WHERE user_id = %s ORDER BY created, id", (user_id,)
            ).fetchall()
        return self._decoded(ROUTINE.decode, rows)

    def all_routines(self) -> Iterator[Routine]:
        with self._tx() as conn:
            rows = conn.execute("SELECT data FROM routines ORDER BY user_id, created, id")
            found: list[Routine] = self._decoded(ROUTINE.decode, rows.fetchall())
        yield from found

    def delete_routine(self, user_id: int, routine_id: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "DELETE FROM routines WHERE user_id = %s AND id = %s", (user_id, routine_id)
            )

    def snapshot(self) -> Iterator[UserSnapshot]:
        ids = self.user_ids()
        for start in range(0, len(ids), SNAPSHOT_USERS):
            chunk = ids[start : start + SNAPSHOT_USERS]
            yield from self._snapshot_chunk(chunk)

    def _snapshot_chunk(self, chunk: list[int]) -> Iterator[UserSnapshot]:
        with self._tx() as conn:
            users = conn.execute(
                "SELECT user_id, data FROM users WHERE user_id = ANY(%s)", (chunk,)
            ).fetchall()
            promises = conn.execute(
                "SELECT user_id, data FROM promises WHERE user_id = ANY(%s)"
                " AND outcome IS NULL ORDER BY user_id, due, id",
                (chunk,),
            ).fetchall()
            routines = conn.execute(
                "SELECT user_id, data FROM routines WHERE user_id = ANY(%s)"
                " ORDER BY user_id, created, id",
                (chunk,),
            ).fetchall()
        settings_of: dict[int, Any] = {row[0]: row[1] for row in users}
        open_of: dict[int, list[Any]] = {}
        for row in promises:
            open_of.setdefault(row[0], []).append(row[1])
        routines_of: dict[int, list[Any]] = {}
        for row in routines:
            routines_of.setdefault(row[0], []).append(row[1])
        for user_id in chunk:
            try:
                raw = settings_of.get(user_id)
                user = None if raw is None else SETTINGS.decode(_loads(raw))
                snap = UserSnapshot(
                    user_id,
                    user,
                    [PROMISE.decode(_loads(d)) for d in open_of.get(user_id, [])],
                    [ROUTINE.decode(_loads(d)) for d in routines_of.get(user_id, [])],
                )
            except CodecError as error:
                log.warning(
                    "skipping user %s: a stored record does not decode: %s", user_id, error
                )
                continue
            yield snap

    # --- batches ---------------------------------------------------------------------
    def put_many(self, records: Iterable[UserSettings | Promise | Routine]) -> int:
        """Write all records in one transaction: all of them are stored, or none."""
        users: list[tuple[Any, ...]] = []
        promises: list[tuple[Any, ...]] = []
        routines: list[tuple[Any, ...]] = []
        for record in records:
            if isinstance(record, UserSettings):
                users.append(_user_row(record))
            elif isinstance(record, Promise):
                promises.append(_promise_row(record))
            elif isinstance(record, Routine):
                routines.append(_routine_row(record))
            else:
                raise TypeError(f"not a record: {type(record).__name__}")
        owners = sorted({row[0] for row in promises})
        with self._tx() as conn, conn.cursor() as cursor:
            for user_id in owners:  # their day summaries are rebuilt when next asked for
                self._lock_history(conn, user_id)
            if owners:
                cursor.execute("DELETE FROM history_users WHERE user_id = ANY(%s)", (owners,))
            for statement, rows in (
                (_PUT_USER, users),
                (_PUT_PROMISE, promises),
                (_PUT_ROUTINE, routines),
            ):
                if rows:
                    cursor.executemany(statement, rows)
        return len(users) + len(promises) + len(routines)

    # --- the user's right to leave ---------------------------------------------------
    def forget_user(self, user_id: int) -> None:
        """Delete every row of the user in one transaction, then vacuum those tables.

        The DELETE alone leaves the rows as dead tuples in the table files (readable
        with ``strings``) until their space is reused; ``VACUUM FULL`` rewrites each
        table into a new file without them. Its cost grows with table size and it locks
        the table meanwhile: see docs/POSTGRES.md for the measured figures.
        """
        with self._tx() as conn:
            for table in USER_TABLES:
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE user_id = %s").format(sql.Identifier(table)),
                    (user_id,),
                )
        self.vacuum(USER_TABLES)

    def vacuum(self, tables: Iterable[str]) -> None:
        """VACUUM (FULL or plain, per ``vacuum_after_forget``) the given tables.

        A failure here is logged, not raised: the rows are already deleted, only their
        dead copies wait for the next vacuum (autovacuum or the next /forget).
        """
        if self.vacuum_after_forget == "none":
            return
        verb = "VACUUM (FULL)" if self.vacuum_after_forget == "full" else "VACUUM"
        with self._vacuum_lock:
            try:
                with self._pool.connection() as conn:
                    conn.autocommit = True  # VACUUM cannot run inside a transaction
                    try:
                        # Its own limit: rewriting a big table may take longer than a query.
                        conn.execute("SET statement_timeout = '120s'")
                        for table in tables:
                            conn.execute(sql.SQL(verb + " {}").format(sql.Identifier(table)))
                    finally:
                        conn.execute("RESET statement_timeout")
                        conn.autocommit = False
            except (psycopg.Error, PoolTimeout):
                log.warning("vacuum after forget failed; autovacuum will catch up", exc_info=True)
