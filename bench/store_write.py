"""What a write costs in the TinyDB store, and whether it grows with the number of users.

Run: .venv/bin/python bench/store_write.py [--dir PATH] [--users N]

Figures printed:
  * median put_promise for one user while 10 users exist vs while 10,000 exist, and the
    ratio (target <= 1.5: a write must cost what the user's own data costs);
  * the same over random users (handle cache mostly cold, open.json read first);
  * all_open_promises() over 10,000 users x 10 open promises (start-up; target < 3 s);
  * closing a promise for a user with 9,000 archived promises, against one without
    history, and against rewriting 9,000 promises in one file (what a flat layout pays).

The data lives in a temp directory on the real disk (not tmpfs) so fsync costs are real.
Users are seeded by writing their files directly (same layout and codec, no fsync), which
is what makes 10,000 users affordable to set up.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tinydb import TinyDB, where

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.models import Kind, Outcome, Promise, UserSettings
from storage.atomic import AtomicJSONStorage
from storage.codec import PROMISE, SETTINGS
from storage.tinydb_store import TinyDBStore, month_of

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
OPEN_PER_USER = 10
ARCHIVED_PER_USER = 20  # over the last six weeks: three month files each
WRITES = 300


def make_promise(user_id: int, n: int, *, days: float, closed: bool = False) -> Promise:
    due = T0 + timedelta(days=days)
    promise = Promise(
        id=f"u{user_id}-p{n}",
        user_id=user_id,
        task="call mom back about the weekend",
        due=due,
        created=due - timedelta(hours=2),
        tags=("mom",),
        kind=Kind.CALLBACK,
        source_message_id=n,
    )
    if closed:
        promise = replace(promise, outcome=Outcome.KEPT, closed=due + timedelta(minutes=3))
    return promise


def tinydb_document(tables: dict[str, list[dict[str, object]]]) -> bytes:
    document = {
        name: {str(i + 1): doc for i, doc in enumerate(docs)} for name, docs in tables.items()
    }
    return json.dumps(document, separators=(",", ":")).encode()


def seed_user(
    users_dir: Path, user_id: int, open_count: int, archived: int, history_days: int
) -> None:
    user_dir = users_dir / str(user_id)
    (user_dir / "archive").mkdir(parents=True)
    settings = UserSettings(user_id=user_id, chat_id=user_id, tz="Europe/Berlin", created=T0)
    open_docs = [
        PROMISE.encode(make_promise(user_id, n, days=n / 4 + 1)) for n in range(open_count)
    ]
    (user_dir / "open.json").write_bytes(
        tinydb_document({"settings": [SETTINGS.encode(settings)], "promises": open_docs})
    )
    by_month: dict[str, list[dict[str, object]]] = {}
    for n in range(archived):
        # Spread history evenly over ``history_days`` back from T0.
        promise = make_promise(user_id, 10_000 + n, days=-(n * history_days / archived) - 1)
        promise = replace(promise, outcome=Outcome.KEPT, closed=promise.due)
        by_month.setdefault(month_of(promise.due), []).append(PROMISE.encode(promise))
    for month, docs in by_month.items():
        (user_dir / "archive" / f"{month}.json").write_bytes(tinydb_document({"promises": docs}))


def seed(data_dir: Path, users: int) -> None:
    users_dir = data_dir / "users"
    for user_id in range(1, users + 1):
        seed_user(users_dir, user_id, OPEN_PER_USER, ARCHIVED_PER_USER, history_days=45)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def put_same_user(store: TinyDBStore, user_id: int, rounds: range) -> list[float]:
    base = store.open_promises(user_id)[0]
    timings = []
    for n in rounds:
        changed = replace(base, snoozes=n, snoozed_until=base.due + timedelta(minutes=n))
        start = time.perf_counter()
        store.put_promise(changed)
        timings.append(time.perf_counter() - start)
    return timings


def put_random_users(
    store: TinyDBStore, users: int, rounds: range, rng: random.Random
) -> list[float]:
    timings = []
    for n in rounds:
        user_id = rng.randint(1, users)
        promise = replace(make_promise(user_id, n, days=n / 7 + 1), id=f"u{user_id}-r{n}")
        start = time.perf_counter()
        store.put_promise(promise)
        timings.append(time.perf_counter() - start)
    return timings


def bench_scaling(root: Path, big: int) -> None:
    rng = random.Random(7)
    sizes = (10, big)
    stores = {}
    for users in sizes:
        data_dir = root / f"scale-{users}"
        start = time.perf_counter()
        seed(data_dir, users)
        print(f"seeded {users} users in {time.perf_counter() - start:.1f} s")
        stores[users] = TinyDBStore(data_dir)
    # Interleave the two stores in chunks so disk warm-up and background flushes hit both.
    same: dict[int, list[float]] = {users: [] for users in sizes}
    spread: dict[int, list[float]] = {users: [] for users in sizes}
    chunk = 50
    for first in range(0, WRITES, chunk):
        rounds = range(first, first + chunk)
        for users in sizes:
            same[users] += put_same_user(stores[users], users // 2, rounds)
            spread[users] += put_random_users(stores[users], users, rounds, rng)
    for users in sizes:
        print(
            f"{users:>6} users: put_promise median {ms(statistics.median(same[users]))} "
            f"(same user), {ms(statistics.median(spread[users]))} (random user)"
        )
    ratio_same = statistics.median(same[big]) / statistics.median(same[10])
    ratio_spread = statistics.median(spread[big]) / statistics.median(spread[10])
    print(
        f"ratio {big} vs 10 users: same user {ratio_same:.2f}, "
        f"random user {ratio_spread:.2f}   (target <= 1.5)"
    )
    bench_startup(root / f"scale-{big}", big)
    for users in sizes:
        shutil.rmtree(root / f"scale-{users}")


def bench_startup(data_dir: Path, users: int) -> None:
    timings = []
    count = 0
    for _ in range(3):
        store = TinyDBStore(data_dir)  # fresh: no handles, nothing cached
        start = time.perf_counter()
        count = sum(1 for _ in store.all_open_promises())
        timings.append(time.perf_counter() - start)
    print(
        f"all_open_promises over {users} users: {count} promises in "
        f"{timings[0]:.2f} s first, {min(timings):.2f} s best of 3   (target < 3 s)"
    )


def bench_close(root: Path) -> None:
    closes = 50
    results = {}
    for archived in (0, 9_000):
        data_dir = root / f"close-{archived}"
        seed_user(data_dir / "users", 1, closes, archived, history_days=5 * 365)
        store = TinyDBStore(data_dir)
        timings = []
        for promise in store.open_promises(1):
            done = replace(promise, outcome=Outcome.KEPT, closed=promise.due)
            start = time.perf_counter()
            store.put_promise(done)
            timings.append(time.perf_counter() - start)
        assert len(store.closed_promises(1)) == archived + closes
        results[archived] = statistics.median(timings)
        shutil.rmtree(data_dir)
    print(
        f"close a promise: median {ms(results[9_000])} with 9,000 archived, "
        f"{ms(results[0])} with none"
    )
    flat = root / "flat.json"
    flat.write_bytes(
        tinydb_document(
            {
                "promises": [
                    PROMISE.encode(make_promise(1, n, days=-n / 5, closed=True))
                    for n in range(9_000)
                ]
            }
        )
    )
    db = TinyDB(flat, storage=AtomicJSONStorage)
    table = db.table("promises", cache_size=0)
    table.all()  # parsed once and kept, as a long-running process would
    timings = []
    for n in range(10):
        done = make_promise(1, 20_000 + n, days=1, closed=True)
        start = time.perf_counter()
        table.upsert(PROMISE.encode(done), where("id") == done.id)
        timings.append(time.perf_counter() - start)
    print(
        f"  for contrast, one TinyDB file holding all 9,000 ({flat.stat().st_size / 1e6:.1f} MB)"
        f": median {ms(statistics.median(timings))} per close"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temp data dir")
    parser.add_argument("--users", type=int, default=10_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="keepword-bench-", dir=args.dir))
    started = time.perf_counter()
    try:
        print(f"data in {root}")
        bench_scaling(root, args.users)
        bench_close(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
