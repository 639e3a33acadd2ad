"""One contract, every store: what the core may rely on whichever store it is given."""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.history import summarize_days
from core.models import Draft, Kind, Outcome, Promise, Recurrence, Routine, UserSettings
from core.ports import Store, StoreError, closed_order
from storage import atomic
from storage.codec import (
    PROMISE,
    ROUTINE,
    SETTINGS,
    CodecError,
    promise_from_dict,
    promise_to_dict,
    settings_from_dict,
)
from storage.memory_store import MemoryStore
from storage.postgres import PostgresStore
from storage.tinydb_store import TinyDBStore

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ANN, BOB = 1, 2


def promise(pid: str, user_id: int = ANN, hours: float = 1, **changes: Any) -> Promise:
    base = Promise(
        id=pid, user_id=user_id, task=f"task {pid}", due=T0 + timedelta(hours=hours), created=T0
    )
    return replace(base, **changes)


def closed(p: Promise, outcome: Outcome = Outcome.KEPT) -> Promise:
    return replace(p, outcome=outcome, closed=p.due + timedelta(minutes=1))


def routine(rid: str, user_id: int = ANN, minutes: int = 0) -> Routine:
    return Routine(
        id=rid,
        user_id=user_id,
        task=f"routine {rid}",
        rule=Recurrence(days=(0, 2, 4), hour=8, minute=30),
        created=T0 + timedelta(minutes=minutes),
    )


BERLIN_SUMMER = timezone(timedelta(hours=2))

FULL_PROMISE = Promise(
    id="p-full",
    user_id=ANN,
    task="call mom back — «soon» 📞",
    due=datetime(2024, 3, 31, 1, 30, 15, 123456, tzinfo=BERLIN_SUMMER),
    created=T0,
    tags=("mom", "phone"),
    kind=Kind.CALLBACK,
    kind_corrected=True,
    outcome=Outcome.LATE,
    closed=T0 + timedelta(hours=3),
    asked=T0 + timedelta(hours=2),
    asked_late=True,
    checkin_message_id=4242,
    nudged=True,
    snoozed_until=T0 + timedelta(hours=2, minutes=10),
    snoozes=2,
    renegotiations=1,
    repair_of="p-old",
    routine_id="r-1",
    source_message_id=777,
)

FULL_ROUTINE = Routine(
    id="r-full",
    user_id=ANN,
    task="phone away at dinner",
    rule=Recurrence(days=(0, 1, 2, 3, 4, 5, 6), hour=19, minute=45),
    created=T0,
    tags=("family",),
    kind=Kind.ATTENTION,
    paused=True,
    last_occurrence=T0 + timedelta(days=3),
)

FULL_SETTINGS = UserSettings(
    user_id=ANN,
    chat_id=-1001,
    tz="Europe/Berlin",
    clock24=False,
    report_enabled=False,
    report_day=0,
    report_hour=7,
    report_minute=15,
    last_report_week="2024-04-29",
    last_message_id=991,
    blocked=True,
    draft=Draft(task="water plants", tags=("home",), created=T0, source_message_id=990),
    pending_change="p-1",
    created=T0 - timedelta(days=30),
    downtime=((T0, T0 + timedelta(hours=1)), (T0 + timedelta(days=1), T0 + timedelta(days=2))),
)


_OPENED: list[PostgresStore] = []


@pytest.fixture(params=["memory", "tinydb", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "tinydb":
        yield TinyDBStore(tmp_path / "data")
    else:
        url = request.getfixturevalue("pg_url")
        first = PostgresStore(url)
        _OPENED.append(first)
        yield first
        while _OPENED:
            _OPENED.pop().close()


def reopened(store: Store, tmp_path: Path) -> Store:
    """The same data seen by a fresh process (the memory store has no other)."""
    if isinstance(store, TinyDBStore):
        return TinyDBStore(tmp_path / "data")
    if isinstance(store, PostgresStore):
        again = PostgresStore(store.url)
        _OPENED.append(again)
        return again
    return store


# --- users -------------------------------------------------------------------------


def test_user_settings_round_trip_and_replace(store: Store, tmp_path: Path) -> None:
    assert store.get_user(ANN) is None
    store.put_user(FULL_SETTINGS)
    store.put_user(UserSettings(user_id=BOB, chat_id=BOB))
    assert reopened(store, tmp_path).get_user(ANN) == FULL_SETTINGS
    store.put_user(replace(FULL_SETTINGS, draft=None, downtime=()))
    again = reopened(store, tmp_path)
    assert again.get_user(ANN) == replace(FULL_SETTINGS, draft=None, downtime=())
    assert again.get_user(BOB) == UserSettings(user_id=BOB, chat_id=BOB)
    assert again.user_ids() == [ANN, BOB]


# --- promises ----------------------------------------------------------------------


def test_put_get_and_replace_by_id(store: Store) -> None:
    store.put_promise(promise("p1"))
    store.put_promise(replace(promise("p1"), task="call dad back", snoozes=1))
    assert store.get_promise(ANN, "p1") == replace(promise("p1"), task="call dad back", snoozes=1)
    assert store.get_promise(ANN, "nope") is None
    assert len(store.open_promises(ANN)) == 1


def test_every_field_round_trips(store: Store, tmp_path: Path) -> None:
    store.put_promise(FULL_PROMISE)
    open_one = replace(FULL_PROMISE, id="p-open", outcome=None, closed=None)
    store.put_promise(open_one)
    store.put_routine(FULL_ROUTINE)
    again = reopened(store, tmp_path)
    assert again.get_promise(ANN, "p-full") == FULL_PROMISE
    assert again.closed_promises(ANN) == [FULL_PROMISE]
    assert again.open_promises(ANN) == [open_one]
    assert again.get_routine(ANN, "r-full") == FULL_ROUTINE


def test_closing_moves_a_promise_from_open_to_closed(store: Store, tmp_path: Path) -> None:
    p1, p2 = promise("p1", hours=1), promise("p2", hours=2)
    store.put_promise(p1)
    store.put_promise(p2)
    store.put_promise(closed(p1))
    again = reopened(store, tmp_path)
    assert again.open_promises(ANN) == [p2]
    assert again.closed_promises(ANN) == [closed(p1)]
    assert again.get_promise(ANN, "p1") == closed(p1)
    assert list(again.all_open_promises()) == [p2]


def test_delete_open_promise_removes_it_but_never_history(store: Store, tmp_path: Path) -> None:
    p1, p2 = promise("p1", hours=1), promise("p2", hours=2)
    store.put_promise(p1)
    store.put_promise(closed(p2))
    store.delete_open_promise(ANN, "p1")
    store.delete_open_promise(ANN, "p2")  # closed: history stays
    store.delete_open_promise(BOB, "p2")  # another user's id: nothing happens
    again = reopened(store, tmp_path)
    assert again.get_promise(ANN, "p1") is None
    assert again.open_promises(ANN) == []
    assert again.closed_promises(ANN) == [closed(p2)]


def test_a_closed_promise_can_be_replaced(store: Store) -> None:
    p1 = promise("p1")
    store.put_promise(closed(p1, Outcome.UNANSWERED))
    store.put_promise(closed(p1, Outcome.LATE))
    assert store.closed_promises(ANN) == [closed(p1, Outcome.LATE)]
    assert store.get_promise(ANN, "p1") == closed(p1, Outcome.LATE)


def test_a_reopened_promise_leaves_the_closed_set(store: Store) -> None:
    p1 = promise("p1")
    store.put_promise(closed(p1))
    store.put_promise(p1)
    assert store.open_promises(ANN) == [p1]
    assert store.closed_promises(ANN) == []
    assert store.get_promise(ANN, "p1") == p1


def test_open_promises_are_ordered_by_due_then_id(store: Store) -> None:
    dues = {"c": 5, "a": 3, "e": 1, "b": 3, "d": 240}
    for pid, hours in dues.items():
        store.put_promise(promise(pid, hours=hours))
    assert [p.id for p in store.open_promises(ANN)] == ["e", "a", "b", "c", "d"]


def test_closed_promises_are_ordered_and_filtered_by_since(store: Store) -> None:
    # Spread over several months so the filter must cross archive boundaries.
    days = {"jan": -100, "mar": -40, "apr-late": -1, "may": 0, "may-b": 0, "jul": 70}
    for pid, offset in days.items():
        store.put_promise(closed(promise(pid, hours=24 * offset)))
    assert [p.id for p in store.closed_promises(ANN)] == [
        "jan",
        "mar",
        "apr-late",
        "may",
        "may-b",
        "jul",
    ]
    since = T0  # exactly the due of "may": inclusive
    assert [p.id for p in store.closed_promises(ANN, since)] == ["may", "may-b", "jul"]
    assert [p.id for p in store.closed_promises(ANN, T0 - timedelta(days=2))] == [
        "apr-late",
        "may",
        "may-b",
        "jul",
    ]
    assert store.closed_promises(ANN, T0 + timedelta(days=365)) == []


def test_all_open_promises_spans_users(store: Store) -> None:
    store.put_promise(promise("a1", ANN, hours=2))
    store.put_promise(promise("a2", ANN, hours=1))
    store.put_promise(closed(promise("a3", ANN)))
    store.put_promise(promise("b1", BOB))
    found = sorted(store.all_open_promises(), key=lambda p: p.id)
    assert [p.id for p in found] == ["a1", "a2", "b1"]


def test_users_are_scoped(store: Store) -> None:
    store.put_promise(promise("p1", ANN, source_message_id=10))
    store.put_promise(closed(promise("p2", ANN, source_message_id=11)))
    store.put_routine(routine("r1", ANN))
    assert store.get_promise(BOB, "p1") is None
    assert store.get_promise(BOB, "p2") is None
    assert store.open_promises(BOB) == []
    assert store.closed_promises(BOB) == []
    assert store.find_by_source_message(BOB, 10) is None
    assert store.find_by_source_message(BOB, 11) is None
    assert store.get_routine(BOB, "r1") is None
    assert store.routines(BOB) == []
    store.delete_routine(BOB, "r1")
    assert store.get_routine(ANN, "r1") == routine("r1", ANN)


def test_find_by_source_message_open_and_closed(store: Store) -> None:
    p1 = promise("p1", source_message_id=100)
    p2 = promise("p2", source_message_id=200)
    store.put_promise(p1)
    store.put_promise(p2)
    assert store.find_by_source_message(ANN, 100) == p1
    store.put_promise(closed(p1))
    assert store.find_by_source_message(ANN, 100) == closed(p1)
    assert store.find_by_source_message(ANN, 200) == p2
    assert store.find_by_source_message(ANN, 300) is None


def test_closed_promises_until_is_exclusive(store: Store) -> None:
    for pid, hours in {"a": -1, "b": 0, "c": 1, "d": 25}.items():
        store.put_promise(closed(promise(pid, hours=hours)))
    at = T0 + timedelta(hours=1)
    assert [p.id for p in store.closed_promises(ANN, until=at)] == ["a", "b"]
    assert [p.id for p in store.closed_promises(ANN, T0, at + timedelta(hours=24))] == ["b", "c"]
    assert store.closed_promises(ANN, at, at) == []


def _history_changes(store: Store) -> None:
    """Closes over several days and months, then every way a closed record changes."""
    for n in range(12):
        outcome = (Outcome.KEPT, Outcome.LATE, Outcome.BROKEN, Outcome.CANCELLED)[n % 4]
        record = promise(f"h{n}", hours=-24 * 9 * n + n, renegotiations=n % 2)
        store.put_promise(record)
        store.put_promise(closed(record, outcome))
    store.put_promise(closed(promise("h1", hours=-24 * 9 + 1), Outcome.UNANSWERED))  # replaced
    store.put_promise(closed(promise("h2", hours=5)))  # re-closed with a new due: it moves
    store.put_promise(promise("h3", hours=-24 * 27 + 3))  # re-opened: no longer counted
    store.put_promise(closed(promise("b1", BOB)))
    store.put_promise(promise("open", hours=2))


def test_closed_days_sum_up_the_closed_promises(store: Store, tmp_path: Path) -> None:
    _history_changes(store)
    for view in (store, reopened(store, tmp_path)):
        expected = summarize_days(view.closed_promises(ANN))
        assert len(expected) == 10
        assert view.closed_days(ANN) == expected
        since, until = date(2024, 3, 1), date(2024, 4, 20)
        assert view.closed_days(ANN, since, until) == [
            d for d in expected if since <= d.day < until
        ]
        assert view.closed_days(ANN, until=date(2024, 5, 1))[-1].day < date(2024, 5, 1)
        assert view.closed_days(BOB) == summarize_days([closed(promise("b1", BOB))])
        assert view.closed_days(3) == []


def test_latest_closed_are_the_newest_closes_first(store: Store, tmp_path: Path) -> None:
    _history_changes(store)
    done_early = replace(promise("early", hours=24 * 30), outcome=Outcome.KEPT, closed=T0)
    store.put_promise(done_early)  # due in a month, closed now: recent by its close
    no_time = replace(promise("no-time", hours=-3), outcome=Outcome.KEPT)  # closed unknown
    store.put_promise(no_time)
    for view in (store, reopened(store, tmp_path)):
        everything = sorted(view.closed_promises(ANN), key=closed_order, reverse=True)
        assert len(everything) == 13
        assert view.latest_closed(ANN, 3) == everything[:3]
        assert view.latest_closed(ANN, 50) == everything
        assert view.latest_closed(ANN, 0) == []
        assert view.latest_closed(BOB, 5) == [closed(promise("b1", BOB))]
        assert view.latest_closed(3, 5) == []


# --- routines ----------------------------------------------------------------------


def test_routines_crud(store: Store, tmp_path: Path) -> None:
    store.put_routine(routine("r2", minutes=5))
    store.put_routine(routine("r1", minutes=1))
    store.put_routine(routine("b1", BOB))
    store.put_routine(replace(routine("r2", minutes=5), paused=True))
    again = reopened(store, tmp_path)
    assert again.routines(ANN) == [
        routine("r1", minutes=1),
        replace(routine("r2", minutes=5), paused=True),
    ]
    assert again.get_routine(ANN, "r1") == routine("r1", minutes=1)
    assert sorted(r.id for r in again.all_routines()) == ["b1", "r1", "r2"]
    store.delete_routine(ANN, "r1")
    store.delete_routine(ANN, "never-was")
    again = reopened(store, tmp_path)
    assert again.get_routine(ANN, "r1") is None
    assert [r.id for r in again.routines(ANN)] == ["r2"]


# --- forgetting --------------------------------------------------------------------


def test_forget_user_leaves_nothing(store: Store, tmp_path: Path) -> None:
    store.put_user(FULL_SETTINGS)
    store.put_promise(promise("p1", source_message_id=1))
    for month in range(6):
        store.put_promise(closed(promise(f"old{month}", hours=-24 * 31 * month)))
    store.put_routine(routine("r1"))
    store.put_user(UserSettings(user_id=BOB, chat_id=BOB))
    store.put_promise(promise("b1", BOB))

    store.forget_user(ANN)

    for view in (store, reopened(store, tmp_path)):
        assert view.get_user(ANN) is None
        assert view.get_promise(ANN, "p1") is None
        assert view.open_promises(ANN) == []
        assert view.closed_promises(ANN) == []
        assert view.routines(ANN) == []
        assert view.find_by_source_message(ANN, 1) is None
        assert ANN not in view.user_ids()
        assert [p.id for p in view.all_open_promises()] == ["b1"]
        assert view.get_promise(BOB, "b1") == promise("b1", BOB)
    if isinstance(store, TinyDBStore):
        users = tmp_path / "data" / "users"
        assert sorted(p.name for p in users.iterdir()) == [str(BOB)]
        for path in (tmp_path / "data").rglob("*"):
            if path.is_file():
                assert '"user_id":1,' not in path.read_text()
    store.forget_user(ANN)  # forgetting twice is harmless


# --- arbitrary records survive the store ---------------------------------------------

offsets = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
aware = st.datetimes(
    min_value=datetime(1980, 1, 1), max_value=datetime(2200, 1, 1), timezones=offsets
)
texts = st.text(max_size=40)
small_ints = st.integers(min_value=-(2**53), max_value=2**53)
counts = st.integers(min_value=0, max_value=2**53)  # message ids, snoozes: never negative
ids = st.from_regex(r"[A-Za-z0-9_-]{1,24}", fullmatch=True)
zones = st.sampled_from(["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
weeks = st.dates().map(date.isoformat)

promises = st.builds(
    Promise,
    id=ids,
    user_id=st.integers(min_value=1, max_value=2**40),
    task=texts,
    due=aware,
    created=aware,
    tags=st.lists(texts, max_size=4).map(tuple),
    kind=st.sampled_from(Kind),
    kind_corrected=st.booleans(),
    outcome=st.none() | st.sampled_from(Outcome),
    closed=st.none() | aware,
    asked=st.none() | aware,
    asked_late=st.booleans(),
    checkin_message_id=st.none() | counts,
    nudged=st.booleans(),
    snoozed_until=st.none() | aware,
    snoozes=counts,
    renegotiations=counts,
    repair_of=st.none() | ids,
    routine_id=st.none() | ids,
    source_message_id=st.none() | counts,
)
routines = st.builds(
    Routine,
    id=ids,
    user_id=st.integers(min_value=1, max_value=2**40),
    task=texts,
    rule=st.builds(
        Recurrence,
        days=st.lists(st.integers(0, 6), min_size=1, max_size=7).map(tuple),
        hour=st.integers(0, 23),
        minute=st.integers(0, 59),
    ),
    created=aware,
    tags=st.lists(texts, max_size=3).map(tuple),
    kind=st.sampled_from(Kind),
    paused=st.booleans(),
    last_occurrence=st.none() | aware,
)
user_settings = st.builds(
    UserSettings,
    user_id=st.integers(min_value=1, max_value=2**40),
    chat_id=small_ints,
    tz=zones,
    clock24=st.booleans(),
    report_enabled=st.booleans(),
    report_day=st.integers(0, 6),
    report_hour=st.integers(0, 23),
    report_minute=st.integers(0, 59),
    last_report_week=st.none() | weeks,
    last_message_id=counts,
    blocked=st.booleans(),
    draft=st.none()
    | st.builds(
        Draft,
        task=texts,
        tags=st.lists(texts, max_size=3).map(tuple),
        created=aware,
        source_message_id=st.none() | counts,
    ),
    pending_change=st.none() | ids,
    created=st.none() | aware,
    downtime=st.lists(st.tuples(aware, aware), max_size=3).map(tuple),
)


@given(promises)
def test_codec_round_trips_any_promise(record: Promise) -> None:
    encoded = PROMISE.encode(record)
    assert PROMISE.decode(json.loads(json.dumps(encoded))) == record


@given(routines)
def test_codec_round_trips_any_routine(record: Routine) -> None:
    assert ROUTINE.decode(json.loads(json.dumps(ROUTINE.encode(record)))) == record


@given(user_settings)
def test_codec_round_trips_any_settings(record: UserSettings) -> None:
    assert SETTINGS.decode(json.loads(json.dumps(SETTINGS.encode(record)))) == record


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=promises, settings_record=user_settings, routine_record=routines)
def test_tinydb_round_trips_any_record(
    scratch: Path, record: Promise, settings_record: UserSettings, routine_record: Routine
) -> None:
    store = TinyDBStore(scratch)
    store.put_promise(record)
    store.put_user(settings_record)
    store.put_routine(routine_record)
    fresh = TinyDBStore(scratch)
    assert fresh.get_promise(record.user_id, record.id) == record
    assert fresh.get_user(settings_record.user_id) == settings_record
    assert fresh.get_routine(routine_record.user_id, routine_record.id) == routine_record
    for user_id in {record.user_id, settings_record.user_id, routine_record.user_id}:
        fresh.forget_user(user_id)


# --- the codec's forward and backward compatibility ---------------------------------


def test_unknown_keys_are_ignored_and_missing_keys_take_defaults() -> None:
    stored = promise_to_dict(promise("p1"))
    stored["colour"] = "blue"  # written by some later version
    for key in ("tags", "kind", "snoozes", "source_message_id"):  # older file lacks these
        del stored[key]
    assert promise_from_dict(stored) == promise("p1")
    legacy_user = {"user_id": ANN, "chat_id": 5}
    assert settings_from_dict(legacy_user) == UserSettings(user_id=ANN, chat_id=5)


def test_datetimes_are_stored_as_utc_iso_strings() -> None:
    stored = promise_to_dict(FULL_PROMISE)
    assert stored["due"] == "2024-03-30T23:30:15.123456+00:00"
    assert stored["kind"] == "callback"
    assert stored["tags"] == ["mom", "phone"]
    assert promise_from_dict(stored).due.tzinfo is UTC


@pytest.mark.parametrize(
    "damage",
    [
        {"user_id": None},
        {"due": "yesterday"},
        {"due": "2024-05-01T12:00:00"},  # naive
        {"kind": "telepathy"},
        {"tags": "mom"},
        {"snoozes": True},
    ],
)
def test_damaged_records_are_refused(damage: dict[str, Any]) -> None:
    stored = promise_to_dict(promise("p1")) | damage
    with pytest.raises(CodecError):
        promise_from_dict(stored)


def test_missing_required_field_is_refused() -> None:
    stored = promise_to_dict(promise("p1"))
    del stored["due"]
    with pytest.raises(CodecError, match="due"):
        promise_from_dict(stored)


def test_naive_datetimes_are_not_written() -> None:
    naive = replace(promise("p1"), due=datetime(2024, 5, 1, 12, 0))
    with pytest.raises(CodecError):
        promise_to_dict(naive)


# --- TinyDB specifics: layout, journal, bounds, damage ------------------------------


@pytest.fixture
def tiny(tmp_path: Path) -> TinyDBStore:
    return TinyDBStore(tmp_path / "data")


def test_layout_one_directory_per_user_day_archives_and_a_month_index(
    tiny: TinyDBStore, tmp_path: Path
) -> None:
    tiny.put_user(UserSettings(user_id=ANN, chat_id=ANN))
    tiny.put_promise(promise("p-open"))
    tiny.put_promise(closed(promise("p-may")))
    tiny.put_promise(closed(promise("p-jun", hours=24 * 40)))
    user_dir = tmp_path / "data" / "users" / str(ANN)
    files = sorted(str(p.relative_to(user_dir)) for p in user_dir.rglob("*") if p.is_file())
    assert files == [
        "archive/2024-05-01.json",
        "archive/2024-06-10.json",
        "index/2024-05.json",
        "index/2024-06.json",
        "open.json",
    ]
    document = json.loads((user_dir / "open.json").read_text())
    assert [doc["id"] for doc in document["promises"].values()] == ["p-open"]
    assert len(document["settings"]) == 1
    june = json.loads((user_dir / "archive" / "2024-06-10.json").read_text())
    assert [doc["id"] for doc in june["promises"].values()] == ["p-jun"]
    index = json.loads((user_dir / "index" / "2024-06.json").read_text())
    assert list(index["days"]) == ["2024-06-10"]
    assert index["days"]["2024-06-10"]["tally"] == [1, 0, 0, 0, 0, 0, 0]


def test_since_and_until_read_only_the_days_they_need(tiny: TinyDBStore, tmp_path: Path) -> None:
    tiny.put_promise(closed(promise("old", hours=-24 * 60)))
    tiny.put_promise(closed(promise("new")))
    tiny.put_promise(closed(promise("later", hours=24 * 3)))
    archive = tmp_path / "data" / "users" / str(ANN) / "archive"
    (archive / "2024-03-02.json").write_text("{ damaged")  # would raise if it were read
    (archive / "2024-05-04.json").write_text("{ damaged")
    window = (T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert [p.id for p in tiny.closed_promises(ANN, *window)] == ["new"]
    assert [d.day.isoformat() for d in tiny.closed_days(ANN, date(2024, 5, 1))] == [
        "2024-05-01",
        "2024-05-04",
    ]  # from the index: no day file read
    with pytest.raises(StoreError):
        tiny.closed_promises(ANN)


def test_a_close_interrupted_after_commit_is_finished_by_the_next_write(
    tiny: TinyDBStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p1 = promise("p1", source_message_id=55)
    tiny.put_promise(p1)

    def disk_full(*args: object) -> None:
        raise StoreError("No space left on device")

    monkeypatch.setattr(tiny, "_archive_put", disk_full)
    tiny.put_promise(closed(p1))  # committed in open.json; archiving deferred
    for view in (tiny, TinyDBStore(tmp_path / "data")):
        assert view.open_promises(ANN) == []
        assert view.closed_promises(ANN) == [closed(p1)]
        assert view.get_promise(ANN, "p1") == closed(p1)
        assert view.find_by_source_message(ANN, 55) == closed(p1)
        assert list(view.all_open_promises()) == []
        assert view.closed_days(ANN) == summarize_days([closed(p1)])
    open_json = tmp_path / "data" / "users" / str(ANN) / "open.json"
    assert "p1" in open_json.read_text()

    monkeypatch.undo()
    tiny.put_promise(promise("p2"))
    assert '"p1"' not in json.dumps(json.loads(open_json.read_text())["promises"])
    assert tiny.closed_promises(ANN) == [closed(p1)]
    assert tiny.find_by_source_message(ANN, 55) == closed(p1)


def test_a_reopen_whose_archived_copy_could_not_be_dropped_is_finished_later(
    tiny: TinyDBStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    p1 = promise("p1")
    tiny.put_promise(closed(p1))

    def disk_full(*args: object) -> None:
        raise StoreError("No space left on device")

    monkeypatch.setattr(tiny, "_archive_put", disk_full)
    tiny.put_promise(p1)  # re-opened; its archived copy is still on disk
    assert tiny.closed_promises(ANN) == []
    assert tiny.closed_days(ANN) == []
    monkeypatch.undo()
    tiny.put_promise(promise("p2"))
    assert tiny.closed_days(ANN) == []
    assert tiny.get_promise(ANN, "p1") == p1


def _write_document(path: Path, table: str, docs: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({table: {str(n): doc for n, doc in enumerate(docs, 1)}}))


def test_an_old_layout_month_file_is_moved_into_day_files(tmp_path: Path) -> None:
    """A data dir from before day files: one archive file per month, ``recent`` by month."""
    user_dir = tmp_path / "data" / "users" / str(ANN)
    may = [closed(promise(f"m{n}", hours=24 * n, source_message_id=n)) for n in range(3)]
    april = closed(promise("a1", hours=-24 * 5))
    _write_document(
        user_dir / "archive" / "2024-05.json", "promises", [PROMISE.encode(p) for p in may]
    )
    _write_document(user_dir / "archive" / "2024-04.json", "promises", [PROMISE.encode(april)])
    recent = [
        {"id": p.id, "month": "2024-05", "source_message_id": p.source_message_id} for p in may
    ]
    _write_document(user_dir / "open.json", "recent", recent)
    store = TinyDBStore(tmp_path / "data")
    assert store.find_by_source_message(ANN, 2) == may[2]  # before the move: by month
    assert store.closed_promises(ANN) == [april, *may]
    archive = sorted(p.name for p in (user_dir / "archive").iterdir())
    assert archive == ["2024-04-26.json", "2024-05-01.json", "2024-05-02.json", "2024-05-03.json"]
    assert store.closed_days(ANN) == summarize_days([april, *may])
    assert store.find_by_source_message(ANN, 1) == may[1]
    again = TinyDBStore(tmp_path / "data")
    assert again.get_promise(ANN, "m0") == may[0]
    document = json.loads((user_dir / "open.json").read_text())
    assert sorted(doc["file"] for doc in document["recent"].values()) == [
        "2024-05-01",
        "2024-05-02",
        "2024-05-03",
    ]


def test_a_missing_or_damaged_index_is_rebuilt(tiny: TinyDBStore, tmp_path: Path) -> None:
    records = [closed(promise(f"p{n}", hours=24 * n), Outcome.LATE) for n in range(3)]
    for record in records:
        tiny.put_promise(record)
    index = tmp_path / "data" / "users" / str(ANN) / "index" / "2024-05.json"
    expected = summarize_days(records)
    index.unlink()
    assert tiny.closed_days(ANN) == expected
    assert index.exists()
    index.write_text("{ damaged")
    assert TinyDBStore(tmp_path / "data").closed_days(ANN) == expected
    index.unlink()
    tiny.put_promise(closed(promise("p9", hours=5)))  # a close rebuilds it from the day files
    assert tiny.closed_days(ANN) == summarize_days([*records, closed(promise("p9", hours=5))])


def test_a_close_and_a_week_count_cost_the_day_not_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3,000 closed promises in a month: a close decodes one day's, a week's count none."""
    history = [closed(promise(f"h{n}", hours=-n / 5)) for n in range(3_000)]  # 120 a day
    by_month: dict[str, list[dict[str, Any]]] = {}
    for record in history:
        by_month.setdefault(record.due.strftime("%Y-%m"), []).append(PROMISE.encode(record))
    archive = tmp_path / "data" / "users" / str(ANN) / "archive"
    for month, docs in by_month.items():  # the layout before day files: moved once
        _write_document(archive / f"{month}.json", "promises", docs)
    tiny = TinyDBStore(tmp_path / "data")
    assert len(tiny.closed_days(ANN)) == 26
    decoded = 0
    real = PROMISE.decode

    def counting(data: Any) -> Promise:
        nonlocal decoded
        decoded += 1
        return real(data)

    written: list[int] = []
    real_write = atomic.atomic_write_bytes

    def measured(target: Path, payload: bytes) -> None:
        written.append(len(payload))
        real_write(target, payload)

    monkeypatch.setattr(PROMISE, "decode", counting)
    monkeypatch.setattr(atomic, "atomic_write_bytes", measured)
    tiny.put_promise(promise("new", hours=2))
    decoded, written = 0, []
    tiny.put_promise(closed(promise("new", hours=2)))
    assert 0 < decoded <= 2 * 125  # the day's records, not the month's 3,000
    month = len(json.dumps(by_month["2024-04"]))
    assert 0 < max(written) < month / 10  # one day of it rewritten, not all of it
    decoded = 0
    week = tiny.closed_days(ANN, date(2024, 4, 29), date(2024, 5, 6))
    assert sum(d.tally.kept for d in week) == 60 * 5 + 1 + 1  # Apr 29 to May 1 12:00, "new"
    assert decoded == 0


def test_recent_index_is_bounded_and_old_closes_are_still_found(tmp_path: Path) -> None:
    store = TinyDBStore(tmp_path / "data", recent_limit=3)
    for n in range(6):
        store.put_promise(closed(promise(f"p{n}", hours=24 * 20 * n, source_message_id=n)))
    document = json.loads((tmp_path / "data" / "users" / str(ANN) / "open.json").read_text())
    assert sorted(doc["id"] for doc in document["recent"].values()) == ["p3", "p4", "p5"]
    assert store.find_by_source_message(ANN, 5) == closed(
        promise("p5", hours=24 * 100, source_message_id=5)
    )
    assert store.get_promise(ANN, "p0") == closed(promise("p0", hours=0, source_message_id=0))
    assert len(store.closed_promises(ANN)) == 6
    assert [p.id for p in store.latest_closed(ANN, 2)] == ["p5", "p4"]
    assert [p.id for p in store.latest_closed(ANN, 5)] == ["p5", "p4", "p3", "p2", "p1"]


def test_open_handles_are_bounded(tmp_path: Path) -> None:
    store = TinyDBStore(tmp_path / "data", handle_limit=4)
    for user_id in range(1, 11):
        store.put_promise(promise(f"p{user_id}", user_id))
        assert store.get_promise(user_id, f"p{user_id}") is not None
    assert len(store._handles) == 4
    assert sorted(p.id for p in store.all_open_promises()) == sorted(f"p{u}" for u in range(1, 11))


def test_a_corrupt_user_file_stops_only_that_user(
    tiny: TinyDBStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tiny.put_promise(promise("a1", ANN))
    tiny.put_routine(routine("ra", ANN))
    tiny.put_promise(promise("b1", BOB))
    tiny.put_routine(routine("rb", BOB))
    damaged = tmp_path / "data" / "users" / str(ANN) / "open.json"
    damaged.write_text('{"promises": {"1": {"id": "a1"')
    fresh = TinyDBStore(tmp_path / "data")
    with caplog.at_level(logging.WARNING):
        assert [p.id for p in fresh.all_open_promises()] == ["b1"]
        assert [r.id for r in fresh.all_routines()] == ["rb"]
    assert str(ANN) in caplog.text
    with pytest.raises(StoreError):
        fresh.open_promises(ANN)
    with pytest.raises(StoreError):
        fresh.put_promise(promise("a2", ANN))  # never overwrites what it cannot read
    assert damaged.read_text() == '{"promises": {"1": {"id": "a1"'
    assert fresh.open_promises(BOB) == [promise("b1", BOB)]


def test_a_record_that_does_not_decode_is_a_store_error(tiny: TinyDBStore, tmp_path: Path) -> None:
    tiny.put_promise(promise("a1"))
    path = tmp_path / "data" / "users" / str(ANN) / "open.json"
    document = json.loads(path.read_text())
    document["promises"]["1"]["due"] = "not a time"
    path.write_text(json.dumps(document))
    fresh = TinyDBStore(tmp_path / "data")
    with pytest.raises(StoreError):
        fresh.get_promise(ANN, "a1")
    assert list(fresh.all_open_promises()) == []


def test_user_ids_ignore_stray_entries(tiny: TinyDBStore, tmp_path: Path) -> None:
    tiny.put_user(UserSettings(user_id=BOB, chat_id=BOB))
    users = tmp_path / "data" / "users"
    (users / "README").mkdir()
    (users / ".forget-9-abc").mkdir()
    assert tiny.user_ids() == [BOB]
    TinyDBStore(tmp_path / "data")  # finishes an interrupted forget
    assert not (users / ".forget-9-abc").exists()
