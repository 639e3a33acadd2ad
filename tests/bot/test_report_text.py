"""The report in words: exact layout, the empty week, escaping, /history."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.report_text import (
    ADVICE,
    format_time,
    insight_lines,
    render_history,
    render_score,
    render_weekly_report,
)
from core.insight import NOTHING, Advice, Facet, Finding, Insight
from core.models import Kind, Outcome, Promise
from core.score import RoutineAdherence, Tally, WeeklyReport, weekly_report
from tests.core.test_insight import NOW as INSIGHT_NOW
from tests.core.test_insight import month

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 23, tzinfo=BERLIN)
NOW = datetime(2026, 11, 27, 20, 0, tzinfo=BERLIN)
NASTY = "<b>x</b> & co"
WORK_SHORT = (
    (Facet.TAG, "#work promises"),
    (Facet.LEAD_TIME, "made less than an hour ahead"),
)


def finding(
    label: str = "#work promises made less than an hour ahead",
    kept: int = 3,
    total: int = 11,
    rest: float = 86.1,
    advice: Advice = Advice.LATER_TIME,
) -> Finding:
    return Finding(label, WORK_SHORT, kept, 0, total, 100 * kept / total, rest, advice)


SLIPS = Insight(finding(), None, 0, 40)


def report(**changes: object) -> WeeklyReport:
    fields: dict[str, object] = {
        "start": START,
        "end": START + timedelta(days=7),
        "now": NOW,
        "this_week": Tally(kept=7, late=2, broken=1, unanswered=1, repaired=1, renegotiated=1),
        "last_week": Tally(kept=5, late=1, broken=2, unanswered=1),
        "delta": 12,
        "longest_streak": 6,
        "reliability": 81.4,
        "by_tag": (("#mom", 4, 4), ("#work", 3, 5), ("@sam", 2, 2)),
        "insight": SLIPS,
        "cancelled": (),
        "routines": (),
        "downtime_days": (),
        "weeks": (),
        "best_streak": 6,
    }
    fields.update(changes)
    return WeeklyReport(**fields)  # type: ignore[arg-type]


def promise(
    task: str,
    due: datetime,
    outcome: Outcome | None,
    closed: datetime | None = None,
    repair_of: str | None = None,
    pid: str = "p1",
) -> Promise:
    return Promise(
        id=pid,
        user_id=1,
        task=task,
        due=due.astimezone(UTC),
        created=due.astimezone(UTC) - timedelta(hours=1),
        outcome=outcome,
        closed=(closed or due).astimezone(UTC) if outcome else None,
        repair_of=repair_of,
    )


def only_b_and_i(text: str) -> bool:
    """Telegram HTML as the bot sends it: only <b>/<i>, balanced, no stray '<' or '&'."""
    tags = re.findall(r"<[^>]*>", text)
    if any(tag not in ("<b>", "</b>", "<i>", "</i>") for tag in tags):
        return False
    if text.count("<b>") != text.count("</b>") or text.count("<i>") != text.count("</i>"):
        return False
    bare = re.sub(r"</?[bi]>", "", text)
    return "<" not in bare and ">" not in bare and not re.search(r"&(?!amp;|lt;|gt;)", bare)


# --- /score ----------------------------------------------------------------------------


def test_exact_layout_of_the_products_example() -> None:
    assert render_score(report()) == (
        "<b>This week</b> (Mon 23 Nov – today): 9 of 11 kept · 73%  ▲ +12 vs last week\n"
        "Late: 2 (late counts half) · Broken: 1 · Unanswered: 1 · Repaired: 1 · Renegotiated: 1\n"
        "Longest streak: 6 kept in a row\n"
        "Long-run reliability: 81%\n"
        "By person: #mom 4/4 · #work 3/5 · @sam 2/2\n"
        "Where it slips: #work promises made less than an hour ahead — 3 of 11 kept in 4 weeks"
        " (you keep 86% of the rest). Try giving those a later time: “by 3pm” instead of"
        " “in 20 min”."
    )


def test_the_extra_lines_routines_downtime_cancelled_and_best_streak() -> None:
    cancelled = tuple(
        promise(f"task {n}", NOW - timedelta(hours=n), Outcome.CANCELLED) for n in range(7)
    )
    text = render_score(
        report(
            this_week=Tally(kept=4),
            delta=-5,
            longest_streak=4,
            best_streak=17,
            by_tag=(),
            insight=Insight(None, finding("promises to @mom", kept=14, total=14, rest=70), 2, 30),
            routines=(
                RoutineAdherence("r1", "phone away at breakfast", 5, 7, 6, 7),
                RoutineAdherence("r2", "walk", 2, 3, 0, 0),
            ),
            downtime_days=(date(2026, 11, 24), date(2026, 11, 25)),
            cancelled=cancelled,
        )
    )
    assert text == (
        "<b>This week</b> (Mon 23 Nov – today): 4 of 4 kept · 100%  ▼ −5 vs last week\n"
        "Longest streak: 4 kept in a row (your best: 17)\n"
        "Long-run reliability: 81%\n"
        "Where it slips: nothing stands out in 4 weeks.\n"
        "What holds: promises to @mom — 14 of 14 kept in 4 weeks · 2 broken promises repaired"
        " in 4 weeks\n"
        "<b>Routines</b>\n"
        "phone away at breakfast: 5/7 this week · 6/7 last week\n"
        "walk: 2/3 this week\n"
        "I was offline on Tue 24 Nov, Wed 25 Nov — check-ins then were skipped.\n"
        "Cancelled (listed, not scored): task 0, task 1, task 2, task 3, task 4, +2 more"
    )


@pytest.mark.parametrize(
    ("delta", "shown"),
    [(12, "  ▲ +12 vs last week"), (-5, "  ▼ −5 vs last week"), (0, "  = same as last week")],
)
def test_delta(delta: int, shown: str) -> None:
    first = render_score(report(delta=delta)).splitlines()[0]
    assert first.endswith("73%" + shown)


def test_no_delta_when_last_week_had_nothing() -> None:
    first = render_score(report(delta=None, last_week=Tally())).splitlines()[0]
    assert first.endswith("9 of 11 kept · 73%")


def test_short_streaks_and_empty_sections_are_left_out() -> None:
    text = render_score(
        report(
            this_week=Tally(kept=1), longest_streak=1, reliability=None, by_tag=(), insight=NOTHING
        )
    )
    assert text == "<b>This week</b> (Mon 23 Nov – today): 1 of 1 kept · 100%  ▲ +12 vs last week"


def test_empty_week_says_so_and_explains_how_to_start() -> None:
    empty = report(
        this_week=Tally(), last_week=Tally(), delta=None, longest_streak=0, reliability=None,
        by_tag=(), insight=NOTHING,
    )  # fmt: skip
    text = render_score(empty)
    assert text.startswith("<b>This week</b> (Mon 23 Nov – today): nothing scored yet.")
    assert "call mom back in 10 minutes" in text
    assert "%" not in text  # no 0 % for a week without promises


def test_empty_week_with_promises_to_come_and_a_last_week() -> None:
    text = render_score(
        report(
            this_week=Tally(cancelled=1), delta=None, longest_streak=0, pending=2, insight=NOTHING
        )
    )
    lines = text.splitlines()
    assert lines[1] == "2 promises still to come — I'll check in when each is due."
    assert lines[2] == "Last week: 6 of 9 kept · 61%"
    assert "Long-run reliability: 81%" in lines


def test_the_empty_week_from_real_promises() -> None:
    text = render_score(weekly_report([], NOW, BERLIN))
    assert "nothing scored yet" in text
    assert "call mom back in 10 minutes" in text


def test_user_text_is_escaped_everywhere() -> None:
    evil = promise(NASTY, NOW, Outcome.CANCELLED)
    text = render_score(
        report(
            by_tag=(("#<i>", 1, 1),),
            insight=Insight(finding("#a&b promises"), finding("#<b> promises"), 1, 12),
            routines=(RoutineAdherence("r1", NASTY, 1, 1, 0, 0),),
            cancelled=(evil,),
        )
    )
    assert NASTY not in text
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in text
    assert "#&lt;i&gt; 1/1" in text
    assert "#a&amp;b promises" in text
    assert "#&lt;b&gt; promises" in text
    assert only_b_and_i(text)


def test_weekly_report_frames_the_body_and_ends_with_the_question() -> None:
    body = render_score(report())
    text = render_weekly_report(report())
    assert text.startswith("<b>Your week in small promises</b>\n\n")
    assert body in text
    assert text.endswith(
        "\n\n<i>In the past week, how reliable have you been in small things?</i>"
    )
    assert only_b_and_i(text)


# --- /history --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "clock24", "shown"),
    [
        (14, 5, True, "14:05"),
        (14, 5, False, "2:05 PM"),
        (0, 0, False, "12:00 AM"),
        (12, 30, False, "12:30 PM"),
        (9, 0, True, "09:00"),
        (9, 0, False, "9:00 AM"),
    ],
)
def test_format_time(hour: int, minute: int, clock24: bool, shown: str) -> None:
    assert format_time(datetime(2026, 11, 20, hour, minute, tzinfo=BERLIN), clock24) == shown


def test_history_newest_first_with_marks_and_how_late() -> None:
    due = datetime(2026, 11, 20, 14, 5, tzinfo=BERLIN)
    ps = [
        promise("call mom back", due, Outcome.KEPT, pid="a"),
        promise("be at the station", due + timedelta(hours=1), Outcome.LATE,
                closed=due + timedelta(hours=1, minutes=25), pid="b"),
        promise("buy milk", due + timedelta(hours=2), Outcome.BROKEN, pid="c"),
        promise("text Sam", due + timedelta(hours=3), Outcome.UNANSWERED, pid="d"),
        promise("book dentist", due + timedelta(hours=4), Outcome.CANCELLED, pid="e"),
        promise("buy milk", due + timedelta(days=1), Outcome.KEPT, repair_of="c", pid="f"),
        promise("still open", due + timedelta(hours=5), None, pid="g"),
        promise("late, answered at once", due + timedelta(hours=6), Outcome.LATE, pid="h"),
    ]  # fmt: skip
    assert render_history(ps, BERLIN).splitlines() == [
        "<b>Your last 7 promises</b>, newest first",
        "✅ Sat 21 Nov 14:05 buy milk · a repair",
        "🕒 Fri 20 Nov 20:05 late, answered at once (late)",
        "🚫 Fri 20 Nov 18:05 book dentist (cancelled)",
        "🔇 Fri 20 Nov 17:05 text Sam (unanswered)",
        "❌ Fri 20 Nov 16:05 buy milk",
        "🕒 Fri 20 Nov 15:05 be at the station · 25 min late",
        "✅ Fri 20 Nov 14:05 call mom back",
    ]


def test_history_in_the_users_zone_and_clock() -> None:
    due = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # Saturday 08:30 in Tokyo
    line = render_history([promise("call", due, Outcome.KEPT)], ZoneInfo("Asia/Tokyo"), False)
    assert line.splitlines()[1] == "✅ Sat 21 Nov 8:30 AM call"


def test_history_keeps_the_last_thirty_and_escapes() -> None:
    start = datetime(2026, 11, 1, 9, 0, tzinfo=BERLIN)
    ps = [
        promise(f"{NASTY} {n}", start + timedelta(hours=n), Outcome.KEPT, pid=f"p{n}")
        for n in range(45)
    ]
    lines = render_history(ps, BERLIN).splitlines()
    assert lines[0] == "<b>Your last 30 promises</b>, newest first"
    assert len(lines) == 31
    assert lines[1].endswith("&lt;b&gt;x&lt;/b&gt; &amp; co 44")
    assert lines[-1].endswith(" 15")
    assert only_b_and_i("\n".join(lines))


@pytest.mark.parametrize(
    ("minutes", "shown"), [(90, "1 h 30 min late"), (120, "2 h late"), (60 * 50, "2 days late")]
)
def test_history_late_by(minutes: int, shown: str) -> None:
    due = datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN)
    late = promise("x", due, Outcome.LATE, closed=due + timedelta(minutes=minutes))
    assert render_history([late], BERLIN).splitlines()[1].endswith(shown)


def test_empty_history_is_a_friendly_line() -> None:
    text = render_history([promise("open", NOW, None)], BERLIN)
    assert text.startswith("No answered promises yet.")
    assert "call mom back in 10 minutes" in text


# --- where it slips, in words ----------------------------------------------------------

SHAMING = ("fail", "bad", "poor", "lazy", "shame", "unreliable", "should have", "always", "never")


@pytest.mark.parametrize("advice", list(Advice))
def test_every_advice_is_something_to_try_not_a_verdict(advice: Advice) -> None:
    text = ADVICE[advice]
    assert text.startswith(("Try", "When"))
    assert not any(word in text.casefold() for word in SHAMING)


def test_the_insight_over_seeded_months_reads_kindly_and_is_escaped() -> None:
    months = [month(seed, lambda p: "@sam" in p.tags) for seed in range(5)]
    months += [month(seed, lambda p: p.kind is Kind.ATTENTION) for seed in range(5)]
    for promises in months:
        text = "\n".join(insight_lines(weekly_report(promises, INSIGHT_NOW, BERLIN).insight))
        assert text.startswith("Where it slips: ")
        assert not any(word in text.casefold() for word in SHAMING)
        assert only_b_and_i(text)


def test_thin_data_says_nothing_about_slips() -> None:
    assert insight_lines(Insight(None, None, 0, 9)) == []
    assert insight_lines(Insight(None, None, 0, 10)) == [
        "Where it slips: nothing stands out in 4 weeks."
    ]
