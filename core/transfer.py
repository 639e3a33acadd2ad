"""Bringing a person's history back in: an /export file read into records, then merged.

Reading the file (JSON, the codec's types) belongs to ``storage/importing.py``; what
it may contain and how it lands in a store is decided here, so the terminal command
and the bot's document upload behave the same.

* **Nothing half-done.** Every record is read and checked before the first write, and
  the writes go through ``Store.put_many`` (one transaction on PostgreSQL).
* **Idempotent.** Ids are kept, and a put replaces by id: importing the same file
  twice leaves one copy of everything.
* **Only preferences travel.** The file's time zone, clock, report time and
  reflections replace the target's; conversation state (a half-made promise, a
  waiting question, the chat id) stays the target's own, so an import never answers
  a question nobody asked here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import TypeVar

from core.models import Promise, Routine, UserSettings
from core.ports import Store

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # also the most a Telegram bot may download
MAX_RECORDS = 200_000

# What a person chose, as opposed to what the conversation was in the middle of.
PREFERENCES = (
    "tz",
    "clock24",
    "report_enabled",
    "report_day",
    "report_hour",
    "report_minute",
    "last_report_week",
    "created",
    "reflections",
)


class ImportRefused(ValueError):
    """The file is not one this user can import; the message is one line for people.

    Raised before any write, so whoever shows it can add "nothing was imported".
    """


@dataclass(frozen=True, slots=True)
class ExportBundle:
    settings: UserSettings
    promises: tuple[Promise, ...]
    routines: tuple[Routine, ...]
    demo_of: datetime | None = None  # a demo's own "now", moved up to today on import

    @property
    def user_id(self) -> int:
        return self.settings.user_id


@dataclass(frozen=True, slots=True)
class ImportCounts:
    user_id: int
    promises: int
    new_promises: int
    routines: int
    new_routines: int

    def summary(self) -> str:
        def counted(count: int, new: int, word: str) -> str:
            noun = word if count == 1 else f"{word}s"
            already = f", {count - new} already here" if count - new else ""
            return f"{count} {noun} ({new} new{already})"

        return (
            f"Imported {counted(self.promises, self.new_promises, 'promise')} and "
            f"{counted(self.routines, self.new_routines, 'routine')} for user {self.user_id}."
        )


def check_owner(bundle: ExportBundle) -> None:
    """Every record must belong to the file's own user: a mixed file is not an export."""
    owner = bundle.user_id
    groups: tuple[tuple[str, tuple[Promise | Routine, ...]], ...] = (
        ("promise", bundle.promises),
        ("routine", bundle.routines),
    )
    for kind, records in groups:
        seen: set[str] = set()
        for record in records:
            if record.user_id != owner:
                raise ImportRefused("the file holds records of another user")
            if record.id in seen:
                raise ImportRefused(f"the file lists {kind} {record.id} twice")
            seen.add(record.id)


def owned_by(bundle: ExportBundle, user_id: int) -> ExportBundle:
    """The same history under another user id (the terminal's local user, a demo)."""
    if user_id == bundle.user_id:
        return bundle
    settings = replace(bundle.settings, user_id=user_id, chat_id=user_id)
    return ExportBundle(
        settings,
        tuple(replace(p, user_id=user_id) for p in bundle.promises),
        tuple(replace(r, user_id=user_id) for r in bundle.routines),
    )


R = TypeVar("R", Promise, Routine)


def _moved(record: R, by: timedelta) -> R:
    changes: dict[str, object] = {
        f.name: value + by
        for f in fields(record)
        if isinstance(value := getattr(record, f.name), datetime)
    }
    return replace(record, **changes)  # type: ignore[arg-type]


def moved_up(bundle: ExportBundle, now: datetime) -> ExportBundle:
    """A demo month as if it had just happened: whole days later, so this week holds
    its last days and every promise keeps its hour of the day."""
    if bundle.demo_of is None:
        return bundle
    days = (now - bundle.demo_of) // timedelta(days=1)
    by = timedelta(days=max(0, days))
    return ExportBundle(
        bundle.settings,
        tuple(_moved(p, by) for p in bundle.promises),
        tuple(_moved(r, by) for r in bundle.routines),
    )


def merged_settings(existing: UserSettings | None, imported: UserSettings) -> UserSettings:
    if existing is None:
        base = UserSettings(user_id=imported.user_id, chat_id=imported.chat_id)
    else:
        base = existing
    chosen: dict[str, object] = {name: getattr(imported, name) for name in PREFERENCES}
    return replace(base, **chosen)  # type: ignore[arg-type]


def merge_into(store: Store, bundle: ExportBundle) -> ImportCounts:
    """Write the bundle into ``store`` for its user; returns what was new."""
    check_owner(bundle)
    user_id = bundle.user_id
    known = {p.id for p in store.open_promises(user_id)}
    known |= {p.id for p in store.closed_promises(user_id)}
    known_routines = {r.id for r in store.routines(user_id)}
    settings = merged_settings(store.get_user(user_id), bundle.settings)
    store.put_many([settings, *bundle.promises, *bundle.routines])
    return ImportCounts(
        user_id=user_id,
        promises=len(bundle.promises),
        new_promises=sum(1 for p in bundle.promises if p.id not in known),
        routines=len(bundle.routines),
        new_routines=sum(1 for r in bundle.routines if r.id not in known_routines),
    )
