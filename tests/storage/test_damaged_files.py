"""A damaged user file costs that user only: every decoded value is checked, the damage
is reported by user id (never by content), and the file is never written over."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.models import Outcome, Promise, Recurrence, Routine, UserSettings
from core.ports import StoreError
from storage.codec import PROMISE, ROUTINE, SETTINGS, Codec, CodecError
from storage.tinydb_store import TinyDBStore

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ANN, BOB = 1, 2  # Ann is scanned first


def promise(pid: str, user_id: int) -> Promise:
    return Promise(
        id=pid, user_id=user_id, task=f"secret task {pid}", due=T0 + timedelta(hours=1), created=T0
    )


def routine(rid: str, user_id: int) -> Routine:
    return Routine(
        id=rid, user_id=user_id, task="routine", rule=Recurrence((0, 3), 8, 30), created=T0
    )


def first(document: dict[str, Any], table: str) -> dict[str, Any]:
    record: dict[str, Any] = next(iter(document[table].values()))
    return record


Damage = Callable[[dict[str, Any]], object]

# Each of these made the start-up restore raise, so users after Ann got no check-ins.
DAMAGES: dict[str, Damage] = {
    "a number where a promise should be": lambda d: d["promises"].update({"1": 5}),
    "report_hour 25": lambda d: first(d, "settings").update(report_hour=25),
    "report_day 9": lambda d: first(d, "settings").update(report_day=9),
    "routine days []": lambda d: first(d, "routines")["rule"].update(days=[]),
    "routine days [9]": lambda d: first(d, "routines")["rule"].update(days=[9]),
    "a due in year 1 at +05:00": lambda d: first(d, "promises").update(
        due="0001-01-01T00:00:00+05:00"
    ),
    "a document id that is not a number": lambda d: d["routines"].update(
        {"x": d["routines"].pop("1")}
    ),
    "an index entry pointing out of the archive": lambda d: d.update(
        recent={"1": {"id": "a0", "month": "../../2", "source_message_id": None}}
    ),
    "two settings records": lambda d: d["settings"].update({"2": first(d, "settings")}),
}


def seeded(tmp_path: Path) -> Path:
    store = TinyDBStore(tmp_path / "data")
    for user_id, name in ((ANN, "a"), (BOB, "b")):
        store.put_user(UserSettings(user_id=user_id, chat_id=user_id))
        store.put_promise(promise(f"{name}1", user_id))
        store.put_routine(routine(f"r{name}", user_id))
    return tmp_path / "data" / "users" / str(ANN) / "open.json"


def damage_file(path: Path, how: str) -> bytes:
    if how == "nesting 200,000 deep":
        path.write_text('{"promises": ' + "[" * 200_000 + "]" * 200_000 + "}")
    else:
        document = json.loads(path.read_text())
        DAMAGES[how](document)
        path.write_text(json.dumps(document))
    return path.read_bytes()


@pytest.mark.parametrize("how", [*DAMAGES, "nesting 200,000 deep"])
def test_a_damaged_file_is_skipped_reported_by_id_and_never_written(
    tmp_path: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = seeded(tmp_path)
    before = damage_file(path, how)
    fresh = TinyDBStore(tmp_path / "data")
    with caplog.at_level(logging.WARNING):
        snaps = list(fresh.snapshot())
    assert [s.user_id for s in snaps] == [BOB]
    assert [p.id for p in snaps[0].open_promises] == ["b1"]
    assert [r.id for r in snaps[0].routines] == ["rb"]
    assert f"skipping user {ANN} at start-up" in caplog.text
    assert "secret" not in caplog.text

    for read in (fresh.get_user, fresh.open_promises, fresh.routines):
        with pytest.raises(StoreError):
            read(ANN)
    with pytest.raises(StoreError):
        fresh.put_promise(promise("a2", ANN))
    with pytest.raises(StoreError):
        fresh.put_user(UserSettings(user_id=ANN, chat_id=ANN))
    assert path.read_bytes() == before  # left for an operator to look at
    assert fresh.open_promises(BOB) == [promise("b1", BOB)]


SETTINGS_DAMAGE = [
    {"report_hour": 25},
    {"report_hour": -1},
    {"report_minute": 60},
    {"report_day": 9},
    {"report_day": 7},
    {"tz": "../../etc/passwd"},
    {"tz": "a" * 65},
    {"last_report_week": "last week"},
    {"last_message_id": -1},
    {"chat_id": 2**64},
    {"pending_change": "a:b"},
    {"made_on": "today"},
    {"made_today": -1},
    {
        "draft": {
            "task": "x",
            "tags": [],
            "created": "2024-05-01T12:00:00+00:00",
            "source_message_id": -3,
        }
    },
]
PROMISE_DAMAGE = [
    {"id": "a:b"},
    {"id": "x" * 25},
    {"id": ""},
    {"snoozes": -1},
    {"renegotiations": -5},
    {"checkin_message_id": 2**70},
    {"repair_of": "../x"},
    {"due": "0001-01-01T00:00:00+05:00"},
    {"due": "9999-12-31T23:59:59+00:00"},
    {"created": "1969-12-31T23:59:59+00:00"},
    {"kind": ["a list"]},
]
ROUTINE_DAMAGE = [
    {"rule": {"days": [], "hour": 8, "minute": 0}},
    {"rule": {"days": [9], "hour": 8, "minute": 0}},
    {"rule": {"days": [0], "hour": 24, "minute": 0}},
    {"rule": {"days": [0], "hour": 8, "minute": -1}},
    {"id": "r 1"},
]


@pytest.mark.parametrize(
    ("codec", "record", "damage"),
    [(SETTINGS, UserSettings(user_id=ANN, chat_id=ANN), d) for d in SETTINGS_DAMAGE]
    + [(PROMISE, promise("p1", ANN), d) for d in PROMISE_DAMAGE]
    + [(ROUTINE, routine("r1", ANN), d) for d in ROUTINE_DAMAGE],
)
def test_a_value_out_of_range_is_refused(
    codec: Codec[Any], record: Any, damage: dict[str, Any]
) -> None:
    stored = json.loads(json.dumps(codec.encode(record))) | damage
    with pytest.raises(CodecError):
        codec.decode(stored)


def test_the_error_names_the_field_never_the_value() -> None:
    stored = PROMISE.encode(promise("p1", ANN)) | {"kind": "secret words", "due": "secret"}
    with pytest.raises(CodecError) as refused:
        PROMISE.decode(stored)
    assert "Promise.due" in str(refused.value)
    assert "secret" not in str(refused.value)


def test_a_record_out_of_range_is_never_written(tmp_path: Path) -> None:
    store = TinyDBStore(tmp_path / "data")
    store.put_user(UserSettings(user_id=ANN, chat_id=ANN))
    with pytest.raises(CodecError, match="report_hour"):
        store.put_user(UserSettings(user_id=ANN, chat_id=ANN, report_hour=25))
    with pytest.raises(CodecError, match="days"):
        store.put_routine(replace(routine("r1", ANN), rule=Recurrence((), 8, 0)))
    assert TinyDBStore(tmp_path / "data").get_user(ANN) == UserSettings(user_id=ANN, chat_id=ANN)


def test_every_field_has_a_rule_or_is_declared_free() -> None:
    @dataclasses.dataclass(frozen=True)
    class Newer:
        count: int

    with pytest.raises(TypeError, match="count"):
        Codec(Newer)


# --- the folder says whose a record is ------------------------------------------------


def claim_bob(document: dict[str, Any], table: str) -> None:
    first(document, table)["user_id"] = BOB


@pytest.mark.parametrize("table", ["settings", "promises", "routines"])
def test_a_record_claiming_another_user_is_refused(
    tmp_path: Path, table: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = seeded(tmp_path)
    document = json.loads(path.read_text())
    claim_bob(document, table)
    path.write_text(json.dumps(document))
    before = path.read_bytes()
    fresh = TinyDBStore(tmp_path / "data")
    with caplog.at_level(logging.WARNING):
        snaps = list(fresh.snapshot())
    assert [s.user_id for s in snaps] == [BOB]
    assert [p.id for p in snaps[0].open_promises] == ["b1"]  # nothing of Ann's as Bob's
    assert "claims another user id" in caplog.text
    for read in (fresh.get_user, fresh.open_promises, fresh.routines):
        with pytest.raises(StoreError):
            read(ANN)
    with pytest.raises(StoreError):
        fresh.put_user(UserSettings(user_id=ANN, chat_id=ANN))
    assert path.read_bytes() == before
    assert fresh.get_user(BOB) == UserSettings(user_id=BOB, chat_id=BOB)


def test_an_archived_record_claiming_another_user_is_refused(tmp_path: Path) -> None:
    store = TinyDBStore(tmp_path / "data")
    done = replace(promise("a1", ANN), outcome=Outcome.KEPT, closed=T0)
    store.put_promise(done)
    month = tmp_path / "data" / "users" / str(ANN) / "archive" / "2024-05-01.json"
    document = json.loads(month.read_text())
    claim_bob(document, "promises")
    month.write_text(json.dumps(document))
    fresh = TinyDBStore(tmp_path / "data")
    with pytest.raises(StoreError):
        fresh.closed_promises(ANN)
    with pytest.raises(StoreError):
        fresh.get_promise(ANN, "a1")
    assert fresh.closed_promises(BOB) == []


def test_only_a_folder_named_by_an_id_is_a_user(tmp_path: Path) -> None:
    store = TinyDBStore(tmp_path / "data")
    store.put_user(UserSettings(user_id=BOB, chat_id=BOB))
    users = tmp_path / "data" / "users"
    for name in ("0001", "+1", " 1", "١"):  # int() reads each of these as 1
        (users / name).mkdir()
    assert store.user_ids() == [BOB]
