"""A failed write changes nothing: not the file, not the in-memory view, no litter."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB

import storage.atomic as atomic
from core.models import Outcome, Promise
from core.ports import StoreError
from storage.atomic import AtomicJSONStorage, CorruptFileError
from storage.tinydb_store import TinyDBStore

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def no_space(*args: object, **kwargs: object) -> Any:
    raise OSError(errno.ENOSPC, "No space left on device")


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(atomic.TEMP_SUFFIX)]


def open_db(path: Path) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage)


class FullDiskFile:
    """Stands in for the temp file: accepts the open, fails the write like a full disk."""

    def __init__(self, fd: int, mode: str) -> None:
        self._fd = fd

    def __enter__(self) -> FullDiskFile:
        return self

    def __exit__(self, *args: object) -> None:
        os.close(self._fd)

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


FAILURES: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "write": lambda mp: mp.setattr(atomic, "open", FullDiskFile, raising=False),
    "fsync": lambda mp: mp.setattr(os, "fsync", no_space),
    "replace": lambda mp: mp.setattr(os, "replace", no_space),
}


def test_a_write_is_whole_json_with_no_temp_left(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = open_db(path)
    db.insert({"task": "call mom back"})
    db.table("other").insert({"n": 1})
    assert json.loads(path.read_text()) == {
        "_default": {"1": {"task": "call mom back"}},
        "other": {"1": {"n": 1}},
    }
    assert temp_files(tmp_path) == []
    assert open_db(path).all() == [{"task": "call mom back"}]


@pytest.mark.parametrize("step", sorted(FAILURES))
def test_a_failed_write_raises_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tmp_path / "db.json"
    db = open_db(path)
    db.insert({"task": "first"})
    before = path.read_bytes()

    FAILURES[step](monkeypatch)
    with pytest.raises(StoreError, match="No space"):
        db.insert({"task": "second"})
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert temp_files(tmp_path) == []
    # TinyDB had already added "second" to the dict it was given: it must not linger.
    assert db.all() == [{"task": "first"}]
    assert open_db(path).all() == [{"task": "first"}]
    db.insert({"task": "third"})
    assert [doc["task"] for doc in open_db(path).all()] == ["first", "third"]


def test_a_failed_directory_fsync_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_db(tmp_path / "db.json")
    monkeypatch.setattr(atomic, "fsync_directory", no_space)
    with pytest.raises(StoreError):
        db.insert({"task": "maybe durable"})
    assert temp_files(tmp_path) == []


def test_the_very_first_write_failing_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(StoreError):
        open_db(tmp_path / "db.json").insert({"task": "x"})
    assert list(tmp_path.iterdir()) == []


def test_a_leftover_temp_file_is_ignored_and_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    open_db(path).insert({"task": "committed"})
    leftover = tmp_path / ".db.json.k3j2h1.tmp"
    leftover.write_text('{"_default": {"1": {"task": "half-wr')
    db = open_db(path)
    assert db.all() == [{"task": "committed"}]
    assert not leftover.exists()
    assert path.exists()


def test_a_corrupt_file_is_reported_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    path.write_text('{"_default": {"1": ')
    db = open_db(path)
    with pytest.raises(CorruptFileError):
        db.all()
    with pytest.raises(CorruptFileError):
        db.insert({"task": "would replace everything"})
    assert path.read_text() == '{"_default": {"1": '


@pytest.mark.parametrize("content", ["", "[]", '{"_default": []}', "\xff\xfe"])
def test_other_damage_is_corruption_too(tmp_path: Path, content: str) -> None:
    path = tmp_path / "db.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(CorruptFileError):
        open_db(path).all()


def test_a_batch_is_one_write_and_a_failed_batch_is_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.json"
    db = open_db(path)
    storage = db.storage
    assert isinstance(storage, AtomicJSONStorage)
    writes: list[Path] = []
    real_write = atomic.atomic_write_bytes

    def counting(target: Path, payload: bytes) -> None:
        writes.append(target)
        real_write(target, payload)

    monkeypatch.setattr(atomic, "atomic_write_bytes", counting)
    with storage.batch():
        db.insert({"n": 1})
        db.table("other").insert({"n": 2})
        db.insert({"n": 3})
    assert writes == [path]
    assert len(open_db(path).all()) == 2

    def change_of_mind() -> None:
        with storage.batch():
            db.insert({"n": 4})
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        change_of_mind()
    assert writes == [path]
    assert [doc["n"] for doc in db.all()] == [1, 3]


# --- the same promises through the whole store --------------------------------------


def promise(pid: str, **changes: Any) -> Promise:
    base = Promise(id=pid, user_id=7, task="t", due=T0, created=T0, source_message_id=1)
    return replace(base, **changes)


@pytest.mark.parametrize("step", sorted(FAILURES))
def test_store_write_on_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    store = TinyDBStore(tmp_path)
    store.put_promise(promise("p1"))
    FAILURES[step](monkeypatch)
    with pytest.raises(StoreError):
        store.put_promise(promise("p2"))
    with pytest.raises(StoreError):
        store.put_promise(promise("p1", outcome=Outcome.KEPT, closed=T0))
    monkeypatch.undo()
    assert temp_files(tmp_path) == []
    for view in (store, TinyDBStore(tmp_path)):
        assert view.open_promises(7) == [promise("p1")]
        assert view.closed_promises(7) == []


def test_disk_full_after_the_commit_point_defers_archiving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TinyDBStore(tmp_path)
    store.put_promise(promise("p1"))
    real_write = atomic.atomic_write_bytes

    def archive_disk_full(target: Path, payload: bytes) -> None:
        if target.parent.name == "archive":
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(target, payload)

    monkeypatch.setattr(atomic, "atomic_write_bytes", archive_disk_full)
    done = promise("p1", outcome=Outcome.KEPT, closed=T0 + timedelta(minutes=1))
    store.put_promise(done)  # acknowledged: the close is durable in open.json
    assert temp_files(tmp_path) == []
    assert list((tmp_path / "users" / "7").rglob("*.json")) == [tmp_path / "users/7/open.json"]
    assert TinyDBStore(tmp_path).closed_promises(7) == [done]
    monkeypatch.undo()
    store.put_promise(promise("p2"))
    assert (tmp_path / "users/7/archive/2024-05-01.json").exists()
    assert TinyDBStore(tmp_path).closed_promises(7) == [done]
