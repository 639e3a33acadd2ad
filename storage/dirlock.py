"""One Keepword process per data directory: an exclusive ``flock`` on a lock file.

Two processes on one directory each keep their own cached view of the users' files, so
each overwrites the other's acknowledged writes, and both send every check-in. The lock
is taken before the store touches anything (it also tidies temp files a crash left,
which would be another process's writes in flight). The kernel drops it when the
process ends, however it ends, so a ``kill -9`` never leaves a stale lock behind; the
pid written into the file only serves the message the next process prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from core.ports import StoreError

__all__ = ["LOCK_FILE", "DataDirBusy", "DataDirLock"]

LOCK_FILE = "keepword.lock"


class DataDirBusy(StoreError):
    """Another process holds the data directory."""

    def __init__(self, directory: Path, pid: int | None) -> None:
        holder = "another Keepword process" + (f" (pid {pid})" if pid else "")
        super().__init__(f"it is in use by {holder}; stop that one first")
        self.directory = directory
        self.pid = pid


def _open(path: Path) -> tuple[int, bool]:
    """The lock file's descriptor and whether it is writable (a read-only disk still
    locks an existing file)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644), True
    except OSError as first:
        try:
            return os.open(path, os.O_RDONLY | os.O_CLOEXEC), False
        except OSError:
            raise StoreError(f"cannot lock {path.parent}: {first}") from first


def _holder(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).split()[0])
    return None


class DataDirLock:
    """Held from construction until ``release()`` or the end of the process."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_FILE
        fd, writable = _open(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd)
            os.close(fd)
            raise DataDirBusy(directory, pid) from None
        except OSError as error:
            os.close(fd)
            raise StoreError(f"cannot lock {directory}: {error}") from error
        if writable:
            with contextlib.suppress(OSError):  # the pid is only for the message
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None
