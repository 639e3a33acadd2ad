"""Properties of the score that must hold for any mix of promises."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from core.models import Kind, Outcome, Promise
from core.score import Tally, tally, weekly_report

ZONES = [ZoneInfo(name) for name in ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC")]
NOW = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
SPAN_MINUTES = 5 * 7 * 24 * 60  # four weeks back, one ahead
TAGS = ("#mom", "#Mom", "#work", "@sam", "@lea")

promise_fields = st.fixed_dictionaries(
    {
        "offset": st.integers(-SPAN_MINUTES + 7 * 24 * 60, 7 * 24 * 60),
        "lead": st.integers(1, 3 * 24 * 60),
        "outcome": st.sampled_from([None, *Outcome]),
        "tags": st.lists(st.sampled_from(TAGS), max_size=2).map(tuple),
        "kind": st.sampled_from(list(Kind)),
        "repair": st.booleans(),
        "renegotiations": st.integers(0, 2),
    }
)


def build(fields: list[dict[str, object]], prefix: str = "p") -> list[Promise]:
    promises = []
    for index, f in enumerate(fields):
        due = NOW + timedelta(minutes=int(f["offset"]))  # type: ignore[call-overload]
        outcome = f["outcome"]
        assert outcome is None or isinstance(outcome, Outcome)
        promises.append(
            Promise(
                id=f"{prefix}{index}",
                user_id=1,
                task="call mom back",
                due=due,
                created=due - timedelta(minutes=int(f["lead"])),  # type: ignore[call-overload]
                tags=f["tags"],  # type: ignore[arg-type]
                kind=f["kind"],  # type: ignore[arg-type]
                outcome=outcome,
                closed=None if outcome is None else min(due, NOW),
                repair_of="x" if f["repair"] else None,
                renegotiations=int(f["renegotiations"]),  # type: ignore[call-overload]
            )
        )
    return promises


many = st.lists(promise_fields, max_size=40).map(build)
zones = st.sampled_from(ZONES)


@given(many, zones)
def test_percentages_stay_between_0_and_100(promises: list[Promise], tz: ZoneInfo) -> None:
    report = weekly_report(promises, NOW, tz)
    for week in report.weeks:
        assert week.tally.kept_any <= week.tally.scored
        percent = week.tally.percent
        assert percent is None or 0.0 <= percent <= 100.0
        assert (percent is None) == (week.tally.scored == 0)
    assert report.reliability is None or 0.0 <= report.reliability <= 100.0
    assert report.delta is None or -100 <= report.delta <= 100
    for _, kept, scored in report.by_tag:
        assert 0 <= kept <= scored
    for found in (report.insight.weak, report.insight.strong):
        if found is not None:
            assert 0 <= found.kept_any <= found.total <= report.insight.scored
            assert 0.0 <= found.percent <= 100.0
            assert 0.0 <= found.rest_percent <= 100.0
    weak = report.insight.weak
    if weak is not None:
        assert weak.percent < weak.rest_percent


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_tally_percent_bounds(kept: int, late: int, broken: int, unanswered: int) -> None:
    t = Tally(kept, late, broken, unanswered)
    assert t.kept_any <= t.scored
    assert t.percent is None or 0.0 <= t.percent <= 100.0
    assert t.rounded is None or 0 <= t.rounded <= 100


@given(many, zones, st.randoms(use_true_random=False))
def test_order_of_promises_does_not_matter(
    promises: list[Promise], tz: ZoneInfo, rnd: random.Random
) -> None:
    shuffled = list(promises)
    rnd.shuffle(shuffled)
    assert weekly_report(shuffled, NOW, tz) == weekly_report(promises, NOW, tz)


@given(many, st.lists(promise_fields, min_size=1, max_size=10), zones)
@settings(max_examples=150)
def test_cancelled_promises_never_change_the_score(
    promises: list[Promise], extra: list[dict[str, object]], tz: ZoneInfo
) -> None:
    cancelled = [
        replace(p, outcome=Outcome.CANCELLED, closed=min(p.due, NOW), repair_of=None)
        for p in build(extra, prefix="c")
    ]
    before = weekly_report(promises, NOW, tz)
    after = weekly_report(promises + cancelled, NOW, tz)
    assert [w.tally.percent for w in after.weeks] == [w.tally.percent for w in before.weeks]
    assert after.this_week.scored == before.this_week.scored
    assert after.delta == before.delta
    assert after.reliability == before.reliability
    assert after.longest_streak == before.longest_streak
    assert after.best_streak == before.best_streak
    assert after.by_tag == before.by_tag
    assert after.insight == before.insight


@given(many)
def test_tally_of_a_union_is_the_sum(promises: list[Promise]) -> None:
    half = len(promises) // 2
    a, b, whole = tally(promises[:half]), tally(promises[half:]), tally(promises)
    assert whole.scored == a.scored + b.scored
    assert whole.kept_any == a.kept_any + b.kept_any
    assert whole.cancelled == a.cancelled + b.cancelled
