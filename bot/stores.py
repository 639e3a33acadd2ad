"""Which store to open, and the `db` and `migrate` commands.

Part of the composition root: the only place besides ``bot.__main__`` that names a
storage adapter. ``KEEPWORD_DATABASE_URL`` selects PostgreSQL; unset, the TinyDB files
in ``KEEPWORD_DATA_DIR`` are used as always. The PostgreSQL adapter is imported only
when asked for, so the embedded default needs no database driver installed.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from core.ports import Store, StoreError

if TYPE_CHECKING:
    from storage.postgres import PostgresStore

__all__ = ["StoreOpenError", "database_command", "migrate_command", "open_store", "open_target"]


class StoreOpenError(Exception):
    """One line saying which store could not be opened and why (no password in it)."""


def _postgres(url: str, *, upgrade: bool = True) -> PostgresStore:
    try:
        from storage.postgres import PostgresStore, redact_url
    except ImportError as error:
        raise StoreOpenError(
            "KEEPWORD_DATABASE_URL needs the PostgreSQL driver: pip install 'keepword[postgres]'"
        ) from error
    try:
        return PostgresStore(url, upgrade=upgrade)
    except StoreError as error:
        raise StoreOpenError(f"cannot use the database {redact_url(url)}: {error}") from error


def open_target(where: str) -> Store:
    """A store named by a postgresql:// URL or a data directory path."""
    if where.startswith(("postgresql://", "postgres://")):
        return _postgres(where)
    from storage.tinydb_store import TinyDBStore

    try:
        return TinyDBStore(Path(where), exclusive=True)
    except (OSError, StoreError) as error:
        raise StoreOpenError(f"cannot use the data directory {where}: {error}") from error


def open_store(settings: Settings) -> Store:
    """The store the bot runs on: PostgreSQL when a URL is set, else the data directory."""
    if settings.database_url:
        return _postgres(settings.database_url)
    from storage.tinydb_store import TinyDBStore

    try:
        # Exclusive: a second `keepword run`, `chat` or `import` on the same directory
        # would overwrite this one's writes and send every check-in twice.
        return TinyDBStore(settings.data_dir, exclusive=True)
    except (OSError, StoreError) as error:
        raise StoreOpenError(
            f"cannot use KEEPWORD_DATA_DIR={settings.data_dir}: {error}"
        ) from error


def database_command(settings: Settings, action: str) -> int:
    """`keepword db upgrade|version` on KEEPWORD_DATABASE_URL."""
    if not settings.database_url:
        print("keepword: KEEPWORD_DATABASE_URL is not set.", file=sys.stderr)
        return 2
    try:
        store = _postgres(settings.database_url, upgrade=False)
    except StoreOpenError as error:
        print(f"keepword: {error}", file=sys.stderr)
        return 2
    from storage.postgres import schema

    latest = len(schema.migrations())
    try:
        with store:
            if action == "version":
                print(f"{store.schema_version()} (latest {latest})")
                return 0
            applied = store.upgrade()
            for migration in applied:
                print(f"applied {migration.version:04d}_{migration.name}")
            print(f"schema at version {store.schema_version()} (latest {latest})")
    except StoreError as error:
        print(f"keepword: {error}", file=sys.stderr)
        return 1
    return 0


def migrate_command(source: str, target: str) -> int:
    """`keepword migrate --from A --to B`: copy, verify, print the counts."""
    from storage.migrate import MigrationError, copy_store

    try:
        source_store = open_target(source)
        target_store = open_target(target)
    except StoreOpenError as error:
        print(f"keepword: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        print(f"  {done}/{total} users", file=sys.stderr)

    try:
        report = copy_store(source_store, target_store, progress=progress)
    except (MigrationError, StoreError) as error:
        print(f"keepword: migrate failed: {error}", file=sys.stderr)
        return 1
    finally:
        for store in (source_store, target_store):
            close = getattr(store, "close", None)
            if close is not None:
                close()
    print(f"copied {report.summary()} in {time.monotonic() - started:.1f} s")
    return 0


def import_command(store: Store, path: str, user_id: int | None, now: datetime) -> int:
    """`keepword import FILE [--user-id N]`: an /export file back into the store."""
    from core.transfer import MAX_IMPORT_BYTES, ImportRefused, merge_into, moved_up, owned_by
    from storage.importing import read_export

    try:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_IMPORT_BYTES + 1)  # never more than the limit
        except OSError as error:
            raise ImportRefused(f"cannot read {path}: {error.strerror or error}") from None
        bundle = read_export(data)
        if user_id is not None:
            bundle = owned_by(bundle, user_id)
        counts = merge_into(store, moved_up(bundle, now))
    except ImportRefused as refused:
        print(f"keepword import: {refused} — nothing was imported.", file=sys.stderr)
        return 2
    except StoreError as error:
        print(f"keepword import: could not save: {error}", file=sys.stderr)
        return 1
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()
    print(counts.summary())
    return 0
