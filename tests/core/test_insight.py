"""Where it slips, over seeded months: a planted weakness is named, noise is not."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.insight import (
    MIN_GROUP,
    Advice,
    Insight,
    find_insight,
)
from core.models import Kind, Outcome, Promise
from core.score import weekly_report

BERLIN = ZoneInfo("Europe/Berlin")
# Friday 27 Nov 2026, 20:00 in Berlin: the window is Mon 2 Nov – Sun 29 Nov.
NOW = datetime(2026, 11, 27, 20, 0, tzinfo=BERLIN)
WINDOW_START = datetime(2026, 11, 2, tzinfo=BERLIN)
SEEDS = range(5)
_ids = itertools.count()

HOURS = (8, 10, 13, 15, 18, 20, 23)
LEADS = (
    timedelta(minutes=15),
    timedelta(minutes=40),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(days=1, hours=2),
    timedelta(days=2),
)
TAGS: tuple[tuple[str, ...], ...] = (("#work",), ("@mom",), ("@sam",), (), ())
KINDS = tuple(Kind)


def promise(
    due: datetime,
    outcome: Outcome,
    *,
    lead: timedelta = timedelta(hours=3),
    tags: tuple[str, ...] = (),
    kind: Kind = Kind.OTHER,
    repair_of: str | None = None,
) -> Promise:
    due = due.astimezone(UTC)
    return Promise(
        id=f"i{next(_ids):06d}",
        user_id=1,
        task="a small promise",
        due=due,
        created=due - lead,
        tags=tags,
        kind=kind,
        outcome=outcome,
        closed=due + timedelta(minutes=2),
        repair_of=repair_of,
    )


def outcome_at(rng: random.Random, keep: float) -> Outcome:
    """Kept with probability ``keep``; of the rest a third late, the others broken."""
    draw = rng.random()
    if draw < keep:
        return Outcome.KEPT
    return Outcome.LATE if draw < keep + (1 - keep) / 3 else Outcome.BROKEN


def month(
    seed: int,
    weak: Callable[[Promise], bool] = lambda p: False,
    *,
    count: int = 130,
    keep: float = 0.85,
    weak_keep: float = 0.2,
    tags: tuple[tuple[str, ...], ...] = TAGS,
) -> list[Promise]:
    """A varied month: hours, lead times, people and kinds drawn at random, due before NOW."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        day = WINDOW_START + timedelta(days=rng.randrange(25))  # Mon 2 – Thu 26 Nov
        due = day.replace(hour=rng.choice(HOURS), minute=rng.choice((0, 15, 30)))
        shape = promise(
            due,
            Outcome.KEPT,
            lead=rng.choice(LEADS),
            tags=rng.choice(tags),
            kind=rng.choice(KINDS),
        )
        rate = weak_keep if weak(shape) else keep
        found.append(
            promise(
                due,
                outcome_at(rng, rate),
                lead=shape.due - shape.created,
                tags=shape.tags,
                kind=shape.kind,
            )
        )
    return found


def insight_of(promises: list[Promise]) -> Insight:
    return weekly_report(promises, NOW, BERLIN).insight


def _short(p: Promise) -> bool:
    return p.due - p.created < timedelta(hours=1)


def _evening(p: Promise) -> bool:
    return 17 <= p.due.astimezone(BERLIN).hour < 22


# A person whose work promises are frequent, as in the month the report is about.
WORKDAY_TAGS: tuple[tuple[str, ...], ...] = (("#work",), ("#work",), ("@mom",), ("@sam",), ())

PLANTED: list[tuple[str, Callable[[Promise], bool], str, Advice]] = [
    ("lead time", _short, "promises made less than an hour ahead", Advice.LATER_TIME),
    ("time of day", _evening, "promises due in the evening", Advice.MOVE_EARLY),
    ("person", lambda p: "@sam" in p.tags, "promises to @sam", Advice.MOVE_EARLY),
    (
        "kind",
        lambda p: p.kind is Kind.ATTENTION,
        "attention promises",
        Advice.AT_THE_MOMENT,
    ),
    ("kind", lambda p: p.kind is Kind.ON_TIME, "promises to be on time", Advice.SLACK),
    (
        "days ahead",
        lambda p: p.due - p.created >= timedelta(days=1),
        "promises made for a later day",
        Advice.EVENING_BEFORE,
    ),
    (
        "pair",
        lambda p: "#work" in p.tags and _short(p),
        "#work promises made less than an hour ahead",
        Advice.LATER_TIME,
    ),
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("by", "weak", "label", "advice"), PLANTED, ids=[row[2] for row in PLANTED]
)
def test_a_planted_weakness_is_named_with_its_advice(
    seed: int, by: str, weak: Callable[[Promise], bool], label: str, advice: Advice
) -> None:
    tags = WORKDAY_TAGS if by == "pair" else TAGS
    found = insight_of(month(seed, weak, tags=tags)).weak
    assert found is not None, by
    assert found.label == label
    assert found.advice is advice
    assert found.total >= MIN_GROUP
    assert found.percent < found.rest_percent - 15


def test_months_without_a_weakness_rarely_name_one() -> None:
    """200 months where every group keeps 85 %: the method may err, but seldom."""
    named = [seed for seed in range(1000, 1200) if insight_of(month(seed)).weak is not None]
    assert len(named) <= 10, named  # at most 5 %


def test_a_small_group_is_never_named_however_bad() -> None:
    good = [p for p in month(7, count=60, keep=1.0) if "@sam" not in p.tags]
    sam = [
        promise(WINDOW_START + timedelta(days=d, hours=9), Outcome.BROKEN, tags=("@sam",))
        for d in range(MIN_GROUP - 1)
    ]
    assert insight_of(good + sam).weak is None
    one_more = promise(WINDOW_START + timedelta(days=9, hours=9), Outcome.BROKEN, tags=("@sam",))
    weak = insight_of([*good, *sam, one_more]).weak
    assert weak is not None
    assert weak.label == "promises to @sam"


def test_too_little_data_says_nothing_at_all() -> None:
    few = month(3, _evening, count=9)
    insight = insight_of(few)
    assert not insight.enough
    assert insight.weak is None
    assert insight.strong is None


def test_this_weeks_noise_gives_way_to_the_months_pattern() -> None:
    """This week: 3 morning promises, 1 missed. The month: evenings go wrong."""
    earlier = [
        p for p in month(11, _evening, count=100) if p.due < datetime(2026, 11, 23, tzinfo=BERLIN)
    ]
    this_week = [
        promise(datetime(2026, 11, 24, 9, tzinfo=BERLIN), Outcome.BROKEN),
        promise(datetime(2026, 11, 25, 9, tzinfo=BERLIN), Outcome.KEPT),
        promise(datetime(2026, 11, 26, 9, tzinfo=BERLIN), Outcome.KEPT),
    ]
    weak = insight_of(earlier + this_week).weak
    assert weak is not None
    assert weak.label == "promises due in the evening"


def test_what_holds_and_what_was_repaired() -> None:
    history = month(5, count=60, keep=0.6)
    mom = [
        promise(WINDOW_START + timedelta(days=d, hours=11), Outcome.KEPT, tags=("@mom",))
        for d in range(14)
    ]
    broken = promise(WINDOW_START + timedelta(days=3, hours=15), Outcome.BROKEN)
    repair = promise(WINDOW_START + timedelta(days=4, hours=15), Outcome.LATE, repair_of=broken.id)
    failed_repair = promise(
        WINDOW_START + timedelta(days=5, hours=15), Outcome.BROKEN, repair_of=broken.id
    )
    mom_free = [p for p in history if "@mom" not in p.tags]
    insight = insight_of([*mom_free, *mom, broken, repair, failed_repair])
    assert insight.strong is not None
    assert insight.strong.label == "promises to @mom"
    assert (insight.strong.kept_any, insight.strong.total) == (14, 14)
    assert insight.repaired == 1


def test_the_slipping_group_is_never_also_what_holds() -> None:
    for seed in SEEDS:
        insight = insight_of(month(seed, lambda p: "@sam" in p.tags))
        if insight.weak and insight.strong:
            assert not set(insight.weak.facets) & set(insight.strong.facets)


def test_the_same_promises_in_any_order_give_the_same_insight() -> None:
    promises = month(21, lambda p: "#work" in p.tags and _short(p))
    shuffled = promises[:]
    random.Random(0).shuffle(shuffled)
    assert insight_of(promises) == insight_of(shuffled)
    assert insight_of(promises) == insight_of(list(reversed(promises)))


def test_open_and_cancelled_promises_are_not_scored() -> None:
    scored = month(8, _evening, count=40)
    extra = [
        promise(WINDOW_START + timedelta(days=d, hours=19), Outcome.CANCELLED) for d in range(20)
    ]
    assert find_insight(scored + extra, BERLIN).scored == 40
