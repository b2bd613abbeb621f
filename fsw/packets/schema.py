"""What a row of the command, telemetry and event tables is: plain frozen data, checked on creation.

Layouts, codecs and the dictionary are all derived from these rows; nothing about a packet is
declared anywhere else.
"""

from __future__ import annotations

import keyword
import math
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from fsw.packets.crc import CRC_FIELD
from fsw.packets.data import Data
from fsw.packets.display import decimals_for
from fsw.packets.headers import COMMAND_HEADER_NAMES, EVENT_HEADER_NAMES, TELEMETRY_HEADER_NAMES
from fsw.packets.limits import Limits
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.rules import Rule
from fsw.packets.types import (
    TYPES,
    WireType,
    is_finite,
    is_number,
    is_whole,
    number_text,
    shortest_f32,
)

_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ROW_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


EnumClass = type[IntEnum]
"""An enumeration class a field's values come from (the field is named `type`, hence the alias)."""


class Severity(IntEnum):
    """How much an event matters, lowest first."""

    DEBUG = 0
    INFO = 1
    WARNING = 2
    ERROR = 3
    CRITICAL = 4


@dataclass(frozen=True)
class Field:
    """One typed value in a packet: a telemetry field, a command argument or an event argument."""

    name: str
    type: str
    description: str = ""
    unit: str = ""
    min: float | None = None
    max: float | None = None
    enum: EnumClass | None = None
    limits: Limits | None = None
    precision: int | None = None  # decimals shown (None: the unit's, fsw.packets.display)

    def __post_init__(self) -> None:
        if (
            not isinstance(self.name, str)
            or not _FIELD_NAME.match(self.name)
            or keyword.iskeyword(self.name)
        ):
            raise ValueError(f"field name {self.name!r} must be lower_snake_case")
        for text in ("description", "unit"):
            _require(isinstance(getattr(self, text), str), f"field {self.name}: {text} is text")
        if self.type not in TYPES:
            raise ValueError(
                f"field {self.name}: unknown type {self.type!r} (one of {', '.join(TYPES)})"
            )
        wire = TYPES[self.type]
        for bound in (self.min, self.max):
            _require(
                bound is None or is_finite(bound),
                f"field {self.name}: bound {bound!r} is not a finite number",
            )
            if bound is not None and not wire.lowest <= bound <= wire.highest:
                raise ValueError(f"field {self.name}: bound {bound} does not fit in {self.type}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"field {self.name}: min {self.min} is above max {self.max}")
        _require(
            self.limits is None or isinstance(self.limits, Limits),
            f"field {self.name}: limits must be Limits",
        )
        _require(
            self.precision is None or (type(self.precision) is int and 0 <= self.precision <= 12),
            f"field {self.name}: precision is a number of decimals, 0..12",
        )
        if self.enum is not None:
            _require(
                isinstance(self.enum, type)
                and issubclass(self.enum, IntEnum)
                and len(self.enum) > 0,
                f"field {self.name}: an enum needs at least one member",
            )
            if wire.kind != "uint":
                raise ValueError(
                    f"field {self.name}: an enum needs an unsigned type, not {self.type}"
                )
            for member in self.enum:
                if not 0 <= member.value <= wire.highest:
                    raise ValueError(f"field {self.name}: {member!r} does not fit in {self.type}")

    @property
    def wire(self) -> WireType:
        """The field's wire type."""
        return TYPES[self.type]

    @property
    def decimals(self) -> int | None:
        """Decimals a person is shown of this float field (None: not a float)."""
        return decimals_for(self.unit, self.precision) if self.wire.kind == "float" else None

    @property
    def size(self) -> int:
        """Bytes on the wire."""
        return TYPES[self.type].size

    def check(self, value: object) -> int | float:
        """The wire value for `value`, or a PacketError saying why it is not valid for this field.

        Enum fields take a member, its name (any case) or its number. Ranges are compared at the
        wire's precision, so a bound that an f32 cannot hold exactly is still accepted itself.
        """
        wire = TYPES[self.type]
        if self.enum is not None:
            return self._check_enum(value)
        low = wire.lowest if self.min is None else self.min
        high = wire.highest if self.max is None else self.max
        value = as_number(self.name, value, wire, (low, high), self._unit)
        carried = wire.representable(value)
        shown, unit = number_text(value), self._unit
        if carried < wire.representable(low) or value < wire.lowest:
            raise PacketError(
                Reason.OUT_OF_RANGE,
                f"{self.name}: {shown}{unit} is below the minimum {number_text(low)}{unit}",
            )
        if carried > wire.representable(high) or value > wire.highest:
            raise PacketError(
                Reason.OUT_OF_RANGE,
                f"{self.name}: {shown}{unit} is above the maximum {number_text(high)}{unit}",
            )
        return value

    def _check_enum(self, value: object) -> int:
        assert self.enum is not None
        choices = ", ".join(m.name for m in self.enum)
        if isinstance(value, str):
            member = self.enum.__members__.get(value.upper())
            if member is None:
                raise PacketError(
                    Reason.INVALID_VALUE, f"{self.name}: {value!r} is not one of {choices}"
                )
            return int(member)
        if is_whole(value):
            number = int(value)  # type: ignore[call-overload]
            if number not in self.enum._value2member_map_:
                raise PacketError(
                    Reason.INVALID_VALUE, f"{self.name}: {number} is not one of {choices}"
                )
            return number
        raise PacketError(Reason.INVALID_VALUE, f"{self.name}: {value!r} is not one of {choices}")

    @property
    def _unit(self) -> str:
        return f" {self.unit}" if self.unit else ""

    def show(self, value: int | float) -> object:
        """The value as a person reads it: an enum's member name, an f32 at its shortest
        (0.0447, not 0.04470000043), else the number."""
        if self.enum is not None:
            member = self.enum._value2member_map_.get(value)
            return member.name if member is not None else value
        if self.type == "f32":
            return shortest_f32(value)
        return value


def as_number(
    name: str,
    value: object,
    wire: WireType,
    bounds: tuple[float, float],
    unit: str = "",
    *,
    finite: bool = True,
) -> int | float:
    """`value` as the int or float its wire type carries, or a PacketError saying why it cannot be.

    Takes any real number (numpy scalars too); a whole float for an integer type is accepted.
    With finite=False a float type also takes NaN and infinities (telemetry may carry them).
    """
    if not is_number(value):
        raise PacketError(Reason.INVALID_VALUE, f"{name}: {value!r} is not a number")
    if wire.kind == "float":
        try:
            number = float(value)  # type: ignore[arg-type]
        except OverflowError:  # an integer with hundreds of digits
            side = "above the maximum" if value > 0 else "below the minimum"  # type: ignore[operator]
            limit = bounds[1] if value > 0 else bounds[0]  # type: ignore[operator]
            shown = number_text(value)  # type: ignore[arg-type]
            raise PacketError(
                Reason.OUT_OF_RANGE, f"{name}: {shown}{unit} is {side} {number_text(limit)}{unit}"
            ) from None
        if finite and not math.isfinite(number):
            raise PacketError(Reason.INVALID_VALUE, f"{name}: {value!r} is not a finite number")
        return number
    if is_whole(value):
        return int(value)  # type: ignore[call-overload]
    number = float(value)  # type: ignore[arg-type]
    if not number.is_integer():
        raise PacketError(Reason.INVALID_VALUE, f"{name}: {value!r} is not a whole number")
    return int(number)


def _check_row(kind: str, name: str, fields: tuple[Field, ...], reserved: frozenset[str]) -> None:
    _require(all(isinstance(f, Field) for f in fields), f"{kind} {name}: fields must be Fields")
    if not isinstance(name, str) or not _ROW_NAME.match(name):
        raise ValueError(f"{kind} name {name!r} must be UPPER_SNAKE_CASE")
    seen: set[str] = set()
    for f in fields:
        if f.name in seen:
            raise ValueError(f"{kind} {name}: field {f.name!r} appears twice")
        if f.name in reserved:
            raise ValueError(f"{kind} {name}: field name {f.name!r} is reserved for the headers")
        seen.add(f.name)


def _check_apid(kind: str, name: str, apid: int) -> None:
    _require(is_whole(apid), f"{kind} {name}: APID {apid!r} is not an integer")
    if not 0 <= apid < 0x7FF:
        raise ValueError(f"{kind} {name}: APID {apid} is outside 0..2046 (2047 is the idle APID)")


_CRC_NAME = {CRC_FIELD}
COMMAND_RESERVED = COMMAND_HEADER_NAMES | _CRC_NAME
TELEMETRY_RESERVED = TELEMETRY_HEADER_NAMES | _CRC_NAME
EVENT_RESERVED = EVENT_HEADER_NAMES | _CRC_NAME


@dataclass(frozen=True)
class CommandDef:
    """A command: where it goes (APID, code), what it does, its arguments, and its hazard.

    `data`, when declared, is a variable-length run of bytes after the arguments (Data);
    `rules`, checks beyond each argument's range that flight and ground both make
    (fsw.packets.rules)."""

    name: str
    apid: int
    code: int
    description: str
    args: tuple[Field, ...] = ()
    hazardous: bool = False
    hazard: str = ""
    data: Data | None = None
    rules: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        _check_row("command", self.name, self.args, COMMAND_RESERVED)
        if self.data is not None:
            _require(isinstance(self.data, Data), f"command {self.name}: data must be Data")
            if self.data.name in COMMAND_RESERVED or self.data.name in {a.name for a in self.args}:
                raise ValueError(
                    f"command {self.name}: data name {self.data.name!r} is taken by an argument "
                    "or a header"
                )
        _check_apid("command", self.name, self.apid)
        _require(is_whole(self.code), f"command {self.name}: code {self.code!r} is not an integer")
        _require(isinstance(self.description, str), f"command {self.name}: description is text")
        _require(
            isinstance(self.hazardous, bool) and isinstance(self.hazard, str),
            f"command {self.name}: hazardous is true or false, hazard is text",
        )
        if not 0 <= self.code <= 0xFF:
            raise ValueError(f"command {self.name}: code {self.code} does not fit in u8")
        for rule in self.rules:
            _require(isinstance(rule, Rule), f"command {self.name}: rules must be Rules")
            rule.check_fits(self.name, self.args)
        if self.hazardous != bool(self.hazard):
            raise ValueError(
                f"command {self.name}: a hazardous command says what the hazard is, and only it"
            )

    def check_args(self, args: dict[str, object]) -> dict[str, int | float]:
        """The wire values for `args`, or a PacketError naming the first argument that is wrong."""
        known = {a.name for a in self.args}
        for name in args:
            if name not in known:
                expected = ", ".join(sorted(known)) or "none"
                raise PacketError(
                    Reason.INVALID_VALUE,
                    f"{self.name} has no argument {name!r} (arguments: {expected})",
                )
        for index, arg in enumerate(self.args):
            if arg.name not in args:
                raise PacketError(
                    Reason.INVALID_VALUE, f"{self.name} needs argument {arg.name!r}", index
                )
        return self.check_values(args)

    def check_values(self, values: Mapping[str, object]) -> dict[str, int | float]:
        """The wire values of the arguments in `values` (each one there; other names are let
        be, e.g. a decoded packet's data), or a PacketError naming the first out of range and
        its index: the one range check of the ground, the dispatcher and stored sequences."""
        out: dict[str, int | float] = {}
        for index, arg in enumerate(self.args):
            try:
                out[arg.name] = arg.check(values[arg.name])
            except PacketError as err:
                raise PacketError(err.reason, f"{self.name} {err.message}", index) from None
        return out


@dataclass(frozen=True)
class TelemetryDef:
    """A fixed-layout telemetry packet, one per APID."""

    name: str
    apid: int
    description: str
    fields: tuple[Field, ...] = ()

    def __post_init__(self) -> None:
        _check_row("telemetry packet", self.name, self.fields, TELEMETRY_RESERVED)
        _check_apid("telemetry packet", self.name, self.apid)
        _require(isinstance(self.description, str), f"packet {self.name}: description is text")


@dataclass(frozen=True)
class EventDef:
    """An event: a numbered, typed message whose text is rendered from `format` on the ground."""

    name: str
    id: int
    severity: Severity
    format: str
    description: str = ""
    args: tuple[Field, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_row("event", self.name, self.args, EVENT_RESERVED)
        _require(is_whole(self.id), f"event {self.name}: id {self.id!r} is not an integer")
        if not 0 <= self.id <= 0xFFFF:
            raise ValueError(f"event {self.name}: id {self.id} does not fit in u16")
        _require(isinstance(self.severity, Severity), f"event {self.name}: severity is a Severity")
        _require(
            isinstance(self.format, str) and isinstance(self.description, str),
            f"event {self.name}: format and description are text",
        )
        names = {a.name for a in self.args}
        try:
            parsed = list(string.Formatter().parse(self.format))
        except ValueError as err:
            raise ValueError(f"event {self.name}: format {self.format!r}: {err}") from None
        rebuilt = ""
        for literal, placeholder, _, _ in parsed:
            rebuilt += literal.replace("{", "{{").replace("}", "}}")
            rebuilt += "" if placeholder is None else "{" + placeholder + "}"
        if rebuilt != self.format:  # a spec or conversion, even an empty one ("{a:}")
            raise ValueError(
                f"event {self.name}: format {self.format!r} has a format spec; placeholders are "
                "bare {argument}, so a ground in any language can render them"
            )
        for _, placeholder, _, _ in parsed:
            if placeholder is None:
                continue
            if placeholder not in names:
                known = ", ".join(sorted(names)) or "none"
                raise ValueError(
                    f"event {self.name}: format names {{{placeholder}}}, which is no argument "
                    f"(arguments: {known})"
                )

    def render(self, values: dict[str, int | float]) -> str:
        """The event's text: each {argument} replaced by its value, enums by member name."""
        return self.format.format(**{a.name: a.show(values[a.name]) for a in self.args})
