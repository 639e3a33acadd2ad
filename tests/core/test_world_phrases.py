"""The world's table (tests/core/world_phrases.py): right, asked, never silently wrong."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core.timephrase import ParsedPromise, parse
from tests.core.world_phrases import ASK, WORLD, WorldCase


def _verdict(case: WorldCase) -> str:
    """ "right", "asked" (a question or a refusal where a time was wanted) or "wrong"."""
    tz = ZoneInfo(case.tz)
    got = parse(case.text, case.now_aware(), tz)
    if not isinstance(got, ParsedPromise):
        return "right" if case.want == ASK else "asked"
    due = got.due.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return "right" if due == case.want else "wrong"


def test_the_world_table_is_broad() -> None:
    assert len(WORLD) >= 1000
    assert len({case.tz for case in WORLD}) >= 5
    days = {case.now[:10] for case in WORLD}
    assert {"2026-03-07", "2026-10-03", "2026-10-24"} <= days  # the eve of DST changes


def test_the_world_table_is_read_right_and_never_silently_wrong() -> None:
    verdicts = [(case, _verdict(case)) for case in WORLD]
    wrong = [f"{c.text!r} @{c.now} {c.tz} wanted {c.want}" for c, v in verdicts if v == "wrong"]
    right = sum(v == "right" for _, v in verdicts)
    assert not wrong, "\n".join(wrong[:20])
    assert right >= 0.95 * len(WORLD), f"{right} of {len(WORLD)} right"
