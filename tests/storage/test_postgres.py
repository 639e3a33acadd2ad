"""What only the PostgreSQL store has: schema versions, constraints, batches, faults, and
the files it leaves behind after /forget. The shared contract is in test_contract.py."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings

from core.history import summarize_days
from core.models import Outcome, Promise, Routine, UserSettings
from core.ports import StoreError
from storage.codec import PROMISE
from storage.postgres import PoolSettings, PostgresStore, redact_url, schema
from tests.storage.test_contract import (
    ANN,
    BOB,
    closed,
    promise,
    promises,
    routine,
    routines,
    user_settings,
)
from tests.support.postgres import TempCluster


@pytest.fixture
def pg(pg_url: str) -> Iterator[PostgresStore]:
    with PostgresStore(pg_url) as store:
        yield store


def sql(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query.encode())
        return cursor.fetchall() if cursor.description else []


# --- schema --------------------------------------------------------------------------


def test_migrations_are_applied_once_each_with_a_version_row(pg_url: str) -> None:
    with PostgresStore(pg_url) as first:
        assert first.schema_version() == len(schema.migrations())
    with PostgresStore(pg_url) as second:  # start-up on an up-to-date schema: nothing
        assert second.upgrade() == []
    versions = sql(pg_url, "SELECT version, name FROM keepword_schema ORDER BY version")
    assert versions == [(m.version, m.name) for m in schema.migrations()]


def test_a_failing_migration_changes_nothing(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = [
        *schema.migrations(),
        schema.Migration(
            len(schema.migrations()) + 1, "broken", "CREATE TABLE half (x int); SELECT 1/0;"
        ),
    ]
    monkeypatch.setattr(schema, "migrations", lambda: broken)
    with pytest.raises(StoreError):
        PostgresStore(pg_url)
    assert sql(pg_url, "SELECT to_regclass('half') IS NULL") == [(True,)]
    assert sql(pg_url, "SELECT max(version) FROM keepword_schema") == [(len(broken) - 1,)]


def test_version_and_upgrade_commands(pg_url: str) -> None:
    def keepword(*args: str) -> subprocess.CompletedProcess[str]:
        env = {"KEEPWORD_DATABASE_URL": pg_url, "PATH": "/usr/bin:/bin"}
        return subprocess.run(
            [".venv/bin/python", "-m", "bot", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            cwd=Path(__file__).resolve().parents[2],
            timeout=60,
        )

    before = keepword("db", "version")
    assert before.returncode == 0, before.stderr
    assert before.stdout.strip() == f"0 (latest {len(schema.migrations())})"
    upgraded = keepword("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "0001_initial" in upgraded.stdout
    after = keepword("db", "version")
    assert after.stdout.split()[0] == str(len(schema.migrations()))


# --- constraints ---------------------------------------------------------------------


def test_one_open_promise_per_source_message(pg: PostgresStore) -> None:
    pg.put_promise(promise("p1", source_message_id=7))
    with pytest.raises(StoreError):
        pg.put_promise(promise("p2", source_message_id=7))
    pg.put_promise(promise("b1", BOB, source_message_id=7))  # another user's message 7
    pg.put_promise(closed(promise("p1", source_message_id=7)))
    pg.put_promise(promise("p3", source_message_id=7))  # the first is closed: allowed
    assert pg.find_by_source_message(ANN, 7) == promise("p3", source_message_id=7)


def test_outcome_values_are_checked(pg: PostgresStore, pg_url: str) -> None:
    pg.put_promise(promise("p1"))
    with pytest.raises(psycopg.errors.CheckViolation):
        sql(pg_url, "UPDATE promises SET outcome = 'maybe'")
    assert {o.value for o in Outcome} == {
        "kept",
        "late",
        "broken",
        "unanswered",
        "cancelled",
    }, "a new Outcome needs a migration widening promises_outcome_known"


def test_every_query_of_user_data_is_scoped(pg: PostgresStore) -> None:
    pg.put_promise(promise("same", ANN))
    pg.put_promise(promise("same", BOB, hours=5))
    pg.put_routine(routine("r", ANN))
    pg.put_routine(routine("r", BOB, minutes=3))
    assert pg.get_promise(BOB, "same") == promise("same", BOB, hours=5)
    pg.delete_open_promise(ANN, "same")
    assert pg.get_promise(BOB, "same") == promise("same", BOB, hours=5)
    pg.delete_routine(BOB, "r")
    assert pg.get_routine(ANN, "r") == routine("r", ANN)


# --- closed history by day ------------------------------------------------------------


def test_a_close_sums_up_its_day_and_a_week_count_reads_no_record(
    pg: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = [closed(promise(f"h{n}", hours=-n / 5)) for n in range(3_000)]  # 120 a day
    pg.put_many(history)
    assert pg.closed_days(ANN) == summarize_days(history)  # built once, after the batch
    decoded = 0
    real = PROMISE.decode

    def counting(data: Any) -> Promise:
        nonlocal decoded
        decoded += 1
        return real(data)

    monkeypatch.setattr(PROMISE, "decode", counting)
    pg.put_promise(promise("new", hours=2))
    pg.put_promise(closed(promise("new", hours=2)))
    assert 0 < decoded <= 125  # that day's closed promises, not the month's 3,000
    decoded = 0
    week = pg.closed_days(ANN, date(2024, 4, 29), date(2024, 5, 6))
    assert sum(d.tally.kept for d in week) == 60 * 5 + 1 + 1
    assert decoded == 0
    monkeypatch.undo()
    assert pg.closed_days(ANN) == summarize_days(pg.closed_promises(ANN))


def test_history_from_before_the_day_table_is_built_when_first_asked(
    pg: PostgresStore, pg_url: str
) -> None:
    records = [closed(promise(f"p{n}", hours=24 * n), Outcome.LATE) for n in range(5)]
    for record in records:
        pg.put_promise(record)
    sql(pg_url, "DELETE FROM history_days; DELETE FROM history_users")  # as after 0002
    pg.put_promise(closed(promise("p9", hours=1)))  # not summed up: nothing to add it to
    assert sql(pg_url, "SELECT count(*) FROM history_days") == [(0,)]
    assert pg.closed_days(ANN) == summarize_days([*records, closed(promise("p9", hours=1))])
    assert sql(pg_url, "SELECT user_id FROM history_users") == [(ANN,)]
    newest = [closed(promise(f"p{n}", hours=24 * n), Outcome.LATE) for n in (4, 3)]
    assert pg.latest_closed(ANN, 2) == newest


def test_closes_from_two_instances_on_one_day_are_all_counted(pg_url: str) -> None:
    first, second = PostgresStore(pg_url), PostgresStore(pg_url)
    try:
        first.put_promise(closed(promise("seed")))
        assert len(first.closed_days(ANN)) == 1  # built: from now on kept up per close

        def close_many(store: PostgresStore, prefix: str) -> None:
            for n in range(60):
                store.put_promise(closed(promise(f"{prefix}{n}", hours=n / 10)))

        threads = [
            threading.Thread(target=close_many, args=(store, prefix))
            for store, prefix in ((first, "a"), (second, "b"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert first.closed_days(ANN) == summarize_days(first.closed_promises(ANN))
        assert first.closed_days(ANN)[0].tally.kept == 121
    finally:
        first.close()
        second.close()


# --- batches ---------------------------------------------------------------------------


def test_put_many_is_one_transaction(pg: PostgresStore) -> None:
    good = [UserSettings(user_id=ANN, chat_id=ANN), promise("p1"), routine("r1")]
    assert pg.put_many(good) == 3
    clash = [promise("p2", source_message_id=1), promise("p3", source_message_id=1)]
    with pytest.raises(StoreError):
        pg.put_many([promise("p4"), *clash])
    assert pg.get_promise(ANN, "p4") is None  # nothing of the failed batch remains
    assert [p.id for p in pg.open_promises(ANN)] == ["p1"]


def test_start_up_scan_pages_through_everyone(
    pg: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.postgres.store.SCAN_BATCH", 3)
    monkeypatch.setattr("storage.postgres.store.SNAPSHOT_USERS", 2)
    records: list[Promise | Routine | UserSettings] = []
    for user in range(1, 6):
        records.append(UserSettings(user_id=user, chat_id=user))
        records += [promise(f"u{user}-{n}", user, hours=n) for n in range(user)]
        records.append(closed(promise(f"u{user}-c", user)))
    pg.put_many(records)
    assert len(list(pg.all_open_promises())) == 1 + 2 + 3 + 4 + 5
    snaps = list(pg.snapshot())
    assert [s.user_id for s in snaps] == [1, 2, 3, 4, 5]
    assert [len(s.open_promises) for s in snaps] == [1, 2, 3, 4, 5]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(record=promises, settings_record=user_settings, routine_record=routines)
def test_postgres_round_trips_any_record(
    pg: PostgresStore, record: Promise, settings_record: UserSettings, routine_record: Routine
) -> None:
    # PostgreSQL text cannot hold NUL; ids are generated by the bot (hex), never typed.
    if "\x00" in record.id or "\x00" in routine_record.id:
        with pytest.raises(StoreError):
            pg.put_many([record, routine_record])
        return
    pg.put_promise(record)
    pg.put_user(settings_record)
    pg.put_routine(routine_record)
    assert pg.get_promise(record.user_id, record.id) == record
    assert pg.get_user(settings_record.user_id) == settings_record
    assert pg.get_routine(routine_record.user_id, routine_record.id) == routine_record
    for user_id in {record.user_id, settings_record.user_id, routine_record.user_id}:
        pg.forget_user(user_id)


# --- faults ------------------------------------------------------------------------------


def test_server_gone_is_a_store_error_and_back_is_fine(pg_cluster: TempCluster) -> None:
    url = pg_cluster.create_database()
    store = PostgresStore(url, pool=PoolSettings(wait_timeout=1.0, connect_timeout=1))
    try:
        store.put_promise(promise("before"))
        pg_cluster.kill()
        with pytest.raises(StoreError):
            store.put_promise(promise("while-down"))
        with pytest.raises(StoreError):
            store.open_promises(ANN)
        pg_cluster.start()
        deadline = time.monotonic() + 10
        while True:  # the store reconnects by itself, within seconds
            try:
                store.put_promise(promise("after"))
                break
            except StoreError:
                assert time.monotonic() < deadline, "no reconnect within 10 s"
                time.sleep(0.2)
        assert [p.id for p in store.open_promises(ANN)] == ["after", "before"]
    finally:
        if not pg_cluster.is_running():
            pg_cluster.start()
        store.close()
        pg_cluster.drop_database(url)


def test_a_full_pool_is_a_store_error_not_a_hang(pg_url: str) -> None:
    store = PostgresStore(pg_url, pool=PoolSettings(max_size=1, wait_timeout=0.3))
    try:
        # Someone holds the only connection.
        with store._pool.connection(), pytest.raises(StoreError, match="no database connection"):
            store.get_user(ANN)
        assert store.get_user(ANN) is None
    finally:
        store.close()


def test_a_statement_past_the_timeout_is_a_store_error(pg_url: str) -> None:
    store = PostgresStore(pg_url, pool=PoolSettings(statement_timeout_ms=200))
    try:
        store.put_promise(promise("p1"))
        # Another session locks the row; our write waits, then gives up at the timeout.
        with psycopg.connect(pg_url) as other:
            other.execute("SELECT * FROM promises FOR UPDATE")
            with pytest.raises(StoreError, match="QueryCanceled"):
                store.put_promise(replace(promise("p1"), snoozes=1))
        store.put_promise(replace(promise("p1"), snoozes=2))
        assert store.get_promise(ANN, "p1") == replace(promise("p1"), snoozes=2)
    finally:
        store.close()


def test_password_never_shown() -> None:
    assert redact_url("postgresql://kw:s3cret@db:5432/kw") == "postgresql://kw:***@db:5432/kw"
    assert redact_url("postgresql:///kw?host=/tmp") == "postgresql:///kw?host=/tmp"


# --- /forget leaves no readable text -----------------------------------------------------

MARKER = "xyzzy-remember-to-call-aunt-"


def _readable(directory: Path) -> int:
    """How many distinct marked tasks can still be read in the database's files."""
    found: set[bytes] = set()
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            start = data.find(MARKER.encode())
            while start != -1:
                found.add(data[start : start + len(MARKER) + 2])
                start = data.find(MARKER.encode(), start + 1)
    return len(found)


@pytest.mark.parametrize(
    ("mode", "leaves_text"), [("full", False), ("plain", True), ("none", True)]
)
def test_forget_vacuums_the_text_out_of_the_files(
    pg_cluster: TempCluster, pg_url: str, mode: str, leaves_text: bool
) -> None:
    """Plain VACUUM frees the space of the deleted rows but leaves their bytes in the
    pages until reused; only VACUUM FULL (a rewrite into new files) removes them."""
    with PostgresStore(pg_url, vacuum_after_forget=mode) as store:
        records: list[Promise | UserSettings] = [UserSettings(user_id=ANN, chat_id=ANN)]
        records += [replace(promise(f"p{n}", hours=n), task=f"{MARKER}{n:02d}") for n in range(50)]
        records += [promise(f"b{n}", BOB, hours=n) for n in range(200)]
        store.put_many(records)
        store.put_many([closed(p) for p in records[1:26] if isinstance(p, Promise)])
        sql(pg_url, "CHECKPOINT")  # the rows are in the table files now, not only in WAL
        assert _readable(pg_cluster.database_dir(pg_url)) == 50
        store.forget_user(ANN)
        sql(pg_url, "CHECKPOINT")
        left = _readable(pg_cluster.database_dir(pg_url))
        assert (left > 0) is leaves_text, left
        assert len(store.open_promises(BOB)) == 200
