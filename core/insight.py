"""Where a person's word slips, and where it holds — named only when the numbers say so.

A week holds a handful of promises, so "the weakest group of this week" is mostly
noise: three promises due in the morning, one missed, is what chance does. This
module looks at the last four weeks, compares each group with the person's own rate
*outside* it, and names a group only when it is clearly worse:

* Each side's rate gets a Beta posterior under a uniform prior, with kept = 1 point,
  late = ½ and broken or unanswered = 0 (the same points as the score).
* The gap between the two posterior means must stay positive at its lower bound
  (normal approximation of the difference of two Betas), *and* the plain gap must
  be at least 15 points, so a large history cannot turn a trivial difference into
  advice.
* Many groups are tried at once, and each is a chance to name noise, so the 5 %
  error rate is split among them (Bonferroni): with ~75 groups the bound is
  one-sided 99.93 %.
* Neither side may hold fewer than five promises, and nothing is said at all below
  ten scored promises in the window.

Groups are single facets (person or tag, kind, time of day, lead time) and pairs of
a subject with a qualifier ("#work promises made less than an hour ahead") or of two
qualifiers. A pair is named only when both halves matter: it must also be clearly
worse (one-sided 99 %) than the rest of each half, or a weak person would be
reported as "that person in the morning" by chance. tests/core/test_insight.py
plants a weakness in seeded months and checks that months without one stay quiet;
the reasoning and a worked example are in docs/SCORING.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum, StrEnum
from itertools import combinations
from statistics import NormalDist
from zoneinfo import ZoneInfo

from core.models import Kind, Outcome, Promise

WINDOW_WEEKS = 4
MIN_GROUP = 5  # promises in a group, and outside it, before it can be compared
MIN_SCORED = 10  # promises in the window before anything is said
ALPHA = 0.05  # shared by every group tried (Bonferroni)
# Once a pair is clearly worse than the rest, choosing it over its halves is a smaller
# question (which true weakness to name), asked at one-sided 99 %.
Z_WITHIN = NormalDist().inv_cdf(0.99)
MIN_GAP = 15.0  # percentage points
STRONG_PERCENT = 90.0

_POINTS = {Outcome.KEPT: 1.0, Outcome.LATE: 0.5, Outcome.BROKEN: 0.0, Outcome.UNANSWERED: 0.0}


class Facet(IntEnum):
    """Subjects (who or what) come before qualifiers (when, how far ahead)."""

    TAG = 0
    KIND = 1
    TIME_OF_DAY = 2
    LEAD_TIME = 3


SUBJECTS = frozenset((Facet.TAG, Facet.KIND))


class Advice(StrEnum):
    """One concrete suggestion tied to the pattern; bot/report_text.py words it."""

    LATER_TIME = "later_time"  # promised "in 20 min": give a later time instead
    AT_THE_MOMENT = "at_the_moment"  # attention promises made hours ahead
    SLACK = "slack"  # being on time: leave earlier, promise a window
    EVENING_BEFORE = "evening_before"  # promises for another day
    MOVE_EARLY = "move_early"  # anything else: renegotiate early instead of breaking


KIND_SUBJECTS: dict[Kind, str] = {
    Kind.CALLBACK: "call-backs and replies",
    Kind.ON_TIME: "promises to be on time",
    Kind.FAVOUR: "favours and errands",
    Kind.ATTENTION: "attention promises",
}

LESS_THAN_AN_HOUR = "made less than an hour ahead"
SAME_DAY = "made for later the same day"
LATER_DAY = "made for a later day"


def time_of_day(hour: int) -> str:
    if 5 <= hour < 12:
        return "due in the morning"
    if 12 <= hour < 17:
        return "due in the afternoon"
    if 17 <= hour < 22:
        return "due in the evening"
    return "due at night"


def lead_time(promise: Promise, tz: ZoneInfo) -> str:
    """How far ahead the word was given: on the spot, for later that day, for another day."""
    if promise.due - promise.created < timedelta(hours=1):
        return LESS_THAN_AN_HOUR
    if promise.due.astimezone(tz).date() == promise.created.astimezone(tz).date():
        return SAME_DAY
    return LATER_DAY


# A group's key: ((facet, value), ...) sorted by facet; the value is what the label shows.
_Key = tuple[tuple[Facet, str], ...]


@dataclass(frozen=True, slots=True)
class Finding:
    label: str  # may hold a user's tag: escape it when rendering
    facets: _Key
    kept: int
    late: int
    total: int
    percent: float
    rest_percent: float
    advice: Advice

    @property
    def kept_any(self) -> int:
        return self.kept + self.late


@dataclass(frozen=True, slots=True)
class Insight:
    weak: Finding | None
    strong: Finding | None
    repaired: int  # broken promises made right (a repair kept or late) in the window
    scored: int
    weeks: int = WINDOW_WEEKS

    @property
    def enough(self) -> bool:
        return self.scored >= MIN_SCORED


NOTHING = Insight(None, None, 0, 0)


def label(key: _Key) -> str:
    subject = next((value for facet, value in key if facet in SUBJECTS), None)
    qualifiers = [value for facet, value in key if facet not in SUBJECTS]
    if subject is None:
        return "promises " + ", ".join(qualifiers)
    return " ".join([subject, *qualifiers])


def _tag_subject(tag: str) -> str:
    return f"promises to {tag}" if tag.startswith("@") else f"{tag} promises"


def _facets(promise: Promise, tz: ZoneInfo) -> list[tuple[Facet, str]]:
    tags = {t.casefold(): t for t in promise.tags}.values()  # #Mom and #mom are one person
    found = [(Facet.TAG, _tag_subject(tag)) for tag in tags]
    if promise.kind in KIND_SUBJECTS:  # "other" says nothing a person can act on
        found.append((Facet.KIND, KIND_SUBJECTS[promise.kind]))
    found.append((Facet.TIME_OF_DAY, time_of_day(promise.due.astimezone(tz).hour)))
    found.append((Facet.LEAD_TIME, lead_time(promise, tz)))
    return found


def _keys(facets: list[tuple[Facet, str]]) -> Iterable[_Key]:
    for single in facets:
        yield (single,)
    for first, second in combinations(facets, 2):
        if first[0] == second[0] or (first[0] in SUBJECTS and second[0] in SUBJECTS):
            continue  # one value per facet; "#work promises" × "call-backs" reads badly
        yield tuple(sorted((first, second)))


def _posterior(points: float, total: int) -> tuple[float, float]:
    """Mean and variance of Beta(1 + points, 1 + total − points)."""
    a, b = 1.0 + points, 1.0 + total - points
    n = a + b
    return a / n, a * b / (n * n * (n + 1.0))


def _advice(key: _Key) -> Advice:
    values = dict(key)
    lead = values.get(Facet.LEAD_TIME)
    kind = values.get(Facet.KIND)
    if kind == KIND_SUBJECTS[Kind.ATTENTION] and lead != LESS_THAN_AN_HOUR:
        return Advice.AT_THE_MOMENT
    if lead == LESS_THAN_AN_HOUR:
        return Advice.LATER_TIME
    if kind == KIND_SUBJECTS[Kind.ON_TIME]:
        return Advice.SLACK
    if lead == LATER_DAY:
        return Advice.EVENING_BEFORE
    return Advice.MOVE_EARLY


def find_insight(promises: Sequence[Promise], tz: ZoneInfo) -> Insight:
    """The weakest clearly-worse group, the strongest group and the repairs among ``promises``.

    ``promises`` are the window's (the caller picks the four weeks); open and cancelled
    ones are ignored. The same promises give the same answer in any order.
    """
    scored = [p for p in promises if p.outcome in _POINTS]
    repaired = sum(
        1 for p in promises if p.repair_of and p.outcome in (Outcome.KEPT, Outcome.LATE)
    )
    if len(scored) < MIN_SCORED:
        return Insight(None, None, repaired, len(scored))
    groups: dict[_Key, list[int]] = {}  # key -> [kept, late, total]
    kept_all = late_all = 0
    for promise in scored:
        is_kept = promise.outcome is Outcome.KEPT
        is_late = promise.outcome is Outcome.LATE
        kept_all += is_kept
        late_all += is_late
        for key in _keys(_facets(promise, tz)):
            counts = groups.setdefault(key, [0, 0, 0])
            counts[0] += is_kept
            counts[1] += is_late
            counts[2] += 1
    total_all = len(scored)
    points_all = kept_all + late_all / 2
    eligible = {
        key: counts
        for key, counts in groups.items()
        if counts[2] >= MIN_GROUP and total_all - counts[2] >= MIN_GROUP
    }
    # Every group tried is a chance to name noise: split the error rate among them.
    z = NormalDist().inv_cdf(1 - ALPHA / max(1, len(eligible)))

    def clearly_worse(
        points: float, total: int, other_points: float, other: int, z: float = z
    ) -> float:
        """The lower bound of the gap when it is clearly there, else 0."""
        if total < MIN_GROUP or other < MIN_GROUP:
            return 0.0
        if 100 * (other_points / other - points / total) < MIN_GAP:
            return 0.0
        mean, var = _posterior(points, total)
        other_mean, other_var = _posterior(other_points, other)
        return max(0.0, (other_mean - mean) - z * math.sqrt(var + other_var))

    weak: tuple[tuple[float, int, _Key, str], Finding] | None = None
    strong: tuple[tuple[int, float, int, str], Finding] | None = None
    for key, (kept, late, total) in eligible.items():
        points = kept + late / 2
        rest = total_all - total
        lower = clearly_worse(points, total, points_all - points, rest)
        if lower and len(key) == 2:
            # A pair is named only when both halves matter: "#work promises made less
            # than an hour ahead" must be worse than the other #work promises and than
            # the other promises made less than an hour ahead.
            for single in key:
                s_kept, s_late, s_total = groups[(single,)]
                s_points = s_kept + s_late / 2
                within = (points, total, s_points - points, s_total - total)
                if not clearly_worse(*within, z=Z_WITHIN):
                    lower = 0.0
        percent = 100 * points / total
        rest_percent = 100 * (points_all - points) / rest
        text = label(key)
        finding = Finding(text, key, kept, late, total, percent, rest_percent, _advice(key))
        if lower:
            # The surest gap; ties: the simpler group, then the facet order, then words.
            rank = (-lower, len(key), key, text)
            if weak is None or rank < weak[0]:
                weak = (rank, finding)
        if len(key) == 1 and percent >= STRONG_PERCENT:
            strong_rank = (int(key[0][0]), -percent, -total, text)
            if strong is None or strong_rank < strong[0]:
                strong = (strong_rank, finding)
    weak_finding = weak[1] if weak else None
    strong_finding = strong[1] if strong else None
    if strong_finding and weak_finding and set(strong_finding.facets) & set(weak_finding.facets):
        strong_finding = None  # never praise the very group that slips
    return Insight(weak_finding, strong_finding, repaired, total_all)
