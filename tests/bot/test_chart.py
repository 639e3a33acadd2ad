"""The 8-week chart is a real PNG of the right size, with or without data."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.chart import render_chart
from core.score import Tally, WeekSummary

BERLIN = ZoneInfo("Europe/Berlin")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first and be intact."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    body = data[16 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert zlib.crc32(kind + body) == crc
    width, height = struct.unpack(">II", body[:8])
    return width, height


def weeks(tallies: list[Tally]) -> list[WeekSummary]:
    first = datetime(2026, 10, 5, tzinfo=BERLIN)
    return [WeekSummary(first + timedelta(weeks=i), t) for i, t in enumerate(tallies)]


@pytest.mark.parametrize(
    "tallies",
    [
        [Tally(kept=8 + i, late=i % 3, broken=i % 2, unanswered=1) for i in range(8)],
        [Tally()] * 8,  # eight empty weeks: gaps, not zeros
        [Tally(kept=3), Tally(), Tally(), Tally(late=2, broken=1), *[Tally()] * 4],
        [Tally(kept=400, broken=100)],
        [],
    ],
    ids=["full", "all-empty", "sparse", "one-big-week", "no-weeks"],
)
def test_renders_a_phone_sized_png(tallies: list[Tally]) -> None:
    data = render_chart(weeks(tallies), "Europe/Berlin")
    assert data.endswith(b"IEND\xaeB`\x82")
    assert png_size(data) == (1000, 600)


def test_data_shows_up_in_the_picture() -> None:
    empty = render_chart(weeks([Tally()] * 8), "Europe/Berlin")
    full = render_chart(weeks([Tally(kept=9, late=2, broken=1)] * 8), "Europe/Berlin")
    assert empty != full
