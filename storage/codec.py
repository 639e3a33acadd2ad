"""Records <-> plain JSON dicts, the one place that knows how a record looks on disk.

The conversion is derived once per record type from its type hints, so a field added to
``core.models`` is stored without touching this module. Reading is lenient in exactly
two ways that keep old and new files working side by side: keys this version does not
know are ignored, and keys an older file lacks take the dataclass default. Everything
else (a wrong type, a naive datetime, an unknown enum value, a value out of its range) is
a ``CodecError``, so a damaged record is reported instead of being half-read — or read
whole and then failing later, in the middle of planning everyone's check-ins.

Every field has a rule in ``RULES`` (or is listed in ``FREE`` as any value of its type
will do): a weekday is 0-6, an hour 0-23, an id a short token that fits into a button.
Datetimes must lie in ``TIME_RANGE`` and integers fit 64 bits. The rules are checked on
write too, so the store never writes a record it would refuse to read. Error messages
name the field and the rule, never the stored value (it may be a user's text).

Datetimes are written as ISO-8601 in UTC, enums by value, tuples as lists.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

from core.history import QUARTERS_PER_DAY, DaySummary, Run
from core.models import Draft, Promise, Recurrence, Routine, UserSettings
from core.tally import Tally

__all__ = [
    "FREE",
    "PROMISE",
    "ROUTINE",
    "RULES",
    "SETTINGS",
    "TIME_RANGE",
    "Codec",
    "CodecError",
    "day_summary_from_dict",
    "day_summary_to_dict",
    "promise_from_dict",
    "promise_to_dict",
    "routine_from_dict",
    "routine_to_dict",
    "settings_from_dict",
    "settings_to_dict",
]

T = TypeVar("T")
Convert = Callable[[Any], Any]


class CodecError(ValueError):
    """A stored value does not fit the record it should become (or cannot be stored)."""


# Far enough apart for any date a person means, near enough that adding a week or
# moving to any time zone never overflows ``datetime``.
TIME_RANGE = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC))
INT_LIMIT = 2**63  # what a PostgreSQL BIGINT holds, and far beyond any Telegram id


def _in_time_range(value: datetime) -> datetime:
    if not TIME_RANGE[0] <= value < TIME_RANGE[1]:
        raise CodecError("datetime outside the years 1970-8999")
    return value


def _encode_datetime(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CodecError("naive datetimes are not stored; every datetime must be aware")
    return _in_time_range(value.astimezone(UTC)).isoformat()


def _decode_datetime(value: Any) -> datetime:
    if type(value) is not str:
        raise CodecError(f"expected an ISO-8601 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise CodecError("not an ISO-8601 datetime") from error
    if parsed.tzinfo is not UTC:
        if parsed.tzinfo is None:
            raise CodecError("stored datetime has no offset")
        try:
            parsed = parsed.astimezone(UTC)
        except OverflowError as error:  # e.g. year 1 at +05:00
            raise CodecError("datetime outside the years 1970-8999") from error
    return _in_time_range(parsed)


def _exact(kind: type) -> Convert:
    """Primitive check by exact type: JSON keeps bool and int apart, and so do we."""

    def decode(value: Any) -> Any:
        if type(value) is not kind:
            raise CodecError(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return decode


def _int(value: Any) -> int:
    if type(value) is not int:
        raise CodecError(f"expected int, got {type(value).__name__}")
    if not -INT_LIMIT <= value < INT_LIMIT:
        raise CodecError("integer does not fit 64 bits")
    return value


def _identity(value: Any) -> Any:
    return value


def _optional(encode: Convert, decode: Convert) -> tuple[Convert, Convert]:
    def enc(value: Any) -> Any:
        return None if value is None else encode(value)

    def dec(value: Any) -> Any:
        return None if value is None else decode(value)

    return enc, dec


def _as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise CodecError(f"expected a list, got {type(value).__name__}")
    return value


def _homogeneous_tuple(encode: Convert, decode: Convert) -> tuple[Convert, Convert]:
    def enc(value: Any) -> Any:
        return [encode(item) for item in value]

    def dec(value: Any) -> Any:
        return tuple(decode(item) for item in _as_list(value))

    return enc, dec


def _fixed_tuple(parts: list[tuple[Convert, Convert]]) -> tuple[Convert, Convert]:
    def enc(value: Any) -> Any:
        return [encode(item) for (encode, _), item in zip(parts, value, strict=True)]

    def dec(value: Any) -> Any:
        items = _as_list(value)
        if len(items) != len(parts):
            raise CodecError(f"expected {len(parts)} items, got {len(items)}")
        return tuple(decode(item) for (_, decode), item in zip(parts, items, strict=True))

    return enc, dec


def _enum(kind: type[Enum]) -> tuple[Convert, Convert]:
    def dec(value: Any) -> Any:
        try:
            return kind(value)
        except (ValueError, TypeError) as error:
            raise CodecError(f"unknown {kind.__name__} value") from error

    return (lambda value: value.value), dec


def _converters(hint: Any) -> tuple[Convert, Convert]:
    """(encode, decode) for one type hint; raises TypeError for a type we never store."""
    origin = get_origin(hint)
    args = get_args(hint)
    if origin in (Union, types.UnionType):
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) != 1 or len(args) != 2:
            raise TypeError(f"only `X | None` unions are stored, not {hint}")
        return _optional(*_converters(inner[0]))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _homogeneous_tuple(*_converters(args[0]))
        return _fixed_tuple([_converters(arg) for arg in args])
    if hint is datetime:
        return _encode_datetime, _decode_datetime
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested: Codec[Any] = Codec(hint)
        return nested.encode, nested.decode
    if hint is int:
        return _int, _int
    if hint in (str, bool):
        return _identity, _exact(hint)
    raise TypeError(f"no stored form for {hint!r}")


# --- what each field may hold ---------------------------------------------------------

Rule = tuple[Callable[[Any], bool], str]  # (test of a decoded, non-None value, the rule)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,24}")
_ZONE = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")


def _between(low: int, high: int) -> Rule:
    return (lambda value: low <= value <= high), f"{low}-{high}"


def _iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# An id goes into a button's data and a job key: the short token ``new_id`` makes.
ID: Rule = (lambda value: _TOKEN.fullmatch(value) is not None, "1-24 of A-Z a-z 0-9 _ -")
MESSAGE_ID: Rule = ((lambda value: value >= 0), "not negative")
COUNT = MESSAGE_ID
WEEKDAY = _between(0, 6)
HOUR = _between(0, 23)
MINUTE = _between(0, 59)
WEEKDAYS: Rule = (
    lambda days: bool(days) and all(0 <= day <= 6 for day in days),
    "at least one weekday, each 0-6",
)
ZONE: Rule = (
    lambda name: len(name) <= 64 and _ZONE.fullmatch(name) is not None,
    "a time zone name",
)
ISO_DATE: Rule = (_iso_date, "an ISO date")

RULES: dict[type, dict[str, Rule]] = {
    Promise: {
        "id": ID,
        "checkin_message_id": MESSAGE_ID,
        "snoozes": COUNT,
        "renegotiations": COUNT,
        "repair_of": ID,
        "routine_id": ID,
        "source_message_id": MESSAGE_ID,
        "ack_message_id": MESSAGE_ID,
    },
    Recurrence: {"days": WEEKDAYS, "hour": HOUR, "minute": MINUTE},
    Routine: {"id": ID},
    Draft: {"source_message_id": MESSAGE_ID, "question_message_id": MESSAGE_ID},
    UserSettings: {
        "tz": ZONE,
        "report_day": WEEKDAY,
        "report_hour": HOUR,
        "report_minute": MINUTE,
        "last_report_week": ISO_DATE,
        "last_message_id": MESSAGE_ID,
        "pending_change": ID,
        "pending_change_message_id": MESSAGE_ID,
        "made_on": ISO_DATE,
        "made_today": COUNT,
    },
}
# Fields where any value of the declared type will do (types, datetime ranges, enums
# and 64-bit integers are checked for every field).
FREE: dict[type, frozenset[str]] = {
    Promise: frozenset(
        {"user_id", "task", "due", "created", "tags", "kind", "kind_corrected", "outcome"}
        | {"closed", "asked", "asked_late", "nudged", "snoozed_until"}
    ),
    Recurrence: frozenset(),
    Routine: frozenset(
        {"user_id", "task", "rule", "created", "tags", "kind", "paused", "last_occurrence"}
    ),
    Draft: frozenset({"task", "tags", "created"}),
    UserSettings: frozenset(
        {"user_id", "chat_id", "clock24", "report_enabled", "blocked", "draft", "created"}
        | {"pending_change_at", "downtime", "reflection_asked", "reflections"}
    ),
}


def _ruled(convert: Convert, rule: Rule) -> Convert:
    test, what = rule

    def checked(value: Any) -> Any:
        result = convert(value)
        if result is not None and not test(result):
            raise CodecError(f"out of range (expected {what})")
        return result

    return checked


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    encode: Convert
    decode: Convert
    required: bool


class Codec(Generic[T]):
    """Converts one frozen dataclass to and from a JSON-ready dict."""

    def __init__(self, cls: type[T]) -> None:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls!r} is not a dataclass")
        hints = get_type_hints(cls)
        rules = RULES.get(cls, {})
        free = FREE.get(cls, frozenset())
        unruled = {f.name for f in dataclasses.fields(cls)} - set(rules) - free
        if unruled:
            raise TypeError(f"{cls.__name__}: give {sorted(unruled)} a rule or list it as free")
        fields = []
        for f in dataclasses.fields(cls):
            encode, decode = _converters(hints[f.name])
            if f.name in rules:
                # Checked both ways: a record we would refuse to read is never written.
                encode = _ruled(encode, rules[f.name])
                decode = _ruled(decode, rules[f.name])
            required = (
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            )
            fields.append(_Field(f.name, encode, decode, required))
        self._cls = cls
        self._fields = tuple(fields)
        # Plain tuples: decoding runs 100,000 times at start-up, attribute lookups show.
        self._decoders = tuple((f.name, f.decode, f.required) for f in self._fields)

    def encode(self, record: T) -> dict[str, Any]:
        encoded: dict[str, Any] = {}
        name = ""
        try:
            for field in self._fields:
                name = field.name
                encoded[name] = field.encode(getattr(record, name))
        except CodecError as error:
            raise CodecError(f"{self._cls.__name__}.{name}: {error}") from error
        return encoded

    def decode(self, data: Mapping[str, Any]) -> T:
        if not isinstance(data, Mapping):
            raise CodecError(f"expected an object for {self._cls.__name__}")
        values: dict[str, Any] = {}
        name = ""
        try:
            for name, decode, required in self._decoders:
                if name in data:
                    values[name] = decode(data[name])
                elif required:
                    raise CodecError("missing required field")
        except CodecError as error:
            raise CodecError(f"{self._cls.__name__}.{name}: {error}") from error
        return self._cls(**values)


PROMISE: Codec[Promise] = Codec(Promise)
ROUTINE: Codec[Routine] = Codec(Routine)
SETTINGS: Codec[UserSettings] = Codec(UserSettings)


def promise_to_dict(promise: Promise) -> dict[str, Any]:
    return PROMISE.encode(promise)


def promise_from_dict(data: Mapping[str, Any]) -> Promise:
    return PROMISE.decode(data)


def routine_to_dict(routine: Routine) -> dict[str, Any]:
    return ROUTINE.encode(routine)


def routine_from_dict(data: Mapping[str, Any]) -> Routine:
    return ROUTINE.decode(data)


def settings_to_dict(settings: UserSettings) -> dict[str, Any]:
    return SETTINGS.encode(settings)


def settings_from_dict(data: Mapping[str, Any]) -> UserSettings:
    return SETTINGS.decode(data)


# --- day summaries (core.history): derived data, stored compactly --------------------

_TALLY_FIELDS = 7


def _count(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise CodecError(f"expected a count, got {value!r}")
    return value


def _number(value: Any) -> float:
    if type(value) not in (int, float) or not math.isfinite(value) or value < 0:
        raise CodecError(f"expected a non-negative number, got {value!r}")
    return float(value)


def _tally(values: Any) -> Tally:
    items = _as_list(values)
    if len(items) != _TALLY_FIELDS:
        raise CodecError(f"a tally has {_TALLY_FIELDS} counts, got {len(items)}")
    return Tally(*(_count(item) for item in items))


def day_summary_to_dict(summary: DaySummary) -> dict[str, Any]:
    run = summary.run
    return {
        "day": summary.day.isoformat(),
        "tally": summary.tally.as_list(),
        "weight": summary.weight,
        "value": summary.value,
        "run": [run.head, run.tail, run.best, run.broken],
        "quarters": [[quarter, *counted.as_list()] for quarter, counted in summary.quarters],
    }


def day_summary_from_dict(data: Mapping[str, Any]) -> DaySummary:
    if not isinstance(data, Mapping):
        raise CodecError("expected an object for DaySummary")
    try:
        day = date.fromisoformat(data["day"])
        run = _as_list(data["run"])
        if len(run) != 4 or type(run[3]) is not bool:
            raise CodecError(f"not a run: {run!r}")
        quarters = []
        for row in _as_list(data["quarters"]):
            items = _as_list(row)
            quarter = _count(items[0]) if items else -1
            if not 0 <= quarter < QUARTERS_PER_DAY:
                raise CodecError(f"not a quarter hour: {row!r}")
            quarters.append((quarter, _tally(items[1:])))
        return DaySummary(
            day=day,
            tally=_tally(data["tally"]),
            weight=_number(data["weight"]),
            value=_number(data["value"]),
            run=Run(_count(run[0]), _count(run[1]), _count(run[2]), run[3]),
            quarters=tuple(quarters),
        )
    except CodecError:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise CodecError(f"DaySummary: {error!r}") from error
