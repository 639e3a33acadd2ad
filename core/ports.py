"""What the core needs from persistence. Adapters live in ``storage/``.

Every method is scoped by ``user_id`` where it touches user data, so no code path can
reach another user's promise by id alone: a forged button press looks its promise up
under the presser's own id and simply finds nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from core.history import DaySummary, day_start, summarize_days
from core.models import Promise, Routine, UserSettings


class StoreError(Exception):
    """A write could not be made durable (disk full, permissions). Data is unchanged."""


@dataclass(frozen=True, slots=True)
class UserSnapshot:
    """What start-up needs of one user to rebuild every job: read in a single pass."""

    user_id: int
    user: UserSettings | None
    open_promises: list[Promise]
    routines: list[Routine]


def closed_order(promise: Promise) -> tuple[datetime, str]:
    """How closed promises are ranked by recency: when closed (else when due), then id."""
    return promise.closed or promise.due, promise.id


class Store(ABC):
    # --- users -------------------------------------------------------------------
    @abstractmethod
    def get_user(self, user_id: int) -> UserSettings | None: ...

    @abstractmethod
    def put_user(self, user: UserSettings) -> None: ...

    @abstractmethod
    def user_ids(self) -> list[int]: ...

    # --- promises ----------------------------------------------------------------
    @abstractmethod
    def put_promise(self, promise: Promise) -> None:
        """Insert or replace by id. A closed promise moves out of the open set."""

    @abstractmethod
    def delete_open_promise(self, user_id: int, promise_id: str) -> None:
        """Remove an open promise as if never made ([Undo]). Closed ones are history."""

    @abstractmethod
    def get_promise(self, user_id: int, promise_id: str) -> Promise | None: ...

    @abstractmethod
    def open_promises(self, user_id: int) -> list[Promise]:
        """Open promises of one user, ordered by due time."""

    @abstractmethod
    def closed_promises(
        self, user_id: int, since: datetime | None = None, until: datetime | None = None
    ) -> list[Promise]:
        """Closed promises of one user due in [since, until), ordered by due time."""

    def latest_closed(self, user_id: int, limit: int) -> list[Promise]:
        """The ``limit`` most recently closed promises of one user, newest first.

        Ordered by ``closed_order`` (time of closing, the due time for a record without
        one, then id), descending. This default reads the whole history; a store meant
        for long histories answers from an index.
        """
        closed = self.closed_promises(user_id)
        return sorted(closed, key=closed_order, reverse=True)[: max(0, limit)]

    def closed_days(
        self, user_id: int, since: date | None = None, until: date | None = None
    ) -> list[DaySummary]:
        """The user's closed promises summed up per UTC day of due, for days in [since, until).

        Only days holding a closed promise, in day order; each equals
        ``core.history.summarize_day`` of that day's closed promises. This default reads
        every record of the span; a store meant for long histories keeps the summaries
        and answers without reading records.
        """
        return summarize_days(
            self.closed_promises(
                user_id,
                None if since is None else day_start(since),
                None if until is None else day_start(until),
            )
        )

    @abstractmethod
    def all_open_promises(self) -> Iterator[Promise]:
        """Every open promise of every user; used once at start-up to rebuild jobs."""

    @abstractmethod
    def find_by_source_message(self, user_id: int, message_id: int) -> Promise | None:
        """The promise made from this Telegram message, if any (re-delivery guard)."""

    # --- routines ----------------------------------------------------------------
    @abstractmethod
    def put_routine(self, routine: Routine) -> None: ...

    @abstractmethod
    def get_routine(self, user_id: int, routine_id: str) -> Routine | None: ...

    @abstractmethod
    def routines(self, user_id: int) -> list[Routine]: ...

    @abstractmethod
    def all_routines(self) -> Iterator[Routine]: ...

    @abstractmethod
    def delete_routine(self, user_id: int, routine_id: str) -> None: ...

    @abstractmethod
    def snapshot(self) -> Iterator[UserSnapshot]:
        """Every user's settings, open promises and routines, one user at a time.

        Start-up reads this once; a damaged user file is skipped (logged), never fatal.
        """

    # --- batches ---------------------------------------------------------------------
    def put_many(self, records: Iterable[UserSettings | Promise | Routine]) -> int:
        """Write many records (restore, migrate); returns how many were written.

        This default writes them one by one. A store with transactions overrides it so
        that a batch is stored whole or not at all, and in one round trip.
        """
        count = 0
        for record in records:
            if isinstance(record, UserSettings):
                self.put_user(record)
            elif isinstance(record, Promise):
                self.put_promise(record)
            elif isinstance(record, Routine):
                self.put_routine(record)
            else:
                raise TypeError(f"not a record: {type(record).__name__}")
            count += 1
        return count

    # --- the user's right to leave -------------------------------------------------
    @abstractmethod
    def forget_user(self, user_id: int) -> None:
        """Delete every record of the user, archived ones included. Nothing remains."""
