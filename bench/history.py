"""What a big closed history costs a close, the Kept tally and /score (TinyDB store).

Run: .venv/bin/python bench/history.py [--closed N] [--dir PATH]

One user with 30,000 closed promises due this month (Europe/Berlin, "now" a Friday
evening late in the month), seeded as files in the layout of a data dir written before
the history index existed (one archive file per month), so the first figure is the
one-time cost of opening such a data dir. Then, each the median of several runs with
real fsyncs on the real disk:

  * close: ``put_promise`` of a closed promise due today;
  * Kept tally: the "N of M kept this week" line every answer shows (``week_tally``);
  * /score: the whole command through the conversation (report, text, send);
  * Kept tap: a check-in answered with its button, end to end (close + tally + edit).

Every one of them runs on the event loop and blocks every other user meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.context import Context, Sender  # noqa: E402
from bot.conversation import Conversation  # noqa: E402
from bot.replies import Reply  # noqa: E402
from core.models import Kind, Outcome, Promise, UserSettings  # noqa: E402
from storage.codec import PROMISE, SETTINGS  # noqa: E402
from storage.tinydb_store import TinyDBStore  # noqa: E402
from tests.bot.fakes import ManualClock, ManualScheduler, RecordingOutbox  # noqa: E402

USER = 4242
NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # Friday 19:00 in Berlin
MONTH_START = datetime(2026, 11, 1, tzinfo=UTC)
TASKS = (
    ("call mom back", ("#mom",), Kind.CALLBACK),
    ("send the report to Ana", ("#work",), Kind.FAVOUR),
    ("be at the station", (), Kind.ON_TIME),
    ("phone away at dinner", (), Kind.ATTENTION),
    ("text Sam about Saturday", ("@sam",), Kind.CALLBACK),
)
OUTCOMES = (Outcome.KEPT,) * 6 + (Outcome.LATE, Outcome.BROKEN, Outcome.UNANSWERED)


def closed_history(count: int) -> list[Promise]:
    span = (NOW - timedelta(hours=1)) - MONTH_START
    promises = []
    for n in range(count):
        due = MONTH_START + span * (n / count)
        task, tags, kind = TASKS[n % len(TASKS)]
        outcome = OUTCOMES[n % len(OUTCOMES)]
        promises.append(
            Promise(
                id=f"h{n}",
                user_id=USER,
                task=task,
                due=due,
                created=due - timedelta(minutes=30),
                tags=tags,
                kind=kind,
                outcome=outcome,
                closed=due + timedelta(minutes=2),
                asked=due,
                checkin_message_id=n + 1,
                source_message_id=n + 1,
            )
        )
    return promises


def tinydb_document(tables: dict[str, list[dict[str, object]]]) -> bytes:
    document = {
        name: {str(i + 1): doc for i, doc in enumerate(docs)} for name, docs in tables.items()
    }
    return json.dumps(document, separators=(",", ":")).encode()


def seed_legacy(data_dir: Path, count: int) -> None:
    """The files a data dir held before the history index: one archive file per month."""
    user_dir = data_dir / "users" / str(USER)
    (user_dir / "archive").mkdir(parents=True)
    settings = UserSettings(user_id=USER, chat_id=USER, tz="Europe/Berlin", created=MONTH_START)
    (user_dir / "open.json").write_bytes(
        tinydb_document({"settings": [SETTINGS.encode(settings)]})
    )
    docs = [PROMISE.encode(p) for p in closed_history(count)]
    (user_dir / "archive" / "2026-11.json").write_bytes(tinydb_document({"promises": docs}))


def median_ms(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def bench(data_dir: Path, count: int, runs: int) -> None:
    started = time.perf_counter()
    seed_legacy(data_dir, count)
    size = (data_dir / "users" / str(USER) / "archive" / "2026-11.json").stat().st_size
    print(
        f"seeded {count:,} closed promises this month ({size / 1e6:.1f} MB) in "
        f"{time.perf_counter() - started:.1f} s"
    )

    clock = ManualClock(NOW)
    store = TinyDBStore(data_dir)
    outbox = RecordingOutbox()
    ids = iter(range(1, 1_000_000))
    ctx = Context(store, outbox, ManualScheduler(), clock, make_id=lambda: f"n{next(ids)}")
    bot = Conversation(ctx)
    loop = asyncio.new_event_loop()
    user = store.get_user(USER)
    assert user is not None

    began = time.perf_counter()
    first = bot.promises.week_tally(user, NOW)
    print(
        f"first read after opening (one-time upgrade of the layout): "
        f"{(time.perf_counter() - began) * 1000:.0f} ms"
    )
    print(f"  this week so far: {first.kept_any} of {first.scored} kept")

    pending = [
        Promise(f"c{n}", USER, "water the plants", NOW - timedelta(minutes=n), NOW)
        for n in range(runs)
    ]
    for promise in pending:
        store.put_promise(promise)
    queue = list(pending)

    def close() -> None:
        promise = queue.pop()
        store.put_promise(replace(promise, outcome=Outcome.KEPT, closed=NOW))

    close_ms = median_ms(close, runs)
    tally_ms = median_ms(lambda: bot.promises.week_tally(user, NOW), runs)
    message_ids = iter(range(10_000_000, 20_000_000))

    def score() -> None:
        who = Sender(USER, USER, "Ann", next(message_ids))
        loop.run_until_complete(bot.on_command(who, "score", ""))

    score_ms = median_ms(score, max(3, runs // 2))
    print(f"  {outbox.last.text.splitlines()[0]}")

    taps = []
    for n in range(max(3, runs // 2)):
        promise = Promise(f"t{n}", USER, "call Jo back", NOW - timedelta(minutes=1), NOW)
        promise = replace(promise, asked=NOW, checkin_message_id=999_000 + n)
        store.put_promise(promise)
        taps.append(promise)
    message_id = 0

    def tap() -> None:
        nonlocal message_id
        promise = taps.pop()
        message_id = loop.run_until_complete(outbox.send(USER, Reply("check-in"))) or 0
        loop.run_until_complete(bot.on_button(Sender(USER, USER), message_id, f"k:{promise.id}"))

    tap_ms = median_ms(tap, max(3, runs // 2))
    loop.close()
    print(f"close (put_promise, closed):      median {close_ms:7.1f} ms  (n={runs})")
    print(f"Kept tally (week so far):         median {tally_ms:7.1f} ms  (n={runs})")
    print(f"/score through the conversation:  median {score_ms:7.1f} ms  (n={max(3, runs // 2)})")
    print(f"Kept tap, end to end:             median {tap_ms:7.1f} ms  (n={max(3, runs // 2)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--closed", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temp data dir")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="keepword-history-", dir=args.dir))
    try:
        bench(root / "data", args.closed, args.runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
