"""The Store in plain dicts: the reference behaviour, and a fast store for tests.

It keeps the same records the durable stores keep and answers with the same ordering,
so the contract tests can hold every other store to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from core.models import Promise, Routine, UserSettings
from core.ports import Store, UserSnapshot

__all__ = ["MemoryStore", "promise_order", "routine_order"]


def promise_order(promise: Promise) -> tuple[datetime, str]:
    """Due time first; the id breaks ties so every store lists equal dues alike."""
    return promise.due, promise.id


def routine_order(routine: Routine) -> tuple[datetime, str]:
    return routine.created, routine.id


class MemoryStore(Store):
    def __init__(self) -> None:
        self._users: dict[int, UserSettings] = {}
        self._promises: dict[int, dict[str, Promise]] = {}
        self._routines: dict[int, dict[str, Routine]] = {}

    # --- users -------------------------------------------------------------------
    def get_user(self, user_id: int) -> UserSettings | None:
        return self._users.get(user_id)

    def put_user(self, user: UserSettings) -> None:
        self._users[user.user_id] = user

    def user_ids(self) -> list[int]:
        return sorted(self._users.keys() | self._promises.keys() | self._routines.keys())

    # --- promises ----------------------------------------------------------------
    def put_promise(self, promise: Promise) -> None:
        self._promises.setdefault(promise.user_id, {})[promise.id] = promise

    def delete_open_promise(self, user_id: int, promise_id: str) -> None:
        mine = self._promises.get(user_id, {})
        promise = mine.get(promise_id)
        if promise is not None and promise.is_open:
            del mine[promise_id]

    def get_promise(self, user_id: int, promise_id: str) -> Promise | None:
        return self._promises.get(user_id, {}).get(promise_id)

    def open_promises(self, user_id: int) -> list[Promise]:
        mine = self._promises.get(user_id, {}).values()
        return sorted((p for p in mine if p.is_open), key=promise_order)

    def closed_promises(
        self, user_id: int, since: datetime | None = None, until: datetime | None = None
    ) -> list[Promise]:
        mine = self._promises.get(user_id, {}).values()
        return sorted(
            (
                p
                for p in mine
                if not p.is_open
                and (since is None or p.due >= since)
                and (until is None or p.due < until)
            ),
            key=promise_order,
        )

    def all_open_promises(self) -> Iterator[Promise]:
        for user_id in list(self._promises):
            yield from self.open_promises(user_id)

    def find_by_source_message(self, user_id: int, message_id: int) -> Promise | None:
        mine = self._promises.get(user_id, {}).values()
        matches = [p for p in mine if p.source_message_id == message_id]
        # An open promise answers first, as it does in the durable stores.
        return min(matches, key=lambda p: (not p.is_open, promise_order(p)), default=None)

    # --- routines ----------------------------------------------------------------
    def put_routine(self, routine: Routine) -> None:
        self._routines.setdefault(routine.user_id, {})[routine.id] = routine

    def get_routine(self, user_id: int, routine_id: str) -> Routine | None:
        return self._routines.get(user_id, {}).get(routine_id)

    def routines(self, user_id: int) -> list[Routine]:
        return sorted(self._routines.get(user_id, {}).values(), key=routine_order)

    def all_routines(self) -> Iterator[Routine]:
        for user_id in list(self._routines):
            yield from self.routines(user_id)

    def delete_routine(self, user_id: int, routine_id: str) -> None:
        self._routines.get(user_id, {}).pop(routine_id, None)

    def snapshot(self) -> Iterator[UserSnapshot]:
        for user_id in self.user_ids():
            yield UserSnapshot(
                user_id,
                self.get_user(user_id),
                self.open_promises(user_id),
                self.routines(user_id),
            )

    # --- the user's right to leave -------------------------------------------------
    def forget_user(self, user_id: int) -> None:
        self._users.pop(user_id, None)
        self._promises.pop(user_id, None)
        self._routines.pop(user_id, None)
