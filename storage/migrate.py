"""Copy every record from one store to another, through the records themselves.

Used by ``keepword migrate --from <dir|url> --to <dir|url>``: TinyDB -> PostgreSQL and
back. Reading goes through the Store port (settings, open and closed promises, routines
of each user), writing through ``Store.put_many`` in batches (one transaction each on
PostgreSQL), so nothing depends on either store's layout and whatever the codec keeps
arrives. Afterwards every user is read back from the target and compared record by
record with what was read from the source: the counts printed are the verified ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from core.models import Promise, Routine, UserSettings
from core.ports import Store

__all__ = ["MigrationError", "MigrationReport", "copy_store", "user_records"]

Record = UserSettings | Promise | Routine
BATCH_USERS = 200


class MigrationError(Exception):
    """The target is not empty, or it does not read back what was written."""


@dataclass(slots=True)
class MigrationReport:
    users: int = 0
    settings: int = 0
    open_promises: int = 0
    closed_promises: int = 0
    routines: int = 0
    verified: bool = False
    mismatched_users: list[int] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.settings + self.open_promises + self.closed_promises + self.routines

    def summary(self) -> str:
        state = "verified equal" if self.verified else "NOT verified"
        return (
            f"{self.users} users: {self.settings} settings, {self.open_promises} open and "
            f"{self.closed_promises} closed promises, {self.routines} routines "
            f"({self.records} records, {state})"
        )


def user_records(store: Store, user_id: int) -> list[Record]:
    """Everything the store holds for one user, in a fixed order."""
    records: list[Record] = []
    user = store.get_user(user_id)
    if user is not None:
        records.append(user)
    records += store.open_promises(user_id)
    records += store.closed_promises(user_id)
    records += store.routines(user_id)
    return records


def copy_store(
    source: Store,
    target: Store,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> MigrationReport:
    """Copy all of ``source`` into the empty ``target`` and verify it reads back equal."""
    if target.user_ids():
        raise MigrationError("the target already holds users; migrate into an empty store")
    report = MigrationReport()
    ids = source.user_ids()
    for start in range(0, len(ids), BATCH_USERS):
        chunk = ids[start : start + BATCH_USERS]
        batch: list[Record] = []
        for user_id in chunk:
            records = user_records(source, user_id)
            _count(report, records)
            batch += records
        target.put_many(batch)
        expected = {user_id: _key(r) for user_id, r in _by_user(batch)}
        for user_id in chunk:
            if _key(user_records(target, user_id)) != expected.get(user_id, _key([])):
                report.mismatched_users.append(user_id)
        if progress is not None:
            progress(min(start + BATCH_USERS, len(ids)), len(ids))
    report.users = len(ids)
    report.verified = not report.mismatched_users and target.user_ids() == ids
    if not report.verified:
        raise MigrationError(
            f"target differs from source for {len(report.mismatched_users)} users "
            f"(first: {report.mismatched_users[:5]})"
        )
    return report


def _count(report: MigrationReport, records: list[Record]) -> None:
    for record in records:
        if isinstance(record, UserSettings):
            report.settings += 1
        elif isinstance(record, Routine):
            report.routines += 1
        elif record.is_open:
            report.open_promises += 1
        else:
            report.closed_promises += 1


def _by_user(records: list[Record]) -> Iterator[tuple[int, list[Record]]]:
    grouped: dict[int, list[Record]] = {}
    for record in records:
        grouped.setdefault(record.user_id, []).append(record)
    yield from grouped.items()


def _key(records: list[Record]) -> list[Record]:
    """Records compared as a whole: same records, same order within each kind."""
    return sorted(records, key=lambda r: (type(r).__name__, getattr(r, "id", "")))
