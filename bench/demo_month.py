"""Write docs/demo-month.json: a realistic, varied month of small promises to import.

    .venv/bin/python bench/demo_month.py          # rewrite docs/demo-month.json
    .venv/bin/python bench/demo_month.py --check  # exit 1 if the file is stale

A person who keeps most of their word, in five weeks of about 130 promises to family,
friends and work, made the way people type them, with two real patterns: "phone away
at dinner" promised hours ahead is kept about a third of the time, and so are work
replies promised 20 minutes ahead. A few broken promises are repaired, a few are
moved to a new time, one is cancelled. The file is an ordinary /export document
marked ``"demo": true``, so ``keepword import`` moves it up to the current week.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.export import export_document  # noqa: E402
from core.kinds import detect_kind  # noqa: E402
from core.models import Outcome, Promise, Recurrence, Routine, UserSettings  # noqa: E402
from core.timephrase import extract_tags  # noqa: E402
from core.transfer import PREFERENCES  # noqa: E402

TARGET = ROOT / "docs" / "demo-month.json"
TZ = ZoneInfo("Europe/Berlin")
# The demo's "now": a Sunday evening, the moment the weekly report goes out.
NOW = datetime(2026, 11, 29, 19, 30, tzinfo=TZ)
DAYS = 35
USER = 1

# (task, hour, minutes ahead it was promised, chance it is kept)
EVERYDAY = [
    ("call mom back #mom", 18, 30, 0.95),
    ("text @sam the address", 12, 10, 0.9),
    ("pick up the kids at school", 15, 240, 0.9),
    ("buy milk on the way home", 18, 120, 0.85),
    ("send @jo the photos", 21, 60, 0.85),
    ("be at the gym", 7, 600, 0.8),
    ("pay back @sam for lunch", 13, 180, 0.9),
    ("water the plants", 9, 720, 0.85),
    ("call grandma #family", 17, 1440, 0.9),
    ("book the dentist", 10, 2880, 0.8),
    ("listen to @lea's demo", 20, 90, 0.85),
    ("return the drill to @ben", 11, 1440, 0.8),
    ("review the slides #work", 14, 240, 0.9),
    ("send the weekly report #work", 16, 1440, 0.9),
    ("prep notes for the standup #work", 9, 900, 0.9),
    ("leave by 8:15 for the train", 8, 600, 0.85),
]
# The month's two real patterns: kept about a third of the time.
WORK_REPLY = ("reply to the client #work", 20, 0.33)
DINNER = ("phone away at dinner", 19, 300, 0.33)


def _promise(
    rng: random.Random, n: int, task: str, due: datetime, ahead: timedelta, keep: float
) -> Promise:
    draw = rng.random()
    if draw < keep:
        outcome, closed = Outcome.KEPT, due + timedelta(minutes=rng.randrange(1, 15))
    elif draw < keep + (1 - keep) / 3:
        outcome, closed = Outcome.LATE, due + timedelta(minutes=rng.randrange(20, 120))
    else:
        outcome, closed = Outcome.BROKEN, due + timedelta(hours=1)
    due_utc = due.astimezone(UTC)
    return Promise(
        id=f"demo{n:04d}",
        user_id=USER,
        task=task,
        due=due_utc,
        created=due_utc - ahead,
        tags=extract_tags(task),
        kind=detect_kind(task),
        outcome=outcome,
        closed=closed.astimezone(UTC),
        asked=due_utc,
    )


def demo_history() -> tuple[UserSettings, list[Promise], list[Routine]]:
    rng = random.Random(20261129)
    first_day = (NOW - timedelta(days=DAYS)).date()
    promises: list[Promise] = []
    for offset in range(DAYS):
        day = first_day + timedelta(days=offset)
        weekday = day.weekday()
        todays = rng.sample(EVERYDAY, k=3 if weekday >= 5 else 2)
        for task, hour, minutes, keep in todays:
            due = datetime(day.year, day.month, day.day, hour, rng.choice((0, 15, 30)), tzinfo=TZ)
            promises.append(
                _promise(rng, len(promises), task, due, timedelta(minutes=minutes), keep)
            )
        if weekday < 5 and rng.random() < 0.85:
            task, hour, keep = WORK_REPLY
            due = datetime(
                day.year, day.month, day.day, hour - 10 + rng.randrange(0, 6), 0, tzinfo=TZ
            )
            ahead = timedelta(minutes=20)
            promises.append(_promise(rng, len(promises), task, due, ahead, keep))
        if rng.random() < 0.5:
            task, hour, minutes, keep = DINNER
            due = datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)
            promises.append(
                _promise(rng, len(promises), task, due, timedelta(minutes=minutes), keep)
            )
    promises = [p for p in promises if p.due <= NOW.astimezone(UTC)]
    # Trust is the presence of repair: a few broken ones are made right the next day.
    broken = [p for p in promises if p.outcome is Outcome.BROKEN and "phone" not in p.task]
    for original in broken[: max(3, len(broken) // 4)]:
        repair_due = original.due + timedelta(days=1)
        if repair_due > NOW.astimezone(UTC):
            continue
        promises.append(
            replace(
                original,
                id=f"demo{len(promises):04d}",
                task=f"{original.task} (make up)",
                due=repair_due,
                created=original.due + timedelta(hours=2),
                outcome=Outcome.KEPT,
                closed=repair_due + timedelta(minutes=5),
                asked=repair_due,
                repair_of=original.id,
            )
        )
    for index in rng.sample(range(len(promises)), k=6):
        promises[index] = replace(promises[index], renegotiations=1)
    cancelled = promises[7]
    promises[7] = replace(cancelled, outcome=Outcome.CANCELLED, closed=cancelled.created)
    settings = UserSettings(
        user_id=USER,
        chat_id=USER,
        tz=TZ.key,
        created=(NOW - timedelta(days=DAYS + 1)).astimezone(UTC),
        reflections=(((NOW - timedelta(days=7)).astimezone(UTC), "pretty good, maybe 7/10"),),
    )
    routine = Routine(
        id="demoroutine1",
        user_id=USER,
        task="phone away at breakfast",
        rule=Recurrence(days=(0, 1, 2, 3, 4), hour=7, minute=30),
        created=(NOW - timedelta(days=DAYS)).astimezone(UTC),
        kind=detect_kind("phone away at breakfast"),
        last_occurrence=(NOW - timedelta(days=2)).astimezone(UTC),
    )
    return settings, sorted(promises, key=lambda p: (p.due, p.id)), [routine]


def demo_document() -> dict[str, object]:
    settings, promises, routines = demo_history()
    document = export_document(settings, [], promises, routines, NOW.astimezone(UTC))
    # Only what an import takes from settings, so a new conversation field added to
    # UserSettings does not make the file stale (a missing field reads as its default).
    chosen = {"user_id", "chat_id", *PREFERENCES}
    document["settings"] = {k: v for k, v in document["settings"].items() if k in chosen}
    document["demo"] = True
    return document


def demo_bytes() -> bytes:
    return (json.dumps(demo_document(), ensure_ascii=False, indent=1) + "\n").encode()


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--check", action="store_true", help="fail if the file is stale")
    check = args.parse_args().check
    data = demo_bytes()
    if check:
        stale = not TARGET.exists() or TARGET.read_bytes() != data
        print(f"{TARGET.relative_to(ROOT)}: {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    TARGET.write_bytes(data)
    count = len(demo_document()["promises"])  # type: ignore[arg-type]
    print(f"wrote {TARGET.relative_to(ROOT)}: {count} promises, {len(data) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
