"""CCSDS Unsegmented Time Code (CUC, CCSDS 301.0-B-4) since the mission epoch.

4 octets of seconds and 2 octets of binary fraction (1/65536 s), with an implicit P-field 0x2E
(level 2: agency-defined epoch). The epoch is Chang'e 4's touchdown on the far side; mission time
counts SI seconds from it with no leap seconds, like a mission elapsed time.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

MISSION_EPOCH = datetime(2019, 1, 3, 2, 26, 0, tzinfo=UTC)
MISSION_EPOCH_ISO = "2019-01-03T02:26:00Z"
P_FIELD = 0x2E
COARSE_BYTES = 4
FINE_BYTES = 2
FINE_PER_SECOND = 1 << (8 * FINE_BYTES)
MAX_COARSE = (1 << (8 * COARSE_BYTES)) - 1


class TimeCodeError(ValueError):
    """A mission time that the time code cannot carry."""


def to_cuc(seconds: float) -> tuple[int, int]:
    """(coarse, fine) for a mission time in seconds; the fraction rounds to the nearest tick."""
    if not math.isfinite(seconds) or seconds < 0:
        raise TimeCodeError(f"mission time {seconds!r} s is not a time since the epoch")
    ticks = round(seconds * FINE_PER_SECOND)
    coarse, fine = divmod(ticks, FINE_PER_SECOND)
    if coarse > MAX_COARSE:
        raise TimeCodeError(f"mission time {seconds!r} s is past the time code's range")
    return coarse, fine


def from_cuc(coarse: int, fine: int) -> float:
    """Mission time in seconds for a (coarse, fine) pair."""
    return coarse + fine / FINE_PER_SECOND


def to_utc(seconds: float) -> datetime:
    """The UTC instant of a mission time (leap seconds since the epoch are not applied)."""
    return MISSION_EPOCH + timedelta(seconds=seconds)


def utc_iso(seconds: float) -> str:
    """A mission time as an ISO 8601 UTC string with microseconds."""
    return to_utc(seconds).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
