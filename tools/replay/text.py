"""Whole columns of telemetry as text, fast: numpy formats, and each distinct value only once.

Telemetry repeats itself (modes, flags, counters, a wheel at rest), so a column is reduced to its
distinct bit patterns first when that pays (bit patterns, so -0.0 stays -0.0), formatted, and
spread back. f32 values print at their shortest (numpy's float32 repr reads back as the same f32,
like fsw.packets.types.shortest_f32); mission times print exactly (a time code is a whole number
of 1/65536 s, which has an exact decimal); UTC to the microsecond, rounded half to even as
datetime does.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from enum import IntEnum

import numpy as np

from fsw.packets.schema import Field
from fsw.packets.timecode import FINE_PER_SECOND, MISSION_EPOCH

Formatter = Callable[[np.ndarray], np.ndarray]

SAMPLE = 512
"""Values looked at first: a column mostly distinct there is formatted directly."""

EPOCH_US = int(MISSION_EPOCH.timestamp()) * 1_000_000
FINE_DIGITS = 16  # 1/65536 = 0.0000152587890625: 16 decimals, exactly
US_PER_TICK = (15625, 1024)  # 1/65536 s is 15.2587890625 us = 15625/1024 us


def _plain(values: np.ndarray) -> np.ndarray:
    return values.astype(str)


def distinct_text(values: np.ndarray, fmt: Formatter = _plain) -> list[str]:
    """`fmt` applied to a 1-D column, each distinct value formatted once, as a list of str."""
    n = len(values)
    if not n:
        return []
    bits = values.view(f"u{values.dtype.itemsize}") if values.dtype.kind in "iuf" else values
    if (bits == bits[0]).all():
        return [str(fmt(values[:1])[0])] * n
    if n > SAMPLE and len(np.unique(bits[:SAMPLE])) > SAMPLE // 2:
        return fmt(values).tolist()
    unique, inverse = np.unique(bits, return_inverse=True)
    if len(unique) * 2 > n:
        return fmt(values).tolist()
    texts = np.array(fmt(unique.view(values.dtype)).tolist(), dtype=object)
    return texts[inverse.reshape(-1)].tolist()


def enum_text(values: np.ndarray, enum: type[IntEnum]) -> list[str]:
    """Enum member names (the number itself for a value that is no member)."""

    def names(v: np.ndarray) -> np.ndarray:
        members = enum._value2member_map_
        return np.array([members[x].name if x in members else str(x) for x in v.tolist()])

    return distinct_text(values, names)


def field_text(values: np.ndarray, field: Field) -> list[str]:
    """One field's column as a person reads it: enums by name, f32 at the shortest."""
    values = values.astype(values.dtype.newbyteorder("="), copy=False)
    if field.enum is not None:
        return enum_text(values, field.enum)
    return distinct_text(values)


def split_time(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mission times as (whole seconds, 1/65536 ticks), int64."""
    coarse = np.floor(times).astype(np.int64)
    fine = np.round((times - coarse) * FINE_PER_SECOND).astype(np.int64)
    return coarse, fine


def _fraction(fine: np.ndarray) -> np.ndarray:
    return np.array(
        ["." + (f"{v * 5**FINE_DIGITS:0{FINE_DIGITS}d}".rstrip("0") or "0") for v in fine.tolist()]
    )


def mission_time_text(times: np.ndarray) -> list[str]:
    """Mission seconds, exactly (1000.5, 1182.0898895263671875)."""
    coarse, fine = split_time(times)
    return list(map(operator.add, distinct_text(coarse), distinct_text(fine, _fraction)))


def mission_us(times: np.ndarray) -> np.ndarray:
    """Mission times as microseconds since 1970 (int64), rounded half to even."""
    coarse, fine = split_time(times)
    numerator, denominator = US_PER_TICK
    q, r = np.divmod(fine * numerator, denominator)  # q whole us and r/1024 of one
    half = denominator // 2
    q += (r > half) | ((r == half) & (q % 2 == 1))
    return EPOCH_US + coarse * 1_000_000 + q


def _seconds(s: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(s.astype("datetime64[s]"), unit="s")


def _micro(m: np.ndarray) -> np.ndarray:
    return np.array([f".{v:06d}Z" for v in m.tolist()])


def utc_text(us: np.ndarray) -> list[str]:
    """ISO 8601 UTC with microseconds for microseconds since 1970 (int64)."""
    seconds, micro = np.divmod(us, 1_000_000)
    return list(map(operator.add, distinct_text(seconds, _seconds), distinct_text(micro, _micro)))


def received_us(ns: np.ndarray) -> np.ndarray:
    """Ground receive times (ns since 1970) to the nearest microsecond."""
    return (ns + 500) // 1000
