"""The small vocabulary of wire types every packet field is declared with (all big-endian)."""

from __future__ import annotations

import math
import numbers
import struct
from dataclasses import dataclass
from typing import Literal

import construct as cs

Kind = Literal["uint", "int", "float"]


@dataclass(frozen=True)
class WireType:
    """One wire type: its size, its construct definition and its layout for struct and numpy."""

    name: str
    size: int
    kind: Kind
    struct_code: str
    subcon: cs.Construct
    numpy_dtype: str

    @property
    def bits(self) -> int:
        """Width in bits."""
        return self.size * 8

    @property
    def lowest(self) -> float:
        """The smallest finite value the type can carry."""
        if self.kind == "uint":
            return 0
        if self.kind == "int":
            return -(1 << (self.bits - 1))
        return -self.highest

    @property
    def highest(self) -> float:
        """The largest finite value the type can carry."""
        if self.kind == "uint":
            return (1 << self.bits) - 1
        if self.kind == "int":
            return (1 << (self.bits - 1)) - 1
        return (
            struct.unpack(">f", b"\x7f\x7f\xff\xff")[0]
            if self.size == 4
            else 1.7976931348623157e308
        )

    def representable(self, value: float) -> float:
        """The value as the wire will carry it (f32 rounds, to infinity past its range)."""
        if self.kind == "float" and self.size == 4 and math.isfinite(value):
            try:
                return struct.unpack(">f", struct.pack(">f", value))[0]
            except OverflowError:
                return math.copysign(math.inf, value)
        return value


def number_text(value: float) -> str:
    """A number as a person writes it: integers whole (4294967295, not 4.29497e+09), huge ones
    shortened (1.00000e+400), other numbers at the shortest decimal that reads back the same."""
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        digits = str(abs(int(value)))
        sign = "-" if value < 0 else ""
        if len(digits) > 20:
            return f"{sign}{digits[0]}.{digits[1:6]}e+{len(digits) - 1}"
        return sign + digits
    return repr(float(value))


def is_number(value: object) -> bool:
    """A real number that is not a bool (numpy scalars count)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_finite(value: object) -> bool:
    """A real number that is finite (an integer of any size is, even one no float can hold)."""
    return is_whole(value) or (is_number(value) and math.isfinite(value))  # type: ignore[arg-type]


def is_whole(value: object) -> bool:
    """An integer that is not a bool (numpy integers count)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _t(name: str, size: int, kind: Kind, code: str, subcon: cs.Construct, np: str) -> WireType:
    return WireType(name, size, kind, code, subcon, np)


TYPES: dict[str, WireType] = {
    t.name: t
    for t in (
        _t("u8", 1, "uint", "B", cs.Int8ub, ">u1"),
        _t("u16", 2, "uint", "H", cs.Int16ub, ">u2"),
        _t("u32", 4, "uint", "I", cs.Int32ub, ">u4"),
        _t("u64", 8, "uint", "Q", cs.Int64ub, ">u8"),
        _t("i8", 1, "int", "b", cs.Int8sb, ">i1"),
        _t("i16", 2, "int", "h", cs.Int16sb, ">i2"),
        _t("i32", 4, "int", "i", cs.Int32sb, ">i4"),
        _t("i64", 8, "int", "q", cs.Int64sb, ">i8"),
        _t("f32", 4, "float", "f", cs.Float32b, ">f4"),
        _t("f64", 8, "float", "d", cs.Float64b, ">f8"),
    )
}


def shortest_f32(value: float) -> float:
    """The shortest decimal an f32 reads back as the same value (0.0447, not 0.04470000043)."""
    if not math.isfinite(value):
        return value
    try:
        exact = struct.pack(">f", value)
    except OverflowError:
        return value
    for digits in range(1, 10):
        candidate = float(f"{value:.{digits}g}")
        try:
            if struct.pack(">f", candidate) == exact:
                return candidate
        except OverflowError:  # rounding up past the largest f32 (3.4e38 for 3.4028235e38)
            continue
    return value
