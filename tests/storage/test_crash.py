"""kill -9 at random moments: no file is left unreadable, no acknowledged write is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.models import Outcome, Promise
from storage.atomic import TEMP_SUFFIX
from storage.codec import PROMISE
from storage.tinydb_store import TinyDBStore

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 10
SEEDED_PER_USER = 150
T0 = datetime(2024, 1, 1, tzinfo=UTC)

# The child writes as fast as its (deliberately slow) disk allows and reports each write
# only after put_promise (or put_user) has returned: a write the bot would acknowledge.
WRITER = """
import os
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.models import Outcome, Promise, UserSettings
from storage.tinydb_store import TinyDBStore

data_dir, round_no = Path(sys.argv[1]), int(sys.argv[2])
real_fsync = os.fsync


def slow_fsync(fd):
    real_fsync(fd)
    time.sleep(0.002)


os.fsync = slow_fsync  # a slow disk widens every window a torn write could slip through
store = TinyDBStore(data_dir)
t0 = datetime(2024, 1, 1, tzinfo=UTC)
print("ready", flush=True)
n = 0
while True:
    user_id = n % 4 + 1
    pid = f"r{round_no}-{n}"
    promise = Promise(
        id=pid, user_id=user_id, task="call back", due=t0 + timedelta(days=9 * n + round_no),
        created=t0, source_message_id=round_no * 100_000 + n,
    )
    store.put_promise(promise)
    print("open", user_id, pid, flush=True)
    if n % 2 == 0:
        store.put_promise(replace(promise, outcome=Outcome.KEPT, closed=promise.due))
        print("closed", user_id, pid, flush=True)
    if n % 5 == 0:
        stamp = round_no * 100_000 + n  # grows across rounds, so "at least" is exact
        store.put_user(UserSettings(user_id=user_id, chat_id=user_id, last_message_id=stamp))
        print("user", user_id, stamp, flush=True)
    n += 1
"""


def run_and_kill(data_dir: Path, round_no: int, rng: random.Random) -> list[list[str]]:
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir), str(round_no)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.35))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=10)
    finally:  # a writer that never got ready, or a failed check: never leave it running
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    # The last line may be cut off by the kill: only newline-terminated lines count.
    return [line.split() for line in out.split("\n")[:-1]]


def seed(data_dir: Path) -> set[tuple[int, str]]:
    """Give each user a sizeable open.json, so every rewrite takes a while to hit disk:
    the window in which an in-place writer would leave a torn file is then wide."""
    seeded: set[tuple[int, str]] = set()
    for user_id in range(1, 5):
        docs = {}
        for n in range(SEEDED_PER_USER):
            promise = Promise(
                id=f"seed-{n}",
                user_id=user_id,
                task="seeded " * 20,
                due=T0 + timedelta(hours=n),
                created=T0,
            )
            docs[str(n + 1)] = PROMISE.encode(promise)
            seeded.add((user_id, promise.id))
        user_dir = data_dir / "users" / str(user_id)
        user_dir.mkdir(parents=True)
        (user_dir / "open.json").write_text(json.dumps({"promises": docs}))
    return seeded


def data_files(data_dir: Path) -> list[Path]:
    return [p for p in data_dir.rglob("*") if p.is_file()]


def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    rng = random.Random(20240501)
    data_dir = tmp_path / "data"
    # The last acknowledged state of each promise.
    state: dict[tuple[int, str], str] = dict.fromkeys(seed(data_dir), "open")
    last_user_write: dict[int, int] = {}
    total = 0
    for round_no in range(ROUNDS):
        lines = run_and_kill(data_dir, round_no, rng)
        for what, who, ident in lines:
            if what == "user":
                last_user_write[int(who)] = int(ident)
            else:
                state[int(who), ident] = what
        total += len(lines)

        for path in data_files(data_dir):
            if not path.name.endswith(TEMP_SUFFIX):
                json.loads(path.read_bytes())  # every committed file parses

        store = TinyDBStore(data_dir)
        for (user_id, pid), what in state.items():
            found = store.get_promise(user_id, pid)
            assert found is not None, f"round {round_no}: lost {pid}"
            if what == "closed":
                assert found.outcome is Outcome.KEPT, f"round {round_no}: {pid} reopened"
        for user_id, n in last_user_write.items():
            settings = store.get_user(user_id)
            assert settings is not None
            assert settings.last_message_id >= n
        open_ids = {p.id for p in store.all_open_promises()}
        for (_, pid), what in state.items():
            if what == "closed":
                assert pid not in open_ids
        # Opening a user's files sweeps whatever temp file the kill left behind.
        for user_id in store.user_ids():
            store.get_user(user_id)
        assert [p for p in data_files(data_dir) if p.name.endswith(TEMP_SUFFIX)] == []
        for path in data_files(data_dir):
            json.loads(path.read_bytes())
    assert total > 50, "the child barely wrote anything; the test proves little"
