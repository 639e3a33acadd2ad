"""Time zones from what people type or share — found offline."""

from __future__ import annotations

import pytest

from bot.timezones import at_location, resolve


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  America/New_York ", "America/New_York"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("sao paulo", "America/Sao_Paulo"),
        ("UTC", "UTC"),
        # Not the last part of any IANA name: found among GeoNames cities.
        ("Munich", "Europe/Berlin"),
        ("München", "Europe/Berlin"),
        ("Mumbai", "Asia/Kolkata"),
        ("Berlin, Germany", "Europe/Berlin"),
        ("New York City", "America/New_York"),
    ],
)
def test_a_zone_or_a_city_resolves(typed: str, zone: str) -> None:
    assert resolve(typed) == zone


@pytest.mark.parametrize(
    "typed", ["", "   ", "Xyzzyville", "no such place, nowhere", ",", "x" * 200]
)
def test_nothing_fits(typed: str) -> None:
    assert resolve(typed) is None


@pytest.mark.parametrize(
    ("lat", "lon", "zone"),
    [
        (52.52, 13.405, "Europe/Berlin"),
        (40.7128, -74.006, "America/New_York"),
        (-23.55, -46.63, "America/Sao_Paulo"),
        (35.68, 139.69, "Asia/Tokyo"),
    ],
)
def test_a_location_resolves(lat: float, lon: float, zone: str) -> None:
    assert at_location(lat, lon) == zone


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (0.0, 181.0), (-95.0, -200.0)])
def test_impossible_coordinates(lat: float, lon: float) -> None:
    assert at_location(lat, lon) is None
