"""`keepword import`: an /export file round-trips, and a hostile one changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.export import export_document, export_files
from core.models import Draft, Kind, Outcome, Promise, Recurrence, Routine, UserSettings
from core.ports import Store
from core.transfer import (
    MAX_IMPORT_BYTES,
    ImportRefused,
    merge_into,
    moved_up,
    owned_by,
)
from storage.importing import read_export
from storage.memory_store import MemoryStore
from storage.tinydb_store import TinyDBStore

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
USER = 4242


def history(
    user_id: int = USER,
) -> tuple[UserSettings, list[Promise], list[Promise], list[Routine]]:
    settings = UserSettings(
        user_id=user_id,
        chat_id=user_id,
        tz="Asia/Tokyo",
        clock24=False,
        report_day=0,
        report_hour=8,
        created=NOW - timedelta(days=40),
        reflections=((NOW - timedelta(days=5), "pretty good, 7/10"),),
        draft=Draft("half-made", (), NOW - timedelta(minutes=1)),
    )
    closed = [
        Promise(
            id=f"c{n:03d}",
            user_id=user_id,
            task=f"call mom back #{'mom' if n % 2 else 'work'} {n}",
            due=NOW - timedelta(days=n, hours=2),
            created=NOW - timedelta(days=n, hours=3),
            tags=("#mom",) if n % 2 else ("#work",),
            kind=Kind.CALLBACK,
            outcome=(Outcome.KEPT, Outcome.LATE, Outcome.BROKEN)[n % 3],
            closed=NOW - timedelta(days=n, hours=1),
            repair_of="c001" if n == 5 else None,
        )
        for n in range(1, 40)
    ]
    open_ = [
        Promise(
            id="o001",
            user_id=user_id,
            task="send the deck <b>&</b>",
            due=NOW + timedelta(hours=3),
            created=NOW - timedelta(minutes=5),
            source_message_id=77,
        )
    ]
    routines = [
        Routine(
            id="r001",
            user_id=user_id,
            task="phone away at dinner",
            rule=Recurrence(days=(0, 1, 2, 3, 4), hour=19, minute=0),
            created=NOW - timedelta(days=30),
            kind=Kind.ATTENTION,
        )
    ]
    return settings, open_, closed, routines


def export_bytes(user_id: int = USER) -> bytes:
    settings, open_, closed, routines = history(user_id)
    data, _ = export_files(settings, open_, closed, routines, NOW)
    return data


def exported(store: Store, user_id: int) -> dict[str, Any]:
    user = store.get_user(user_id)
    assert user is not None
    document = export_document(
        user, store.open_promises(user_id), store.closed_promises(user_id),
        store.routines(user_id), NOW,
    )  # fmt: skip
    return document


@pytest.fixture(params=["memory", "tinydb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "memory":
        return MemoryStore()
    return TinyDBStore(tmp_path / "data")


def test_export_then_import_then_export_gives_the_same_history(store: Store) -> None:
    original = json.loads(export_bytes())
    counts = merge_into(store, read_export(export_bytes()))
    assert (counts.promises, counts.new_promises, counts.routines) == (40, 40, 1)
    again = exported(store, USER)
    by_id = {p["id"]: p for p in original["promises"]}
    assert {p["id"]: p for p in again["promises"]} == by_id
    assert again["routines"] == original["routines"]
    # Preferences travel; the half-made promise of another conversation does not.
    for key in ("tz", "clock24", "report_day", "report_hour", "created", "reflections"):
        assert again["settings"][key] == original["settings"][key], key
    assert again["settings"]["draft"] is None


def test_importing_twice_duplicates_nothing(store: Store) -> None:
    merge_into(store, read_export(export_bytes()))
    first = exported(store, USER)
    counts = merge_into(store, read_export(export_bytes()))
    assert (counts.new_promises, counts.new_routines) == (0, 0)
    assert "40 promises (0 new, 40 already here)" in counts.summary()
    assert exported(store, USER) == first
    assert len(store.closed_promises(USER)) == 39
    assert len(store.open_promises(USER)) == 1


def test_import_as_another_user_keeps_the_original_untouched(store: Store) -> None:
    merge_into(store, read_export(export_bytes()))
    merge_into(store, owned_by(read_export(export_bytes()), 1))
    assert sorted(store.user_ids()) == [1, USER]
    assert len(store.closed_promises(1)) == len(store.closed_promises(USER)) == 39
    user = store.get_user(1)
    assert user is not None
    assert (user.chat_id, user.tz) == (1, "Asia/Tokyo")


def test_an_existing_user_keeps_their_chat_and_conversation(store: Store) -> None:
    mine = UserSettings(user_id=USER, chat_id=999, tz="UTC", last_message_id=50)
    store.put_user(mine)
    merge_into(store, read_export(export_bytes()))
    user = store.get_user(USER)
    assert user is not None
    assert (user.chat_id, user.last_message_id, user.tz) == (999, 50, "Asia/Tokyo")


def test_a_demo_file_moves_up_by_whole_days() -> None:
    document = json.loads(export_bytes())
    document["demo"] = True
    bundle = read_export(json.dumps(document).encode())
    later = NOW + timedelta(weeks=10, days=3)
    moved = moved_up(bundle, later)
    by = timedelta(weeks=10, days=3)
    assert [p.due for p in moved.promises] == [p.due + by for p in bundle.promises]
    assert [p.closed for p in moved.promises] == [
        p.closed + by if p.closed else None for p in bundle.promises
    ]
    assert moved_up(read_export(export_bytes()), later) == read_export(export_bytes())


def _with(change: dict[str, Any]) -> bytes:
    document = json.loads(export_bytes())
    document.update(change)
    return json.dumps(document).encode()


def _promise_with(**fields: Any) -> bytes:
    document = json.loads(export_bytes())
    document["promises"][3].update(fields)
    return json.dumps(document).encode()


DEEP = b'{"format": "keepword-export", "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
HUGE = b'{"format": "keepword-export", "pad": "' + b"x" * (50 * 1024 * 1024) + b'"}'

HOSTILE: list[tuple[str, bytes, str]] = [
    ("not json", b"\x89PNG\r\n\x1a\n", "not JSON"),
    ("a list", b"[]", "not a Keepword export"),
    ("another format", _with({"format": "todoist-backup"}), "not a Keepword export"),
    ("a newer version", _with({"version": 2}), "version 2"),
    ("version as text", _with({"version": "1"}), "version '1'"),
    ("version as bool", _with({"version": True}), "version True"),
    ("promises not a list", _with({"promises": {"a": 1}}), "not a list"),
    ("no settings", _with({"settings": None}), "damaged record"),
    ("due as a number", _promise_with(due=5), "damaged record"),
    ("naive due", _promise_with(due="2026-11-20T10:00:00"), "damaged record"),
    ("unknown outcome", _promise_with(outcome="maybe"), "damaged record"),
    ("tags as text", _promise_with(tags="#mom"), "damaged record"),
    ("a promise as a number", _with({"promises": [5]}), "damaged record"),
    ("another user's record", _promise_with(user_id=7), "another user"),
    ("one id twice", _promise_with(id="c001"), "twice"),
    ("deep nesting", DEEP, "nested"),
    ("50 MB", HUGE, "larger than 20 MB"),
    ("demo without a time", _with({"demo": True, "exported_at": "soon"}), "exported_at"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "reason"), HOSTILE, ids=[row[0] for row in HOSTILE])
def test_a_hostile_file_is_refused_whole_and_writes_nothing(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    data_dir = tmp_path / "data"
    store = TinyDBStore(data_dir)
    before = sorted(p.relative_to(data_dir) for p in data_dir.rglob("*"))
    with pytest.raises(ImportRefused, match=reason):
        merge_into(store, read_export(data))
    assert store.user_ids() == []
    assert sorted(p.relative_to(data_dir) for p in data_dir.rglob("*")) == before


def test_the_size_limit_is_the_telegram_download_limit() -> None:
    assert MAX_IMPORT_BYTES == 20 * 1024 * 1024


# --- the command, as a person runs it ---------------------------------------------------


def keepword(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEEPWORD_", "TELEGRAM_"))}
    env |= {"KEEPWORD_DATA_DIR": str(data_dir), "KEEPWORD_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_keepword_import_restores_a_file_and_refuses_a_bad_one(tmp_path: Path) -> None:
    good = tmp_path / "keepword-export.json"
    good.write_bytes(export_bytes())
    data_dir = tmp_path / "data"
    done = keepword("import", str(good), "--user-id", "1", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "Imported 40 promises (40 new) and 1 routine (1 new) for user 1."
    )
    again = keepword("import", str(good), "--user-id", "1", data_dir=data_dir)
    assert "(0 new, 40 already here)" in again.stdout
    store = TinyDBStore(data_dir)
    assert len(store.closed_promises(1)) == 39

    bad = tmp_path / "evil.json"
    bad.write_bytes(_promise_with(user_id=7))
    refused = keepword("import", str(bad), data_dir=data_dir)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.strip().splitlines() == [
        "keepword import: the file holds records of another user — nothing was imported."
    ]
    missing = keepword("import", str(tmp_path / "nope.json"), data_dir=data_dir)
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert missing.stderr.startswith("keepword import: cannot read")


def test_the_export_shape_is_the_documented_one() -> None:
    document = json.loads(export_bytes())
    assert (document["format"], document["version"]) == ("keepword-export", 1)
    assert set(document) >= {"exported_at", "settings", "promises", "routines"}
