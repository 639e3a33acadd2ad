"""An /export file (format ``keepword-export``, version 1) read back into records.

The export writes records in the codec's own plain types (ISO-8601 datetimes, enums by
value, tuples as lists), so the codec reads them: a field the file lacks takes its
default, a key this version does not know is ignored, and anything of the wrong type
refuses the whole file. Nothing here writes; ``core.transfer.merge_into`` does, after
everything has been read.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.transfer import MAX_IMPORT_BYTES, MAX_RECORDS, ExportBundle, ImportRefused, check_owner
from storage.codec import PROMISE, ROUTINE, SETTINGS, CodecError

__all__ = ["FORMAT", "VERSION", "read_export"]

FORMAT = "keepword-export"
VERSION = 1


def _document(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ImportRefused("this is not a Keepword export (not JSON)") from None
    except RecursionError:
        raise ImportRefused("the file is nested too deeply to be an export") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused("this is not a Keepword export file")
    version = document.get("version")
    if type(version) is not int or version != VERSION:
        raise ImportRefused(f"export version {version!r} is not one I can read")
    return document


def _records(document: dict[str, Any], key: str) -> list[Any]:
    records = document.get(key, [])
    if not isinstance(records, list):
        raise ImportRefused(f"the file's {key} are not a list")
    return records


def _demo_time(document: dict[str, Any]) -> datetime | None:
    """A demo file is moved up to today on import: its "now" is when it was made."""
    if document.get("demo") is not True:
        return None
    value = document.get("exported_at")
    try:
        made = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        made = None
    if made is None or made.tzinfo is None:
        raise ImportRefused("the demo file has no valid exported_at time")
    return made


def read_export(data: bytes) -> ExportBundle:
    """The file's user, promises and routines, every one checked; or ``ImportRefused``."""
    document = _document(data)
    settings = document.get("settings")
    promises = _records(document, "promises")
    routines = _records(document, "routines")
    if len(promises) + len(routines) > MAX_RECORDS:
        raise ImportRefused(f"the file holds more than {MAX_RECORDS} records")
    try:
        bundle = ExportBundle(
            SETTINGS.decode(settings if isinstance(settings, dict) else {}),
            tuple(PROMISE.decode(item) for item in promises),
            tuple(ROUTINE.decode(item) for item in routines),
            demo_of=_demo_time(document),
        )
    except (CodecError, TypeError, ValueError, RecursionError) as error:
        reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
        raise ImportRefused(f"the file has a damaged record ({reason})") from None
    check_owner(bundle)
    return bundle
