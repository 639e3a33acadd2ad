"""/export: everything Keepword keeps about one user, as JSON and a CSV of promises.

The JSON is a plain, documented shape (not the storage format), so it stays
readable by people and other tools whatever the store does: exact UTC times, the
stored values. The CSV is for a person with a spreadsheet: times on the user's own
clock to the minute, kinds in words, and no cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from bot.context import Context
from core.kinds import KIND_LABELS
from core.models import Promise, Routine, UserSettings

EXPORT_VERSION = 1

CSV_FIELDS = (
    "id",
    "task",
    "due",
    "created",
    "outcome",
    "closed",
    "tags",
    "kind",
    "snoozes",
    "renegotiations",
    "repair_of",
    "routine_id",
    "time_zone",
)
_TIMES = ("due", "created", "closed")
# A spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(…), +cmd|…, @SUM(…)); a leading ' makes it plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def export_document(
    user: UserSettings,
    open_promises: Sequence[Promise],
    closed_promises: Sequence[Promise],
    routines: Sequence[Routine],
    now: datetime,
) -> dict[str, Any]:
    return {
        "format": "keepword-export",
        "version": EXPORT_VERSION,
        "exported_at": now.isoformat(),
        "settings": _plain(user),
        "promises": [_plain(p) for p in [*open_promises, *closed_promises]],
        "routines": [_plain(r) for r in routines],
    }


def safe_cell(value: object) -> object:
    """A cell a spreadsheet shows as typed, never evaluates."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    """'2026-11-27 19:30' on the user's clock: what a spreadsheet sorts and reads."""
    return "" if moment is None else f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def promises_csv(promises: Sequence[Promise], user: UserSettings) -> str:
    zone = Context.zone(user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for promise in promises:
        row = _plain(promise)
        for name in _TIMES:
            row[name] = local_time(getattr(promise, name), zone)
        row["tags"] = " ".join(promise.tags)
        row["kind"] = KIND_LABELS.get(promise.kind, promise.kind.value)
        row["time_zone"] = zone.key
        writer.writerow([safe_cell("" if row[n] is None else row[n]) for n in CSV_FIELDS])
    return out.getvalue()


def export_files(
    user: UserSettings,
    open_promises: Sequence[Promise],
    closed_promises: Sequence[Promise],
    routines: Sequence[Routine],
    now: datetime,
) -> tuple[bytes, bytes]:
    document = export_document(user, open_promises, closed_promises, routines, now)
    data = json.dumps(document, ensure_ascii=False, indent=2).encode()
    table = promises_csv([*open_promises, *closed_promises], user).encode()
    return data, table
