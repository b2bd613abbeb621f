"""What a row of the fault-monitor table is (in the manner of cFS Limit Checker: a watchpoint on one
quantity, paired with a persistence and the response it names)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from fsw.tables.enums import Response


class Watch(Enum):
    """When a monitor looks at its quantity; outside that it is idle and forgets its count."""

    AWAKE = "awake"  # in every mode but BOOT, HIBERNATE and NAP
    MOVING = "moving"  # while the wheels are commanded to turn (driving or turning in place)
    DRIVING = "driving"  # while rolling on a drive (not steering, not turning in place)

    @property
    def bit(self) -> int:
        """This condition's bit in the mask the monitor engine is given each cycle."""
        return _BITS[self]


_BITS = {Watch.AWAKE: 1, Watch.MOVING: 2, Watch.DRIVING: 4}


@dataclass(frozen=True)
class MonitorDef:
    """One fault monitor. Its threshold and persistence are parameters named after it:
    <NAME>_LIMIT and <NAME>_PERSISTENCE (and <NAME>_LIMIT_5W where `degraded` is set)."""

    name: str
    quantity: str  # key in fsw.fdir.quantities
    above: bool  # trips when the quantity is above the threshold (else below)
    threshold: float
    bounds: tuple[float, float]  # the range the ground may re-tune the threshold within
    unit: str
    persistence: int  # consecutive control cycles beyond the threshold before it trips
    response: Response
    watch: Watch
    per_wheel: bool
    description: str
    degraded: float | None = None  # the threshold on five wheels, if different

    @property
    def limit_param(self) -> str:
        """Name of the threshold parameter."""
        return f"{self.name}_LIMIT"

    @property
    def persistence_param(self) -> str:
        """Name of the persistence parameter."""
        return f"{self.name}_PERSISTENCE"

    @property
    def degraded_param(self) -> str:
        """Name of the five-wheel threshold parameter."""
        return f"{self.name}_LIMIT_5W"

    def beyond(self, value: float, threshold: float) -> bool:
        """Whether `value` is past `threshold` (exactly at it is not)."""
        return value > threshold if self.above else value < threshold
