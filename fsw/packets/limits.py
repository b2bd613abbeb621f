"""Red and yellow limits of telemetry values, and where a value sits against them (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from fsw.packets.types import is_finite


class LimitState(IntEnum):
    """Where a telemetry value sits against its limits."""

    NOMINAL = 0
    YELLOW_LOW = 1
    YELLOW_HIGH = 2
    RED_LOW = 3
    RED_HIGH = 4


@dataclass(frozen=True)
class Limits:
    """Red and yellow limits of a telemetry value; any of them may be absent."""

    red_low: float | None = None
    yellow_low: float | None = None
    yellow_high: float | None = None
    red_high: float | None = None

    def __post_init__(self) -> None:
        given = self.as_dict()
        for name, value in given.items():
            if not is_finite(value):
                raise ValueError(f"limit {name} must be a finite number, not {value!r}")
        if not given:
            raise ValueError("limits need at least one threshold")
        if list(given.values()) != sorted(given.values()):
            raise ValueError(
                f"limits must be red_low <= yellow_low <= yellow_high <= red_high: {self}"
            )

    def check(self, value: float) -> tuple[LimitState, float | None]:
        """The state of `value` and the threshold it broke (None when nominal)."""
        if self.red_low is not None and value < self.red_low:
            return LimitState.RED_LOW, self.red_low
        if self.red_high is not None and value > self.red_high:
            return LimitState.RED_HIGH, self.red_high
        if self.yellow_low is not None and value < self.yellow_low:
            return LimitState.YELLOW_LOW, self.yellow_low
        if self.yellow_high is not None and value > self.yellow_high:
            return LimitState.YELLOW_HIGH, self.yellow_high
        return LimitState.NOMINAL, None

    def as_dict(self) -> dict[str, float]:
        """The thresholds that are set, lowest first."""
        items = {
            "red_low": self.red_low,
            "yellow_low": self.yellow_low,
            "yellow_high": self.yellow_high,
            "red_high": self.red_high,
        }
        return {k: v for k, v in items.items() if v is not None}
