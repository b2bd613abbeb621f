"""Parameters: named, range-checked numbers the ground may tune (SET_PARAM / GET_PARAM).

Declared once as rows (fsw.tables.params); the store holds the live values. A value outside a
row's range, or a fraction for a whole-number parameter, is refused and changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fsw.packets.reasons import PacketError, Reason
from fsw.packets.types import number_text


@dataclass(frozen=True)
class ParamDef:
    """One parameter: its number on the wire, default, valid range, unit and purpose."""

    name: str
    id: int
    default: float
    min: float
    max: float
    unit: str
    description: str
    whole: bool = False

    def __post_init__(self) -> None:
        if not self.min <= self.default <= self.max:
            raise ValueError(f"parameter {self.name}: default {self.default} is outside its range")
        if self.whole and not all(float(v).is_integer() for v in (self.default, self.min)):
            raise ValueError(f"parameter {self.name}: a whole-number parameter has whole bounds")

    def check(self, value: float) -> float:
        """`value` if this parameter may take it, else a PacketError saying why not."""
        unit = f" {self.unit}" if self.unit else ""
        if not math.isfinite(value):
            raise PacketError(Reason.INVALID_VALUE, f"{self.name}: {value} is not a number")
        if self.whole and not float(value).is_integer():
            raise PacketError(Reason.INVALID_VALUE, f"{self.name}: {value} is not a whole number")
        if value < self.min:
            raise PacketError(
                Reason.OUT_OF_RANGE,
                f"{self.name}: {number_text(value)}{unit} is below the minimum "
                f"{number_text(self.min)}{unit}",
            )
        if value > self.max:
            raise PacketError(
                Reason.OUT_OF_RANGE,
                f"{self.name}: {number_text(value)}{unit} is above the maximum "
                f"{number_text(self.max)}{unit}",
            )
        return float(value)


class ParamStore:
    """The live value of every parameter, by name; starts at the defaults."""

    def __init__(self, rows: tuple[ParamDef, ...]) -> None:
        self.rows = {p.name: p for p in rows}
        self.by_id = {p.id: p for p in rows}
        if len(self.rows) != len(rows) or len(self.by_id) != len(rows):
            raise ValueError("parameter names and ids must be unique")
        self.values: dict[str, float] = {p.name: p.default for p in rows}

    def __getitem__(self, name: str) -> float:
        return self.values[name]

    def set(self, name: str, value: float) -> float:
        """Set a parameter after its range check; the value it had before."""
        checked = self.rows[name].check(value)
        old = self.values[name]
        self.values[name] = checked
        return old
