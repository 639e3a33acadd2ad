"""/export: everything Keepword keeps about one user, as JSON and a CSV of promises.

The JSON is a plain, documented shape (not the storage format), so it stays
readable by people and other tools whatever the store does.
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
)


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


def promises_csv(promises: Sequence[Promise]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for promise in promises:
        row = _plain(promise)
        row["tags"] = " ".join(promise.tags)
        writer.writerow(["" if row[name] is None else row[name] for name in CSV_FIELDS])
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
    table = promises_csv([*open_promises, *closed_promises]).encode()
    return data, table
