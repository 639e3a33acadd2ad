"""The embedded default store: small TinyDB files per user, written atomically.

Layout (see docs/STORAGE.md)::

    data_dir/users/<user_id>/open.json            settings, open promises, routines,
                                                  index of recently closed promises
    data_dir/users/<user_id>/archive/<YYYY-MM>.json   closed promises by month of due

A write therefore rewrites only a file of one user, never a file shared by everyone, and
closing a promise rewrites one month of that user's history rather than all of it.

Closing a promise touches two files, so it goes through ``open.json`` as a journal: the
closed record is first written into ``open.json`` (the commit point: from then on every
read sees it closed), then copied into its month file, then dropped from ``open.json``.
A crash between the steps leaves a closed record in ``open.json`` that every read
already treats correctly and that the next write of a promise for that user finishes
moving ("settling"). If the disk is full after the commit point, the move simply waits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tinydb import TinyDB, where
from tinydb.table import Document, Table

from core.models import Promise, Routine, UserSettings
from core.ports import Store, StoreError, UserSnapshot
from storage.atomic import (
    AtomicJSONStorage,
    CorruptFileError,
    fsync_directory,
    read_document,
    remove_temp_files,
)
from storage.codec import PROMISE, ROUTINE, SETTINGS, Codec, CodecError
from storage.dirlock import DataDirLock
from storage.memory_store import promise_order, routine_order

__all__ = ["HANDLE_LIMIT", "RECENT_LIMIT", "TinyDBStore", "month_of"]

log = logging.getLogger(__name__)

T = TypeVar("T")

SETTINGS_TABLE = "settings"
PROMISES_TABLE = "promises"
ROUTINES_TABLE = "routines"
RECENT_TABLE = "recent"  # {id, month, source_message_id} of the last closed promises

OPEN_FILE = "open.json"
ARCHIVE_DIR = "archive"
FORGET_PREFIX = ".forget-"

HANDLE_LIMIT = 256
RECENT_LIMIT = 200


def month_of(moment: datetime) -> str:
    """The archive month (UTC) a promise due at ``moment`` is filed under."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def _is_month_file(name: str) -> bool:
    stem, dot, ext = name.partition(".")
    return (
        dot == "."
        and ext == "json"
        and len(stem) == 7
        and stem[4] == "-"
        and stem[:4].isdigit()
        and stem[5:].isdigit()
    )


class _Owned(Protocol):
    @property
    def user_id(self) -> int: ...


R = TypeVar("R", bound=_Owned)


def _decode(codec: Codec[R], doc: Mapping[str, Any], path: Path, owner: int) -> R:
    """A record of the user whose folder ``path`` is in, or ``CorruptFileError``.

    The folder says whose a record is, not the record: one in ``users/1/`` that claims
    to be user 2's (an edited or copied file) is refused, or it would be planned, shown
    and written back as user 2's.
    """
    try:
        record = codec.decode(doc)
    except CodecError as error:
        log.warning("unreadable record in %s: %s", path, error)
        raise CorruptFileError(f"unreadable record in {path}: {error}") from error
    if record.user_id != owner:
        log.warning("record in %s claims another user id (%s)", path, record.user_id)
        raise CorruptFileError(f"a record in {path} claims another user id")
    return record


def _table_docs(document: Mapping[str, Mapping[str, Any]] | None, table: str) -> list[Any]:
    if document is None:
        return []
    return list(document.get(table, {}).values())


@dataclass(frozen=True, slots=True)
class _OpenFile:
    """Everything ``open.json`` holds, decoded and checked."""

    settings: UserSettings | None
    promises: list[Promise]  # open ones, and closed ones not yet moved to their month
    routines: list[Routine]


def _recent_is_valid(doc: Mapping[str, Any]) -> bool:
    """An index entry names the month file a close went to: it must be a real month."""
    month, source = doc.get("month"), doc.get("source_message_id")
    return (
        isinstance(doc.get("id"), str)
        and isinstance(month, str)
        and _is_month_file(f"{month}.json")
        and (source is None or type(source) is int)
    )


def _read_open_file(
    document: Mapping[str, Mapping[str, Any]] | None, path: Path, owner: int
) -> _OpenFile:
    """Decode the whole of one user's ``open.json``; any damage is a ``CorruptFileError``.

    Done once per file read from disk (start-up, or a handle opened), so a damaged value
    is found before anything plans with it or writes the file back.
    """
    settings = _table_docs(document, SETTINGS_TABLE)
    if len(settings) > 1:
        log.warning("unreadable settings in %s: %d records", path, len(settings))
        raise CorruptFileError(f"{path} holds {len(settings)} settings records")
    if not all(_recent_is_valid(doc) for doc in _table_docs(document, RECENT_TABLE)):
        log.warning("unreadable index of closed promises in %s", path)
        raise CorruptFileError(f"unreadable index of closed promises in {path}")
    return _OpenFile(
        _decode(SETTINGS, settings[0], path, owner) if settings else None,
        [_decode(PROMISE, doc, path, owner) for doc in _table_docs(document, PROMISES_TABLE)],
        [_decode(ROUTINE, doc, path, owner) for doc in _table_docs(document, ROUTINES_TABLE)],
    )


class _Handle:
    """One user's ``open.json`` as a TinyDB database; holds no file descriptor."""

    __slots__ = ("db", "path", "storage")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = TinyDB(path, storage=AtomicJSONStorage)
        storage = self.db.storage
        assert isinstance(storage, AtomicJSONStorage)
        self.storage = storage

    def table(self, name: str) -> Table:
        # No query cache: the storage already keeps the parsed file, and a cache of
        # results could outlive a failed write.
        return self.db.table(name, cache_size=0)

    def close(self) -> None:
        self.db.close()


class TinyDBStore(Store):
    """``core.ports.Store`` on per-user TinyDB files. One process owns ``data_dir``.

    ``exclusive=True`` (what the bot's commands use) makes that so: the store takes the
    directory's lock before it touches anything, and raises ``DataDirBusy`` if another
    process holds it. Tests open several views of one directory in one process, hence
    the flag (two ``flock``s in one process exclude each other as well).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        handle_limit: int = HANDLE_LIMIT,
        recent_limit: int = RECENT_LIMIT,
        exclusive: bool = False,
    ) -> None:
        self._root = Path(data_dir)
        self._users_dir = self._root / "users"
        self._lock: DataDirLock | None = None
        if exclusive:
            self._root.mkdir(parents=True, exist_ok=True)
            self._lock = DataDirLock(self._root)
        self._users_dir.mkdir(parents=True, exist_ok=True)
        self._handle_limit = handle_limit
        self._recent_limit = recent_limit
        self._handles: OrderedDict[int, _Handle] = OrderedDict()
        self._finish_forgetting()

    def close(self) -> None:
        """Drop every cached handle and give the directory's lock back."""
        while self._handles:
            _, handle = self._handles.popitem()
            handle.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # --- paths -------------------------------------------------------------------
    def _user_dir(self, user_id: int) -> Path:
        return self._users_dir / str(user_id)

    def _open_path(self, user_id: int) -> Path:
        return self._user_dir(user_id) / OPEN_FILE

    def _archive_dir(self, user_id: int) -> Path:
        return self._user_dir(user_id) / ARCHIVE_DIR

    def _month_path(self, user_id: int, month: str) -> Path:
        return self._archive_dir(user_id) / f"{month}.json"

    def _archive_months(self, user_id: int) -> list[str]:
        try:
            names = os.listdir(self._archive_dir(user_id))
        except FileNotFoundError:
            return []
        except OSError as error:
            raise StoreError(f"cannot list archive of user {user_id}: {error}") from error
        return sorted(name[:7] for name in names if _is_month_file(name))

    @staticmethod
    def _ensure_dir(directory: Path) -> None:
        """Create ``directory`` so that its entry, too, survives a power cut."""
        if directory.is_dir():
            return
        try:
            directory.mkdir(parents=False, exist_ok=True)
            fsync_directory(directory.parent)
        except OSError as error:
            raise StoreError(f"cannot create {directory}: {error}") from error

    # --- handles -----------------------------------------------------------------
    def _handle(self, user_id: int) -> _Handle:
        handle = self._handles.get(user_id)
        if handle is not None:
            self._handles.move_to_end(user_id)
            return handle
        remove_temp_files(self._archive_dir(user_id))
        handle = _Handle(self._open_path(user_id))  # also cleans temp files beside it
        try:
            # Checked whole before the first use: a damaged file is refused, never
            # half-read, and never written back (every write goes through a handle).
            _read_open_file(handle.storage.read(), handle.path, user_id)
        except BaseException:
            handle.close()
            raise
        self._handles[user_id] = handle
        while len(self._handles) > self._handle_limit:
            _, oldest = self._handles.popitem(last=False)
            oldest.close()
        return handle

    def _evict(self, user_id: int) -> None:
        handle = self._handles.pop(user_id, None)
        if handle is not None:
            handle.close()

    @contextlib.contextmanager
    def _writing(self, user_id: int) -> Iterator[_Handle]:
        """One atomic write of the user's ``open.json`` for everything in the block.

        On any failure the handle is dropped, so nothing half-applied stays in memory.
        """
        self._ensure_dir(self._user_dir(user_id))
        handle = self._handle(user_id)
        try:
            with handle.storage.batch():
                yield handle
        except BaseException:
            self._evict(user_id)
            raise

    def _docs(self, user_id: int, table: str) -> list[Document]:
        handle = self._handle(user_id)
        try:
            return handle.table(table).all()
        except StoreError:
            self._evict(user_id)
            raise

    # --- users -------------------------------------------------------------------
    def get_user(self, user_id: int) -> UserSettings | None:
        docs = self._docs(user_id, SETTINGS_TABLE)
        return _decode(SETTINGS, docs[0], self._open_path(user_id), user_id) if docs else None

    def put_user(self, user: UserSettings) -> None:
        doc = SETTINGS.encode(user)
        with self._writing(user.user_id) as handle:
            table = handle.table(SETTINGS_TABLE)
            table.truncate()
            table.insert(doc)

    def user_ids(self) -> list[int]:
        ids: list[int] = []
        for name in os.listdir(self._users_dir):
            if name.startswith("."):
                continue
            with contextlib.suppress(ValueError):
                user_id = int(name)
                # Only the folder a user's id names ("0042" or "٤٢" would read users/42).
                if str(user_id) == name:
                    ids.append(user_id)
        return sorted(ids)

    # --- promises ----------------------------------------------------------------
    def put_promise(self, promise: Promise) -> None:
        doc = PROMISE.encode(promise)
        user_id = promise.user_id
        reopened: Document | None = None
        with self._writing(user_id) as handle:
            handle.table(PROMISES_TABLE).upsert(doc, where("id") == promise.id)
            if promise.is_open:
                recent = handle.table(RECENT_TABLE)
                reopened = recent.get(where("id") == promise.id)
                if reopened is not None:
                    recent.remove(doc_ids=[reopened.doc_id])
        # Committed. What follows only tidies up and may be retried by a later write.
        if reopened is not None:
            self._drop_from_archive(user_id, str(reopened["month"]), promise.id)
        self._settle(user_id)

    def delete_open_promise(self, user_id: int, promise_id: str) -> None:
        with self._writing(user_id) as handle:
            handle.table(PROMISES_TABLE).remove(
                (where("id") == promise_id) & (where("outcome") == None)  # noqa: E711
            )

    def _settle(self, user_id: int) -> None:
        """Move closed records out of ``open.json`` into their month files.

        Safe to stop at any point: a record is dropped from ``open.json`` only after
        its month file holds it durably, and writing it there twice is harmless.
        """
        handle = self._handle(user_id)
        path = handle.path
        try:
            closed = [
                _decode(PROMISE, doc, path, user_id)
                for doc in handle.table(PROMISES_TABLE).all()
                if doc.get("outcome") is not None
            ]
            if not closed:
                return
            by_month: dict[str, list[Promise]] = {}
            for promise in closed:
                by_month.setdefault(month_of(promise.due), []).append(promise)
            for month, promises in sorted(by_month.items()):
                self._archive_put(user_id, month, promises)
            moved = {promise.id: month_of(promise.due) for promise in closed}
            with self._writing(user_id) as handle:
                handle.table(PROMISES_TABLE).remove(where("id").one_of(list(moved)))
                stale = self._note_recent(handle, closed)
        except StoreError as error:
            log.warning("archiving closed promises of user %s deferred: %s", user_id, error)
            return
        for month, promise_id in stale:
            if month != moved.get(promise_id):
                self._drop_from_archive(user_id, month, promise_id)

    def _note_recent(self, handle: _Handle, closed: Iterable[Promise]) -> list[tuple[str, str]]:
        """Record where closed promises went; returns (month, id) of superseded entries."""
        recent = handle.table(RECENT_TABLE)
        closed = list(closed)
        ids = {promise.id for promise in closed}
        superseded = [doc for doc in recent.all() if doc.get("id") in ids]
        if superseded:
            recent.remove(doc_ids=[doc.doc_id for doc in superseded])
        recent.insert_multiple(
            {
                "id": promise.id,
                "month": month_of(promise.due),
                "source_message_id": promise.source_message_id,
            }
            for promise in sorted(closed, key=promise_order)
        )
        doc_ids = sorted(doc.doc_id for doc in recent.all())
        if len(doc_ids) > self._recent_limit:
            recent.remove(doc_ids=doc_ids[: len(doc_ids) - self._recent_limit])
        return [(str(doc.get("month")), str(doc.get("id"))) for doc in superseded]

    def _archive_db(self, user_id: int, month: str) -> tuple[TinyDB, AtomicJSONStorage]:
        """A month file, opened for one operation: history is not kept in memory."""
        db = TinyDB(self._month_path(user_id, month), storage=AtomicJSONStorage)
        storage = db.storage
        assert isinstance(storage, AtomicJSONStorage)
        return db, storage

    def _archive_put(self, user_id: int, month: str, promises: list[Promise]) -> None:
        self._ensure_dir(self._archive_dir(user_id))
        db, storage = self._archive_db(user_id, month)
        with storage.batch():
            table = db.table(PROMISES_TABLE, cache_size=0)
            for promise in promises:
                table.upsert(PROMISE.encode(promise), where("id") == promise.id)

    def _drop_from_archive(self, user_id: int, month: str, promise_id: str) -> None:
        """Best effort: reads already prefer the newer copy if this fails."""
        if not self._month_path(user_id, month).exists():
            return
        try:
            db, _ = self._archive_db(user_id, month)
            table = db.table(PROMISES_TABLE, cache_size=0)
            if table.contains(where("id") == promise_id):
                table.remove(where("id") == promise_id)
        except StoreError as error:
            log.warning("stale archived copy left for user %s: %s", user_id, error)

    def _month_promises(self, user_id: int, month: str) -> list[Promise]:
        path = self._month_path(user_id, month)
        return [
            _decode(PROMISE, doc, path, user_id)
            for doc in _table_docs(read_document(path), PROMISES_TABLE)
        ]

    def _from_month(self, user_id: int, month: str, promise_id: str) -> Promise | None:
        path = self._month_path(user_id, month)
        for doc in _table_docs(read_document(path), PROMISES_TABLE):
            if doc.get("id") == promise_id:
                return _decode(PROMISE, doc, path, user_id)
        return None

    def get_promise(self, user_id: int, promise_id: str) -> Promise | None:
        path = self._open_path(user_id)
        for doc in self._docs(user_id, PROMISES_TABLE):
            if doc.get("id") == promise_id:
                return _decode(PROMISE, doc, path, user_id)
        for doc in self._docs(user_id, RECENT_TABLE):
            if doc.get("id") == promise_id:
                found = self._from_month(user_id, str(doc.get("month")), promise_id)
                if found is not None:
                    return found
        # Closed long ago: look through the user's own history, newest month first.
        for month in reversed(self._archive_months(user_id)):
            found = self._from_month(user_id, month, promise_id)
            if found is not None:
                return found
        return None

    def _open_file_promises(self, user_id: int) -> list[Promise]:
        path = self._open_path(user_id)
        return [
            _decode(PROMISE, doc, path, user_id) for doc in self._docs(user_id, PROMISES_TABLE)
        ]

    def open_promises(self, user_id: int) -> list[Promise]:
        return sorted(
            (p for p in self._open_file_promises(user_id) if p.is_open), key=promise_order
        )

    def closed_promises(self, user_id: int, since: datetime | None = None) -> list[Promise]:
        months = self._archive_months(user_id)
        if since is not None:
            first = month_of(since)
            months = [month for month in months if month >= first]
        found: dict[str, Promise] = {}
        for month in months:
            for promise in self._month_promises(user_id, month):
                found[promise.id] = promise
        open_ids: set[str] = set()
        for promise in self._open_file_promises(user_id):
            if promise.is_open:
                open_ids.add(promise.id)
            else:  # closed but not yet settled: newer than any archived copy
                found[promise.id] = promise
        return sorted(
            (
                p
                for p in found.values()
                if p.id not in open_ids and (since is None or p.due >= since)
            ),
            key=promise_order,
        )

    def all_open_promises(self) -> Iterator[Promise]:
        for snap in self.snapshot():
            yield from snap.open_promises

    def find_by_source_message(self, user_id: int, message_id: int) -> Promise | None:
        path = self._open_path(user_id)
        matches = [
            _decode(PROMISE, doc, path, user_id)
            for doc in self._docs(user_id, PROMISES_TABLE)
            if doc.get("source_message_id") == message_id
        ]
        if matches:
            return min(matches, key=lambda p: (not p.is_open, promise_order(p)))
        for doc in reversed(self._docs(user_id, RECENT_TABLE)):
            if doc.get("source_message_id") == message_id:
                return self._from_month(user_id, str(doc.get("month")), str(doc.get("id")))
        return None

    # --- routines ----------------------------------------------------------------
    def put_routine(self, routine: Routine) -> None:
        doc = ROUTINE.encode(routine)
        with self._writing(routine.user_id) as handle:
            handle.table(ROUTINES_TABLE).upsert(doc, where("id") == routine.id)

    def get_routine(self, user_id: int, routine_id: str) -> Routine | None:
        for doc in self._docs(user_id, ROUTINES_TABLE):
            if doc.get("id") == routine_id:
                return _decode(ROUTINE, doc, self._open_path(user_id), user_id)
        return None

    def routines(self, user_id: int) -> list[Routine]:
        path = self._open_path(user_id)
        found = [
            _decode(ROUTINE, doc, path, user_id) for doc in self._docs(user_id, ROUTINES_TABLE)
        ]
        return sorted(found, key=routine_order)

    def all_routines(self) -> Iterator[Routine]:
        for snap in self.snapshot():
            yield from snap.routines

    def delete_routine(self, user_id: int, routine_id: str) -> None:
        if self.get_routine(user_id, routine_id) is None:
            return
        with self._writing(user_id) as handle:
            handle.table(ROUTINES_TABLE).remove(where("id") == routine_id)

    def snapshot(self) -> Iterator[UserSnapshot]:
        # Start-up scan over every user: one plain json read per user, no TinyDB
        # handles, and one damaged file costs only that user (logged), not the start-up.
        for user_id in self.user_ids():
            path = self._open_path(user_id)
            try:
                found = _read_open_file(read_document(path), path, user_id)
                snap = UserSnapshot(
                    user_id,
                    found.settings,
                    sorted((p for p in found.promises if p.is_open), key=promise_order),
                    sorted(found.routines, key=routine_order),
                )
            except StoreError as error:
                log.warning("skipping user %s at start-up: %s", user_id, error)
                continue
            except Exception as error:  # a bug, not damage: still only this user's loss
                log.warning("skipping user %s at start-up: %s", user_id, type(error).__name__)
                log.debug("skipping user %s at start-up", user_id, exc_info=True)
                continue
            yield snap

    # --- the user's right to leave -------------------------------------------------
    def forget_user(self, user_id: int) -> None:
        """Rename the user's directory out of sight in one step, then delete it.

        The rename makes the forgetting atomic: after a crash the user is either fully
        present or gone from every listing, and a half-deleted remnant is finished off
        at the next start.
        """
        self._evict(user_id)
        directory = self._user_dir(user_id)
        if not directory.exists():
            return
        doomed = self._users_dir / f"{FORGET_PREFIX}{user_id}-{uuid.uuid4().hex}"
        try:
            os.rename(directory, doomed)
            fsync_directory(self._users_dir)
            shutil.rmtree(doomed)
        except OSError as error:
            raise StoreError(f"cannot delete the data of user {user_id}: {error}") from error

    def _finish_forgetting(self) -> None:
        for name in os.listdir(self._users_dir):
            if name.startswith(FORGET_PREFIX):
                log.warning("finishing an interrupted deletion: %s", name)
                shutil.rmtree(self._users_dir / name, ignore_errors=True)
