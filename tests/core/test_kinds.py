"""Kinds from keywords: a table of everyday tasks."""

from __future__ import annotations

import pytest

from core.kinds import KIND_LABELS, detect_kind
from core.models import Kind

CB, OT, FV, AT, OTHER = Kind.CALLBACK, Kind.ON_TIME, Kind.FAVOUR, Kind.ATTENTION, Kind.OTHER


@pytest.mark.parametrize(
    ("task", "kind"),
    [
        ("call mom back", CB),
        ("Call Mom back", CB),
        ("ring grandpa", CB),
        ("text Sam", CB),
        ("message the landlord", CB),
        ("reply to Ana", CB),
        ("get back to the plumber", CB),
        ("email back the school", CB),
        ("calling the bank", CB),
        ("be there for the kickoff", OT),
        ("be on time for dinner", OT),
        ("arrive at the station", OT),
        ("meet Lea for coffee", OT),
        ("pick up Mia at school", OT),
        ("leave by six", OT),
        ("be at the gym", OT),
        ("buy milk", FV),
        ("bring the drill back to Tom", FV),
        ("send Sam the photos", FV),
        ("pay the electricity bill", FV),
        ("fix the bike light", FV),
        ("return the library books", FV),
        ("drop off the parcel", FV),
        ("pick up the dry cleaning", FV),
        ("book the dentist", FV),
        ("grab bread", FV),
        ("get milk", FV),
        ("phone away at breakfast", AT),
        ("no phone at dinner", AT),
        ("put phone in the drawer", AT),
        ("no laptop after 9", AT),
        ("no screens in bed", AT),
        ("listen to Mia without interrupting", AT),
        ("be present with the kids", AT),
        ("focus on Jo's story", AT),
        # The first thing said is what was promised.
        ("text Sam about buying milk", CB),
        ("buy milk and text Sam", FV),
        # Words inside other words do not count.
        ("bring the ring", FV),
        ("recall the pitch", OTHER),
        ("water the plants", OTHER),
        ("", OTHER),
    ],
)
def test_detect_kind(task: str, kind: Kind) -> None:
    assert detect_kind(task) is kind


def test_every_kind_has_a_label() -> None:
    assert set(KIND_LABELS) == set(Kind)
    assert KIND_LABELS[Kind.CALLBACK] == "calling/texting back"
    assert KIND_LABELS[Kind.ON_TIME] == "being on time"
    assert KIND_LABELS[Kind.FAVOUR] == "favours and errands"
    assert KIND_LABELS[Kind.ATTENTION] == "attention"
