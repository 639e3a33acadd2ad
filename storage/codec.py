"""Records <-> plain JSON dicts, the one place that knows how a record looks on disk.

The conversion is derived once per record type from its type hints, so a field added to
``core.models`` is stored without touching this module. Reading is lenient in exactly
two ways that keep old and new files working side by side: keys this version does not
know are ignored, and keys an older file lacks take the dataclass default. Everything
else (a wrong type, a naive datetime, an unknown enum value) is a ``CodecError``, so a
damaged record is reported instead of being half-read.

Datetimes are written as ISO-8601 in UTC, enums by value, tuples as lists.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

from core.models import Promise, Routine, UserSettings

__all__ = [
    "PROMISE",
    "ROUTINE",
    "SETTINGS",
    "Codec",
    "CodecError",
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


def _encode_datetime(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CodecError("naive datetimes are not stored; every datetime must be aware")
    return value.astimezone(UTC).isoformat()


def _decode_datetime(value: Any) -> datetime:
    if type(value) is not str:
        raise CodecError(f"expected an ISO-8601 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise CodecError(f"not an ISO-8601 datetime: {value!r}") from error
    if parsed.tzinfo is UTC:
        return parsed
    if parsed.tzinfo is None:
        raise CodecError(f"stored datetime has no offset: {value!r}")
    return parsed.astimezone(UTC)


def _exact(kind: type) -> Convert:
    """Primitive check by exact type: JSON keeps bool and int apart, and so do we."""

    def decode(value: Any) -> Any:
        if type(value) is not kind:
            raise CodecError(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return decode


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
        except ValueError as error:
            raise CodecError(f"unknown {kind.__name__}: {value!r}") from error

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
    if hint in (str, int, bool):
        return _identity, _exact(hint)
    raise TypeError(f"no stored form for {hint!r}")


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
        self._cls = cls
        self._fields = tuple(
            _Field(
                name=f.name,
                encode=(conv := _converters(hints[f.name]))[0],
                decode=conv[1],
                required=f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING,
            )
            for f in dataclasses.fields(cls)
        )
        # Plain tuples: decoding runs 100,000 times at start-up, attribute lookups show.
        self._decoders = tuple((f.name, f.decode, f.required) for f in self._fields)

    def encode(self, record: T) -> dict[str, Any]:
        return {f.name: f.encode(getattr(record, f.name)) for f in self._fields}

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
