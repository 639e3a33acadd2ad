"""The embedded default store: small TinyDB files per user, written atomically.

Layout (see docs/STORAGE.md)::

    data_dir/users/<user_id>/open.json            settings, open promises, routines,
                                                  index of recently closed promises
    data_dir/users/<user_id>/archive/<YYYY-MM-DD>.json   closed promises by day of due
    data_dir/users/<user_id>/index/<YYYY-MM>.json        per day: those promises counted

A write therefore rewrites only files of one user, never a file shared by everyone, and
closing a promise rewrites one day of that user's history and one month of its index
(``storage/archive.py``) rather than all of it. Reports read the index.

Closing a promise touches several files, so it goes through ``open.json`` as a journal:
the closed record is first written into ``open.json`` (the commit point: from then on
every read sees it closed), then copied into its day file and counted in the index, then
dropped from ``open.json``. A crash between the steps leaves a closed record in
``open.json`` that every read already treats correctly and that the next write of a
promise for that user finishes moving ("settling"). If the disk is full after the
commit point, the move simply waits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tinydb import TinyDB, where
from tinydb.table import Document, Table

from core.history import DAY, DaySummary, day_start, summarize_day
from core.models import Promise, Routine, UserSettings
from core.ports import Store, StoreError, UserSnapshot, closed_order
from storage.archive import Archive, day_of, is_day, is_month
from storage.atomic import (
    AtomicJSONStorage,
    CorruptFileError,
    fsync_directory,
    read_document,
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
RECENT_TABLE = "recent"  # {id, file, source_message_id, closed} of the last closes

OPEN_FILE = "open.json"
FORGET_PREFIX = ".forget-"

HANDLE_LIMIT = 256
RECENT_LIMIT = 200

_Change = dict[str, dict[str, Any] | None]  # promise id -> its new document, None: drop it


def _entry_file(entry: Mapping[str, Any]) -> str:
    """The archive file a ``recent`` entry points at (``month`` in the old layout)."""
    return str(entry.get("file") or entry.get("month") or "")


def month_of(moment: datetime) -> str:
    """The month (UTC) of a promise due at ``moment``: its index file, and its archive
    file in the layout before day files."""
    return moment.astimezone(UTC).strftime("%Y-%m")


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
    """An index entry names the file a close went to: a real day (a month before days)."""
    stem, source, closed = _entry_file(doc), doc.get("source_message_id"), doc.get("closed")
    return (
        isinstance(doc.get("id"), str)
        and (is_day(stem) if "file" in doc else is_month(stem))
        and (source is None or type(source) is int)
        and (closed is None or isinstance(closed, str))
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
        self._archive(user_id).remove_temp_files()
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
        with self._writing(promise.user_id) as handle:
            handle.table(PROMISES_TABLE).upsert(doc, where("id") == promise.id)
        # Committed. What follows only files it away and may be retried by a later write.
        self._settle(promise.user_id)

    def delete_open_promise(self, user_id: int, promise_id: str) -> None:
        with self._writing(user_id) as handle:
            handle.table(PROMISES_TABLE).remove(
                (where("id") == promise_id) & (where("outcome") == None)  # noqa: E711
            )

    def _archive(self, user_id: int) -> Archive:
        return Archive(self._user_dir(user_id), user_id)

    def _days(self, user_id: int) -> list[str]:
        """The user's day files, after moving any month file of the old layout into days."""
        archive = self._archive(user_id)
        days, months = archive.listing()
        if not months:
            return days
        for month in months:
            log.info("user %s: moving archive month %s into day files", user_id, month)
            moved = archive.split_month(month)
            with self._writing(user_id) as handle:  # point the recent index at the days
                recent = handle.table(RECENT_TABLE)
                for entry in recent.all():
                    if _entry_file(entry) == month:
                        day = moved.get(str(entry.get("id")))
                        if day is None:
                            recent.remove(doc_ids=[entry.doc_id])
                        else:
                            recent.update({"file": day}, doc_ids=[entry.doc_id])
            archive.drop_month(month)
        return archive.listing()[0]

    def _journal(self, user_id: int) -> tuple[list[Promise], set[str], dict[str, str]]:
        """What ``open.json`` says beyond the archive.

        (closed promises not yet filed away, ids of open promises, where each recently
        closed promise was filed).
        """
        path = self._open_path(user_id)
        closed: list[Promise] = []
        open_ids: set[str] = set()
        for doc in self._docs(user_id, PROMISES_TABLE):
            if doc.get("outcome") is None:
                open_ids.add(str(doc.get("id")))
            else:
                closed.append(_decode(PROMISE, doc, path, user_id))
        filed = {str(doc.get("id")): _entry_file(doc) for doc in self._docs(user_id, RECENT_TABLE)}
        return closed, open_ids, filed

    def _settle(self, user_id: int) -> None:
        """Finish filing away: closed records into their day files, re-opened ones out.

        Safe to stop at any point: ``open.json`` forgets a closed record, or the place
        a re-opened one was filed, only after the day files and the index say so
        durably, and every step may be repeated.
        """
        try:
            closed, open_ids, filed = self._journal(user_id)
            reopened = {pid: filed[pid] for pid in open_ids if pid in filed}
            if not closed and not reopened:
                return
            changes: dict[str, _Change] = {}
            for promise in closed:
                day = day_of(promise.due)
                changes.setdefault(day, {})[promise.id] = PROMISE.encode(promise)
                before = filed.get(promise.id)
                if before is not None and before != day:  # its due moved: drop the old copy
                    changes.setdefault(before, {})[promise.id] = None
            for promise_id, before in reopened.items():
                changes.setdefault(before, {})[promise_id] = None
            self._archive_put(user_id, changes)
            with self._writing(user_id) as handle:
                promises = handle.table(PROMISES_TABLE)
                promises.remove(where("id").one_of([p.id for p in closed]))
                self._note_recent(handle, closed, set(reopened))
        except StoreError as error:
            log.warning("filing closed promises of user %s deferred: %s", user_id, error)

    def _archive_put(self, user_id: int, changes: dict[str, _Change]) -> None:
        """Apply {day: {id: document, or None to drop}} to the day files and the index."""
        self._days(user_id)  # an old-layout month is moved into days first
        archive = self._archive(user_id)
        written: dict[str, dict[str, dict[str, Any]]] = {}
        for day, change in sorted(changes.items()):
            if not is_day(day):
                continue  # a month file that no longer exists
            records = archive.records(day)
            for promise_id, doc in change.items():
                if doc is None:
                    records.pop(promise_id, None)
                else:
                    records[promise_id] = doc
            archive.write_day(day, records)
            written[day] = records
        archive.refresh(written)

    def _note_recent(self, handle: _Handle, closed: list[Promise], reopened: set[str]) -> None:
        """Record where closed promises went; keep the ``recent_limit`` latest closes."""
        recent = handle.table(RECENT_TABLE)
        gone = {promise.id for promise in closed} | reopened
        stale = [doc.doc_id for doc in recent.all() if doc.get("id") in gone]
        if stale:
            recent.remove(doc_ids=stale)
        recent.insert_multiple(
            {
                "id": promise.id,
                "file": day_of(promise.due),
                "source_message_id": promise.source_message_id,
                "closed": None if promise.closed is None else promise.closed.isoformat(),
            }
            for promise in sorted(closed, key=promise_order)
        )
        entries = recent.all()
        if len(entries) > self._recent_limit:
            entries.sort(key=lambda doc: (str(doc.get("closed") or ""), doc.doc_id))
            recent.remove(doc_ids=[doc.doc_id for doc in entries[: -self._recent_limit]])

    def get_promise(self, user_id: int, promise_id: str) -> Promise | None:
        path = self._open_path(user_id)
        for doc in self._docs(user_id, PROMISES_TABLE):
            if doc.get("id") == promise_id:
                return _decode(PROMISE, doc, path, user_id)
        archive = self._archive(user_id)
        for doc in self._docs(user_id, RECENT_TABLE):
            if doc.get("id") == promise_id:
                found = archive.lookup([(_entry_file(doc), promise_id)]).get(promise_id)
                if found is not None:
                    return found
        # Closed long ago: look through the user's own history, newest day first.
        for day in reversed(self._days(user_id)):
            found = archive.find(day, promise_id)
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

    def closed_promises(
        self, user_id: int, since: datetime | None = None, until: datetime | None = None
    ) -> list[Promise]:
        first = None if since is None else day_of(since)
        last = None if until is None else day_of(until - timedelta(microseconds=1))
        archive = self._archive(user_id)
        found: dict[str, Promise] = {}
        for day in self._days(user_id):
            if (first is None or day >= first) and (last is None or day <= last):
                for promise in archive.promises(day):
                    found[promise.id] = promise
        closed, open_ids, _ = self._journal(user_id)
        for promise in closed:  # not yet filed away: newer than any archived copy
            found[promise.id] = promise
        return sorted(
            (
                p
                for p in found.values()
                if p.id not in open_ids
                and (since is None or p.due >= since)
                and (until is None or p.due < until)
            ),
            key=promise_order,
        )

    def latest_closed(self, user_id: int, limit: int) -> list[Promise]:
        """From the ``recent`` index: the latest closes are there, or the history is short."""
        closed, open_ids, filed = self._journal(user_id)
        pending = {promise.id for promise in closed}
        entries = [(stem, pid) for pid, stem in filed.items() if pid not in open_ids | pending]
        found = [*self._archive(user_id).lookup(entries).values(), *closed]
        if len(found) < limit:  # a short history (or more asked than the index keeps)
            found = self.closed_promises(user_id)
        return sorted(found, key=closed_order, reverse=True)[: max(0, limit)]

    def closed_days(
        self, user_id: int, since: date | None = None, until: date | None = None
    ) -> list[DaySummary]:
        first = None if since is None else since.isoformat()
        last = None if until is None else until.isoformat()

        def wanted(day: str) -> bool:
            return (first is None or day >= first) and (last is None or day < last)

        archive = self._archive(user_id)
        found: dict[str, DaySummary] = {}
        for month in sorted({day[:7] for day in self._days(user_id) if wanted(day)}):
            for day, kept in archive.summaries(month).items():
                if wanted(day):
                    found[day] = kept
        # Days with a change still in the journal are counted from their records.
        closed, open_ids, filed = self._journal(user_id)
        dirty = {day_of(p.due) for p in closed}
        dirty |= {filed[pid] for pid in [*open_ids, *(p.id for p in closed)] if pid in filed}
        for day in sorted(d for d in dirty if is_day(d) and wanted(d)):
            start = day_start(date.fromisoformat(day))
            records = self.closed_promises(user_id, start, start + DAY)
            summary = summarize_day(start.date(), records)
            if summary is None:
                found.pop(day, None)
            else:
                found[day] = summary
        return [found[day] for day in sorted(found)]

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
                promise_id = str(doc.get("id"))
                found = self._archive(user_id).lookup([(_entry_file(doc), promise_id)])
                return found.get(promise_id)
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
