"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's own ``JSONStorage`` rewrites its file in place (seek 0, write, truncate): a
crash or a full disk in the middle leaves a file that no longer parses, and everything
in it is lost. Here every write goes to a temp file in the same directory, is flushed
and fsynced, and then ``os.replace``-d onto the target, after which the directory is
fsynced so the rename itself survives a power cut. A reader therefore sees either the
old document or the new one, never a mixture.

No file descriptor stays open between operations, so thousands of these can exist
without running out of handles. The parsed document is kept in memory after a
successful read or write; TinyDB mutates the dict ``read()`` returned before calling
``write()``, so whenever a write fails the cached copy is dropped and the next read
comes from disk again: the in-memory view never runs ahead of what is durable.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from core.ports import StoreError

__all__ = [
    "TEMP_SUFFIX",
    "AtomicJSONStorage",
    "CorruptFileError",
    "atomic_write_bytes",
    "fsync_directory",
    "read_document",
    "remove_temp_files",
]

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"

Document = dict[str, dict[str, Any]]


class CorruptFileError(StoreError):
    """A data file exists but does not hold a TinyDB document. It is left untouched."""


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new entry in ``directory`` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


def atomic_write_bytes(target: Path, payload: bytes) -> None:
    """Replace ``target`` with ``payload`` all at once, durably.

    Raises ``OSError`` on failure; the previous file is then untouched and the temp
    file is gone (unless the rename already happened and only the directory fsync
    failed, in which case the new content is in place but not known to be durable).
    """
    fd, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=_temp_prefix(target), suffix=TEMP_SUFFIX
    )
    try:
        with open(fd, "wb") as temp:
            temp.write(payload)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    fsync_directory(target.parent)


def remove_temp_files(directory: Path) -> int:
    """Delete temp files a crash left in ``directory``; they never hold committed data.

    Only this process writes the data directory, so any temp file present before it
    writes is the remnant of an interrupted write whose rename never happened.
    """
    removed = 0
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return 0
    except OSError as error:
        raise StoreError(f"cannot list {directory}: {error}") from error
    for name in names:
        if name.startswith(".") and name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(directory / name)
                removed += 1
    if removed:
        log.warning("removed %d leftover temp file(s) in %s", removed, directory)
    return removed


def parse_document(raw: bytes, path: Path) -> Document:
    """Parse a TinyDB document; anything else is reported as corrupt, never guessed at."""
    if not raw:
        # Our writes never produce an empty file, so one means outside damage.
        raise CorruptFileError(f"{path} is empty")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise CorruptFileError(f"{path} does not parse: {error}") from error
    except RecursionError as error:  # e.g. 200,000 nested brackets
        raise CorruptFileError(f"{path} does not parse: nested too deeply") from error
    if not _is_document(data):
        raise CorruptFileError(f"{path} is not a TinyDB document")
    document: Document = data
    return document


def _is_document(data: Any) -> bool:
    """``{"table": {"<doc id>": {...}}}``: what TinyDB can read without raising."""
    return isinstance(data, dict) and all(
        isinstance(table, dict)
        and all(
            isinstance(doc, dict) and key.isascii() and key.isdigit() for key, doc in table.items()
        )
        for table in data.values()
    )


def read_document(path: Path) -> Document | None:
    """The document at ``path``, or None if there is no file yet."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error}") from error
    return parse_document(raw, path)


class AtomicJSONStorage(Storage):
    """TinyDB storage with atomic, durable whole-file writes and an optional batch mode.

    ``batch()`` lets several TinyDB operations that belong together (remove a promise
    from one table, note it in another) reach the disk as one atomic write.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self._path = Path(path)
        self._cache: Document | None = None
        self._in_batch = False
        self._pending: Document | None = None
        remove_temp_files(self._path.parent)

    @property
    def path(self) -> Path:
        return self._path

    def read(self) -> Document | None:
        if self._pending is not None:
            return self._pending
        if self._cache is None:
            self._cache = read_document(self._path)
        return self._cache

    def write(self, data: Document) -> None:
        if self._in_batch:
            self._pending = data
            return
        self._commit(data)

    def _commit(self, data: Document) -> None:
        self._cache = None
        try:
            payload = json.dumps(data, separators=(",", ":")).encode()
            atomic_write_bytes(self._path, payload)
        except OSError as error:
            log.error("write of %s failed: %s", self._path, error)
            raise StoreError(f"cannot write {self._path}: {error}") from error
        self._cache = data

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Collect the writes made inside the block into one atomic write at its end.

        If the block raises, nothing is written and the cached view is dropped.
        """
        if self._in_batch:
            raise RuntimeError("batches do not nest")
        self._in_batch = True
        try:
            yield
        except BaseException:
            self.forget_cache()
            raise
        finally:
            self._in_batch = False
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._commit(pending)

    def forget_cache(self) -> None:
        """Drop the in-memory copy; the next read comes from disk."""
        self._cache = None
        self._pending = None

    def close(self) -> None:
        self.forget_cache()
