"""One user's closed promises on disk: a file per UTC day of due, and an index by month.

    <user_dir>/archive/<YYYY-MM-DD>.json   closed promises due that day (TinyDB document)
    <user_dir>/index/<YYYY-MM>.json        {"days": {"<YYYY-MM-DD>": summary, ...}}

A close rewrites one day's file and one month's index, so its cost is that of the day,
not of the user's history. Reports read the index (``core.history.DaySummary``, a few
numbers a day) instead of the records. The index is derived data: after every write of
a day file the day's summary is recomputed from that file, an index file that is
missing or does not parse is rebuilt from the month's day files, and it may always be
deleted by hand.

Data dirs written before day files existed hold one archive file per month
(``<YYYY-MM>.json``); ``split_month`` moves such a month into day files once.
Every step is idempotent, so the store's journal (``open.json``) can repeat any of them
after a crash.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from core.history import DaySummary, summarize_day
from core.models import Promise
from core.ports import StoreError
from storage import atomic
from storage.atomic import (
    CorruptFileError,
    fsync_directory,
    read_document,
    remove_temp_files,
)
from storage.codec import PROMISE, CodecError, day_summary_from_dict, day_summary_to_dict

__all__ = ["Archive", "day_of", "is_day", "is_month"]

log = logging.getLogger(__name__)

ARCHIVE_DIR = "archive"
INDEX_DIR = "index"
PROMISES_TABLE = "promises"
DAYS_TABLE = "days"

Records = dict[str, dict[str, Any]]  # promise id -> stored document, in file order


def day_of(moment: datetime) -> str:
    """The archive day (UTC, ISO) a promise due at ``moment`` is filed under."""
    return moment.astimezone(UTC).date().isoformat()


def _is_date(stem: str, parts: int) -> bool:
    pieces = stem.split("-")
    widths = (4, 2, 2)[:parts]
    if len(pieces) != parts:
        return False
    sizes = zip(pieces, widths, strict=True)
    return all(len(piece) == width and piece.isdigit() for piece, width in sizes)


def is_day(stem: str) -> bool:
    return _is_date(stem, 3)


def is_month(stem: str) -> bool:
    return _is_date(stem, 2)


def _stems(directory: Path) -> list[str]:
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    except OSError as error:
        raise StoreError(f"cannot list {directory}: {error}") from error
    return sorted(name[:-5] for name in names if name.endswith(".json"))


def _decode_promise(doc: Any, path: Path, owner: int) -> Promise:
    """A promise of the user whose folder ``path`` is in, or ``CorruptFileError``."""
    try:
        promise = PROMISE.decode(doc)
    except CodecError as error:
        log.warning("unreadable record in %s: %s", path, error)
        raise CorruptFileError(f"unreadable record in {path}: {error}") from error
    if promise.user_id != owner:
        log.warning("record in %s claims another user id (%s)", path, promise.user_id)
        raise CorruptFileError(f"a record in {path} claims another user id")
    return promise


def _docs(document: Mapping[str, Mapping[str, Any]] | None, table: str) -> list[Any]:
    if document is None:
        return []
    return list(document.get(table, {}).values())


def _read_index(path: Path) -> dict[str, Any] | None:
    """The day summaries stored in an index file, still encoded; None if there is none.

    Not a TinyDB document (its keys are days): ``CorruptFileError`` if it does not parse.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error}") from error
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise CorruptFileError(f"{path} does not parse") from error
    days = data.get(DAYS_TABLE) if isinstance(data, dict) else None
    if not isinstance(days, dict) or not all(is_day(day) for day in days):
        raise CorruptFileError(f"{path} is not an index of days")
    return days


def _ensure_dir(directory: Path) -> None:
    if directory.is_dir():
        return
    try:
        directory.mkdir(parents=False, exist_ok=True)
        fsync_directory(directory.parent)
    except OSError as error:
        raise StoreError(f"cannot create {directory}: {error}") from error


def _write(path: Path, document: Mapping[str, Any]) -> None:
    try:
        atomic.atomic_write_bytes(path, json.dumps(document, separators=(",", ":")).encode())
    except OSError as error:
        log.error("write of %s failed: %s", path, error)
        raise StoreError(f"cannot write {path}: {error}") from error


def _unlink(path: Path) -> None:
    try:
        path.unlink()
        fsync_directory(path.parent)
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(f"cannot remove {path}: {error}") from error


class Archive:
    """The archive and index files of one user; holds nothing in memory."""

    def __init__(self, user_dir: Path, owner: int) -> None:
        self.user_dir = user_dir
        self.owner = owner
        self.dir = user_dir / ARCHIVE_DIR
        self.index_dir = user_dir / INDEX_DIR

    def path(self, stem: str) -> Path:
        return self.dir / f"{stem}.json"

    def index_path(self, month: str) -> Path:
        return self.index_dir / f"{month}.json"

    def remove_temp_files(self) -> None:
        remove_temp_files(self.dir)
        remove_temp_files(self.index_dir)

    # --- listing ---------------------------------------------------------------------
    def listing(self) -> tuple[list[str], list[str]]:
        """(day files, month files of the old layout), each in order."""
        stems = _stems(self.dir)
        return [s for s in stems if is_day(s)], [s for s in stems if is_month(s)]

    # --- records -----------------------------------------------------------------------
    def records(self, stem: str) -> Records:
        """The stored documents of a day (or old-layout month) file, by promise id."""
        path = self.path(stem)
        found: Records = {}
        for doc in _docs(read_document(path), PROMISES_TABLE):
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                raise CorruptFileError(f"unreadable record in {path}")
            found[doc["id"]] = doc
        return found

    def promises(self, stem: str) -> list[Promise]:
        path = self.path(stem)
        return [_decode_promise(doc, path, self.owner) for doc in self.records(stem).values()]

    def find(self, stem: str, promise_id: str) -> Promise | None:
        doc = self.records(stem).get(promise_id)
        return None if doc is None else _decode_promise(doc, self.path(stem), self.owner)

    def write_day(self, day: str, records: Records) -> None:
        """Replace a day's file with ``records`` (removing it when there are none)."""
        if not records:
            _unlink(self.path(day))
            return
        _ensure_dir(self.dir)
        document = {PROMISES_TABLE: {str(n): doc for n, doc in enumerate(records.values(), 1)}}
        _write(self.path(day), document)

    # --- the index -----------------------------------------------------------------------
    def summaries(self, month: str) -> dict[str, DaySummary]:
        """The month's day summaries, rebuilt from its day files if the index is missing."""
        path = self.index_path(month)
        try:
            stored = _read_index(path)
            if stored is not None:
                return {day: day_summary_from_dict(data) for day, data in stored.items()}
        except (CorruptFileError, CodecError) as error:
            log.warning("rebuilding the damaged index %s: %s", path, error)
        return self.rebuild(month)

    def rebuild(self, month: str) -> dict[str, DaySummary]:
        """The month's summaries from its day files, stored if the disk lets us."""
        days, _ = self.listing()
        built: dict[str, DaySummary] = {}
        for day in days:
            if day.startswith(month):
                summary = summarize_day(date.fromisoformat(day), self.promises(day))
                if summary is not None:
                    built[day] = summary
        try:
            self._write_index(month, built)
        except StoreError as error:  # derived data: answering matters more than keeping it
            log.warning("index %s not stored: %s", self.index_path(month), error)
        return built

    def refresh(self, days: Mapping[str, Records]) -> None:
        """Recompute the summaries of days whose files were just written as ``days``."""
        by_month: dict[str, list[str]] = {}
        for day in days:
            by_month.setdefault(day[:7], []).append(day)
        for month, changed in sorted(by_month.items()):
            try:
                stored = _read_index(self.index_path(month))
            except CorruptFileError:
                stored = None
            if stored is None:
                self.rebuild(month)  # from the day files, which already hold the change
                continue
            # The other days stay as stored: a close costs its day, not the month.
            for day in changed:
                path = self.path(day)
                promises = [_decode_promise(doc, path, self.owner) for doc in days[day].values()]
                summary = summarize_day(date.fromisoformat(day), promises)
                if summary is None:
                    stored.pop(day, None)
                else:
                    stored[day] = day_summary_to_dict(summary)
            self._write_index(month, stored)

    def _write_index(self, month: str, summaries: Mapping[str, Any]) -> None:
        """Store {day: summary, or its stored form}, in day order."""
        if not summaries:
            _unlink(self.index_path(month))
            return
        _ensure_dir(self.index_dir)
        ordered = {
            day: value if isinstance(value, dict) else day_summary_to_dict(value)
            for day, value in sorted(summaries.items())
        }
        _write(self.index_path(month), {DAYS_TABLE: ordered})

    # --- the old layout ----------------------------------------------------------------
    def split_month(self, month: str) -> dict[str, str]:
        """Copy an old-layout month file into day files; returns {promise id: day}.

        A copy already in a day file is newer (written after an earlier split began)
        and wins. The month file stays until ``drop_month``.
        """
        path = self.path(month)
        by_day: dict[str, Records] = {}
        for promise_id, doc in self.records(month).items():
            by_day.setdefault(day_of(_decode_promise(doc, path, self.owner).due), {})[
                promise_id
            ] = doc
        for day, records in sorted(by_day.items()):
            self.write_day(day, {**records, **self.records(day)})
        for index_month in sorted({month, *(day[:7] for day in by_day)}):
            self.rebuild(index_month)  # from every day file of the month
        return {pid: day for day, records in by_day.items() for pid in records}

    def drop_month(self, month: str) -> None:
        _unlink(self.path(month))

    def lookup(self, entries: Iterable[tuple[str, str]]) -> dict[str, Promise]:
        """The promises named by (file stem, id) pairs, reading each file once."""
        wanted: dict[str, set[str]] = {}
        for stem, promise_id in entries:
            wanted.setdefault(stem, set()).add(promise_id)
        found: dict[str, Promise] = {}
        for stem, ids in wanted.items():
            if not (is_day(stem) or is_month(stem)):
                continue
            records = self.records(stem)
            for promise_id in ids & records.keys():
                found[promise_id] = _decode_promise(
                    records[promise_id], self.path(stem), self.owner
                )
        return found
