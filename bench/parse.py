"""How fast and how right the time-phrase parser is, beside dateparser, on the test table.

Run: .venv/bin/python bench/parse.py [--repeat N]

The corpus is tests/core/timephrase_cases.py (every row has an explicit `now` and zone).
Figures printed:
- median and p99 over the rows of the microseconds one parse of that row takes (per row,
  the best of a few timed batches, so that other work on the machine is not counted);
- how many rows each parser gets right: for rows with a due time, the due to the minute;
  for rows with no time or an impossible one, finding no date at all. dateparser is given
  the settings a bot would use (relative base = the user's local now, future dates
  preferred, the user's zone) and its first date found counts (its best date, "any", is
  shown beside). Routine rows are ours alone: dateparser has no notion of them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.timephrase import NeedsTime, ParsedPromise, ParsedRoutine, ParseError, parse  # noqa: E402
from tests.core.timephrase_cases import CASES, ERROR, NEEDS, Case  # noqa: E402
from tests.core.world_phrases import ASK, WORLD, WorldCase  # noqa: E402

#: Crafted to be slow: long runs of what each reader half-matches. parse refuses text over
#: 1,000 characters at once, so the worst it can be given is just under that.
WORST_INPUTS = {
    "weekday beside dates": "Thu 15th, Monday, Feb 18 ",
    "number words and past": "twenty five minutes past three pm ",
    "ranges": "3-4pm ",
    "durations": "1d 2h 3m 4s ",
    "clock soup": "at 7pm in 5 minutes:-",
    "leftover time words": "next month in March 3 fortnights ",
    "corrections": "call mom at 7, no at 8 tomorrow lunch ",
    "spaced clocks": "12 15 ",
}


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _routine_text(got: ParsedRoutine) -> str:
    days = ",".join(map(str, got.rule.days))
    return f"ROUTINE {days} {got.rule.hour:02d}:{got.rule.minute:02d}"


def _ours_right(case: Case) -> bool:
    got = parse(case.text, case.now_aware(), ZoneInfo(case.tz))
    if case.want == ERROR:
        return isinstance(got, ParseError)
    if case.want == NEEDS:
        ok = isinstance(got, NeedsTime)
    elif case.want.startswith("ROUTINE"):
        ok = isinstance(got, ParsedRoutine) and _routine_text(got) == case.want
    else:
        ok = isinstance(got, ParsedPromise) and case.due_matches(got.due)
    if ok and case.task is not None and not isinstance(got, ParseError):
        ok = got.task == case.task
    return ok


def _ours_due_right(case: Case) -> bool:
    """The due time alone (task text aside), as dateparser is judged."""
    got = parse(case.text, case.now_aware(), ZoneInfo(case.tz))
    if case.is_due:
        return isinstance(got, ParsedPromise) and case.due_matches(got.due)
    return not isinstance(got, ParsedPromise | ParsedRoutine)


def _time_calls(call: Callable[[], object], repeat: int, batches: int = 5) -> float:
    """Microseconds per call for one row: the best of a few batches (as timeit does), so
    that other work on the machine does not show up as parser time."""
    best = float("inf")
    for _ in range(batches):
        start = time.perf_counter_ns()
        for _ in range(repeat):
            call()
        best = min(best, (time.perf_counter_ns() - start) / 1000 / repeat)
    return best


def _dateparser_search(crashes: set[Case]) -> Callable[[Case], list[datetime]]:
    from dateparser.search import search_dates  # a dev dependency: imported only here

    def search(case: Case) -> list[datetime]:
        now_local = case.now_aware().replace(tzinfo=None)
        try:
            found = search_dates(
                case.text,
                languages=["en"],
                settings={
                    "RELATIVE_BASE": now_local,
                    "PREFER_DATES_FROM": "future",
                    "TIMEZONE": case.tz,
                    "RETURN_AS_TIMEZONE_AWARE": True,
                },
            )
        except Exception:  # e.g. pytz's AmbiguousTimeError on a fall-back hour
            crashes.add(case)
            return []
        return [when for _, when in found or []]

    return search


def _world_verdict_ours(case: WorldCase) -> str:
    tz = ZoneInfo(case.tz)
    got = parse(case.text, case.now_aware(), tz)
    if not isinstance(got, ParsedPromise):
        return "right" if case.want == ASK else "asked"
    shown = got.due.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return "right" if shown == case.want else "wrong"


def _world_verdict_dp(case: WorldCase, search: Callable[[Case], list[datetime]]) -> str:
    """dateparser's first date found, judged the same way (nothing found = asked)."""
    found = search(Case(case.text, case.now, case.tz, case.want))
    if not found:
        return "right" if case.want == ASK else "asked"
    shown = found[0].astimezone(ZoneInfo(case.tz)).strftime("%Y-%m-%d %H:%M")
    return "right" if shown == case.want else "wrong"


def _world(search: Callable[[Case], list[datetime]]) -> None:
    ours = [_world_verdict_ours(c) for c in WORLD]
    theirs = [_world_verdict_dp(c, search) for c in WORLD]
    print(f"\nworld table ({len(WORLD)} rows, tests/core/world_phrases.py)")
    print(f"{'':<18}  {'Keepword':>12}  {'dateparser':>12}")
    for verdict, label in (("right", "right"), ("asked", "asked"), ("wrong", "silently wrong")):
        a, b = ours.count(verdict), theirs.count(verdict)
        print(
            f"{label:<18}  {a:>6} {100 * a / len(WORLD):4.1f}%"
            f"  {b:>6} {100 * b / len(WORLD):4.1f}%"
        )


def _worst() -> None:
    case = CASES[0]
    now, tz = case.now_aware(), ZoneInfo(case.tz)
    print("\nworst crafted inputs (best of 5, ms)")
    for name, unit in WORST_INPUTS.items():
        for size in (999, 4096):
            text = (unit * (size // len(unit) + 1))[:size]
            best = min(_time_calls(partial(parse, text, now, tz), 1, batches=5) for _ in range(1))
            print(f"  {name:<24} {size:>5} chars  {best / 1000:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="parses per batch per row (ours)")
    parser.add_argument("--dp-repeat", type=int, default=1, help="parses per batch per row (dp)")
    args = parser.parse_args()

    inputs = [(case, case.now_aware(), ZoneInfo(case.tz)) for case in CASES]
    for case, now, tz in inputs:  # warm-up: regex caches, zoneinfo caches
        parse(case.text, now, tz)
    ours: list[float] = []
    for case, now, tz in inputs:
        ours.append(_time_calls(partial(parse, case.text, now, tz), args.repeat))

    due_rows = [c for c in CASES if c.is_due]
    none_rows = [c for c in CASES if c.want in (NEEDS, ERROR)]
    routine_rows = [c for c in CASES if c.want.startswith("ROUTINE")]
    ours_full = sum(_ours_right(c) for c in CASES)
    ours_due = sum(_ours_due_right(c) for c in due_rows)
    ours_none = sum(_ours_due_right(c) for c in none_rows)
    ours_routines = sum(_ours_right(c) for c in routine_rows)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        crashes: set[Case] = set()
        search = _dateparser_search(crashes)
        for case in CASES[:5]:
            search(case)
        dp_times: list[float] = []
        dp_first = dp_any = dp_none = 0
        for case in CASES:
            dp_times.append(_time_calls(partial(search, case), args.dp_repeat, batches=3))
            if case.want.startswith("ROUTINE"):
                continue
            found = search(case)
            if case.is_due:
                dp_first += bool(found) and case.due_matches(found[0])
                dp_any += any(case.due_matches(when) for when in found)
            else:
                dp_none += not found

    ours_median = statistics.median(ours)
    dp_median = statistics.median(dp_times)
    rows = [
        ("", "Keepword", "dateparser"),
        ("corpus rows", str(len(CASES)), str(len(CASES) - len(routine_rows))),
        (
            f"due right ({len(due_rows)} rows)",
            str(ours_due),
            f"{dp_first} (any: {dp_any})",
        ),
        (f"no time / refused ({len(none_rows)} rows)", str(ours_none), str(dp_none)),
        (f"routines ({len(routine_rows)} rows)", str(ours_routines), "n/a"),
        ("right in total", str(ours_due + ours_none + ours_routines), str(dp_first + dp_none)),
        ("all right incl. task text", f"{ours_full}/{len(CASES)}", "n/a"),
        ("median µs / phrase", f"{ours_median:.1f}", f"{dp_median:.1f}"),
        (
            "p99 µs / phrase",
            f"{_percentile(ours, 0.99):.1f}",
            f"{_percentile(dp_times, 0.99):.1f}",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    for label, a, b in rows:
        print(f"{label:<{width}}  {a:>12}  {b:>16}")
    print(f"\ndateparser raised on {len(crashes)} rows (counted as finding nothing).")
    print(f"dateparser takes {dp_median / ours_median:.0f}x as long per phrase (median).")
    target = "met" if ours_median < 50 else "MISSED"
    print(f"target median < 50 µs: {target}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _world(search)
    _worst()


if __name__ == "__main__":
    main()
