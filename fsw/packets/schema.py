"""What a row of the command, telemetry and event tables is: plain frozen data, checked on creation.

Layouts, codecs and the dictionary are all derived from these rows; nothing about a packet is
declared anywhere else.
"""

from __future__ import annotations

import keyword
import math
import re
import string
from dataclasses import dataclass, field
from enum import IntEnum

from fsw.packets.reasons import PacketError, Reason
from fsw.packets.types import TYPES, WireType, number_text

_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ROW_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


EnumClass = type[IntEnum]
"""An enumeration class a field's values come from (the field is named `type`, hence the alias)."""


class Severity(IntEnum):
    """How much an event matters, lowest first."""

    DEBUG = 0
    INFO = 1
    WARNING = 2
    ERROR = 3
    CRITICAL = 4


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
        given = [
            v
            for v in (self.red_low, self.yellow_low, self.yellow_high, self.red_high)
            if v is not None
        ]
        if not given:
            raise ValueError("limits need at least one threshold")
        if given != sorted(given):
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
        """The thresholds that are set."""
        items = {
            "red_low": self.red_low,
            "yellow_low": self.yellow_low,
            "yellow_high": self.yellow_high,
            "red_high": self.red_high,
        }
        return {k: v for k, v in items.items() if v is not None}


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

    def __post_init__(self) -> None:
        if not _FIELD_NAME.match(self.name) or keyword.iskeyword(self.name):
            raise ValueError(f"field name {self.name!r} must be lower_snake_case")
        if self.type not in TYPES:
            raise ValueError(
                f"field {self.name}: unknown type {self.type!r} (one of {', '.join(TYPES)})"
            )
        wire = TYPES[self.type]
        for bound in (self.min, self.max):
            if bound is not None and not wire.lowest <= bound <= wire.highest:
                raise ValueError(f"field {self.name}: bound {bound} does not fit in {self.type}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"field {self.name}: min {self.min} is above max {self.max}")
        if self.enum is not None:
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
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PacketError(Reason.INVALID_VALUE, f"{self.name}: {value!r} is not a number")
        if wire.kind == "float":
            if not math.isfinite(value):
                raise PacketError(
                    Reason.INVALID_VALUE, f"{self.name}: {value!r} is not a finite number"
                )
            value = float(value)
        elif isinstance(value, float):
            if not value.is_integer():
                raise PacketError(
                    Reason.INVALID_VALUE, f"{self.name}: {value!r} is not a whole number"
                )
            value = int(value)
        low = wire.lowest if self.min is None else self.min
        high = wire.highest if self.max is None else self.max
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
        if isinstance(value, int) and not isinstance(value, bool):
            if value not in self.enum._value2member_map_:
                raise PacketError(
                    Reason.INVALID_VALUE, f"{self.name}: {value} is not one of {choices}"
                )
            return int(value)
        raise PacketError(Reason.INVALID_VALUE, f"{self.name}: {value!r} is not one of {choices}")

    @property
    def _unit(self) -> str:
        return f" {self.unit}" if self.unit else ""

    def show(self, value: int | float) -> object:
        """The value as a person reads it: an enum's member name, else the number."""
        if self.enum is not None:
            member = self.enum._value2member_map_.get(value)
            return member.name if member is not None else value
        return value


def _check_row(kind: str, name: str, fields: tuple[Field, ...], reserved: frozenset[str]) -> None:
    if not _ROW_NAME.match(name):
        raise ValueError(f"{kind} name {name!r} must be UPPER_SNAKE_CASE")
    seen: set[str] = set()
    for f in fields:
        if f.name in seen:
            raise ValueError(f"{kind} {name}: field {f.name!r} appears twice")
        if f.name in reserved:
            raise ValueError(f"{kind} {name}: field name {f.name!r} is reserved for the headers")
        seen.add(f.name)


def _check_apid(kind: str, name: str, apid: int) -> None:
    if not 0 <= apid < 0x7FF:
        raise ValueError(f"{kind} {name}: APID {apid} is outside 0..2046 (2047 is the idle APID)")


COMMAND_RESERVED = frozenset({"packet_id", "sequence_control", "data_length", "code"})
TELEMETRY_RESERVED = frozenset(
    {"packet_id", "sequence_control", "data_length", "time_coarse", "time_fine"}
)
EVENT_RESERVED = TELEMETRY_RESERVED | {"event_id", "severity"}


@dataclass(frozen=True)
class CommandDef:
    """A command: where it goes (APID, code), what it does, its arguments, and its hazard."""

    name: str
    apid: int
    code: int
    description: str
    args: tuple[Field, ...] = ()
    hazardous: bool = False
    hazard: str = ""

    def __post_init__(self) -> None:
        _check_row("command", self.name, self.args, COMMAND_RESERVED)
        _check_apid("command", self.name, self.apid)
        if not 0 <= self.code <= 0xFF:
            raise ValueError(f"command {self.name}: code {self.code} does not fit in u8")
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
        out: dict[str, int | float] = {}
        for index, arg in enumerate(self.args):
            if arg.name not in args:
                raise PacketError(
                    Reason.INVALID_VALUE, f"{self.name} needs argument {arg.name!r}", index
                )
            try:
                out[arg.name] = arg.check(args[arg.name])
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
        if not 0 <= self.id <= 0xFFFF:
            raise ValueError(f"event {self.name}: id {self.id} does not fit in u16")
        names = {a.name for a in self.args}
        try:
            parsed = list(string.Formatter().parse(self.format))
        except ValueError as err:
            raise ValueError(f"event {self.name}: format {self.format!r}: {err}") from None
        for _, placeholder, _, _ in parsed:
            if placeholder is not None and placeholder not in names:
                raise ValueError(
                    f"event {self.name}: format names {{{placeholder}}}, which is no argument"
                )
        sample = {a.name: next(iter(a.enum)).value if a.enum else a.wire.lowest for a in self.args}
        try:
            self.format.format(**{a.name: a.show(sample[a.name]) for a in self.args})
        except (ValueError, TypeError, IndexError, KeyError) as err:
            raise ValueError(f"event {self.name}: format {self.format!r}: {err}") from None

    def render(self, values: dict[str, int | float]) -> str:
        """The event's text, with enum values by name (a value the format cannot show, such as
        an enum number with no name, falls back to name=value pairs rather than failing)."""
        shown = {a.name: a.show(values[a.name]) for a in self.args}
        try:
            return self.format.format(**shown)
        except (ValueError, TypeError):
            return f"{self.name}(" + ", ".join(f"{k}={v}" for k, v in shown.items()) + ")"
