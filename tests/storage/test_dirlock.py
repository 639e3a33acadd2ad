"""One process per data directory: the lock the bot's commands take on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.dirlock import DataDirBusy, DataDirLock
from storage.tinydb_store import TinyDBStore


def test_a_second_exclusive_store_is_refused_naming_the_holder(tmp_path: Path) -> None:
    first = TinyDBStore(tmp_path / "data", exclusive=True)
    with pytest.raises(DataDirBusy, match=f"pid {os.getpid()}"):
        TinyDBStore(tmp_path / "data", exclusive=True)
    first.close()
    TinyDBStore(tmp_path / "data", exclusive=True).close()  # given back on close


def test_the_refused_store_touches_nothing(tmp_path: Path) -> None:
    holder = DataDirLock(tmp_path)
    users = tmp_path / "users"
    users.mkdir()
    remnant = users / ".forget-9-abc"  # a refused store must not finish this deletion
    remnant.mkdir()
    with pytest.raises(DataDirBusy):
        TinyDBStore(tmp_path, exclusive=True)
    assert remnant.exists()
    holder.release()


def test_a_lock_file_on_a_read_only_disk_still_locks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    DataDirLock(tmp_path).release()  # leaves the file behind, as a stopped bot does
    real_open = os.open

    def read_only(path: str, flags: int, *args: int) -> int:
        if flags & (os.O_RDWR | os.O_WRONLY):
            raise OSError(30, "Read-only file system")
        return real_open(path, flags, *args)

    monkeypatch.setattr("storage.dirlock.os.open", read_only)
    held = DataDirLock(tmp_path)
    with pytest.raises(DataDirBusy):
        DataDirLock(tmp_path)
    held.release()
