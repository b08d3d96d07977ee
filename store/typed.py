"""Plain data (a collection's JSON, the environment's strings) into frozen dataclasses, each
value checked against its field's type; a wrong value is refused in words, naming its field.

The settings and the collection are the only typed values read from outside. pydantic did this
for them, and importing it and building their validators cost about 85 ms of CPU at every
start of every process, more than half of a command line's.
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")
_FROM_TEXT = {date: date.fromisoformat, datetime: datetime.fromisoformat,
              time: time.fromisoformat, Path: Path}


class Invalid(ValueError):
    """A value that does not fit its field, e.g. `smtp_port: 'abc' is not a whole number`."""


def from_data(cls: type[T], data: Any, where: str = "") -> T:
    """An instance of the dataclass `cls` from a mapping of its fields' values (unknown keys
    ignored, missing ones defaulted), each converted to its field's type."""
    if not isinstance(data, dict):
        raise Invalid(f"{where or cls.__name__}: expected an object, got {data!r}")
    hints = get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):     # type: ignore[arg-type]
        name = f"{where}.{field.name}" if where else field.name
        if field.name in data:
            values[field.name] = convert(hints[field.name], data[field.name], name)
        elif field.default is dataclasses.MISSING and \
                field.default_factory is dataclasses.MISSING:
            raise Invalid(f"{name}: missing")
    return cls(**values)


def convert(kind: Any, value: Any, where: str) -> Any:
    """`value` as the type `kind` (a class, `X | None`, `tuple[X, ...]` or `dict[K, V]`)."""
    origin, args = get_origin(kind), get_args(kind)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [arg for arg in args if arg is not type(None)]
        return convert(inner, value, where)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise Invalid(f"{where}: expected a list, got {value!r}")
        return tuple(convert(args[0], item, f"{where}[{i}]") for i, item in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise Invalid(f"{where}: expected an object, got {value!r}")
        return {convert(args[0], k, where): convert(args[1], v, f"{where}.{k}")
                for k, v in value.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return value if isinstance(value, kind) else from_data(kind, value, where)
    return _scalar(kind, value, where)


def _scalar(kind: type, value: Any, where: str) -> Any:
    if isinstance(value, kind) and not (kind is not bool and isinstance(value, bool)):
        return value
    try:
        if kind is int and isinstance(value, str):
            return int(value)
        if kind is float and isinstance(value, int | str) and not isinstance(value, bool):
            return float(value)
        if kind is bool and isinstance(value, str) and value.lower() in _BOOLEANS:
            return _BOOLEANS[value.lower()]
        if kind in _FROM_TEXT and isinstance(value, str):
            return _FROM_TEXT[kind](value)
    except ValueError:
        pass
    raise Invalid(f"{where}: {value!r} is not {_WORDS.get(kind, kind.__name__)}")


_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True,
             "false": False, "0": False, "no": False, "off": False}
_WORDS = {int: "a whole number", float: "a number", bool: "true or false", str: "text",
          date: "a date (YYYY-MM-DD)", datetime: "a date and time (YYYY-MM-DDTHH:MM)",
          time: "a time (HH:MM)", Path: "a file path"}
