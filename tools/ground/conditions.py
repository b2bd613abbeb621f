"""Telemetry conditions an operator or a script waits for: `MOBILITY.travelled >= 1.9`,
`HK.mode == STANDBY and HK.degraded == YES`.

Each comparison names a telemetry packet and field from the dictionary; enum fields compare by
member name (== and != only), numbers by value. Checked when parsed, so a typo is reported before
anything waits on it (pure, no I/O).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fsw.packets.reasons import PacketError
from fsw.packets.schema import Field
from fsw.packets.types import number_text
from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLineError, value_of

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}


@dataclass(frozen=True)
class Comparison:
    """`packet.field op value`."""

    packet: str
    field: Field
    op: str
    value: Any

    def holds(self, latest: Mapping[str, Mapping[str, Any]]) -> bool:
        """Whether the latest values make it true (false until the packet has come)."""
        values = latest.get(self.packet)
        if values is None:
            return False
        got = values[self.field.name]
        if isinstance(self.value, str) and not isinstance(got, str):
            return False  # an enum value the dictionary does not name
        return OPERATORS[self.op](got, self.value)

    def text(self) -> str:
        """As written, normalised."""
        shown = self.value if isinstance(self.value, str) else number_text(self.value)
        return f"{self.packet}.{self.field.name} {self.op} {shown}"

    def seen(self, latest: Mapping[str, Mapping[str, Any]]) -> str:
        """What the telemetry shows now for this field."""
        values = latest.get(self.packet)
        if values is None:
            return f"{self.packet} not received yet"
        got = values[self.field.name]
        unit = f" {self.field.unit}" if self.field.unit and not isinstance(got, str) else ""
        return f"{self.packet}.{self.field.name} is {got}{unit}"


@dataclass(frozen=True)
class Condition:
    """Comparisons that must all hold."""

    parts: tuple[Comparison, ...]

    def holds(self, latest: Mapping[str, Mapping[str, Any]]) -> bool:
        """Whether every comparison holds."""
        return all(p.holds(latest) for p in self.parts)

    def text(self) -> str:
        """As written, normalised."""
        return " and ".join(p.text() for p in self.parts)

    def seen(self, latest: Mapping[str, Mapping[str, Any]]) -> str:
        """What the telemetry shows now for the fields named."""
        return "; ".join(p.seen(latest) for p in self.parts)


def parse_condition(dictionary: Dictionary, words: list[str]) -> Condition:
    """A condition from its words, e.g. ['HK.mode', '==', 'STANDBY'] (spaces optional)."""
    chunks: list[list[str]] = [[]]
    for word in " ".join(words).split():
        if word.lower() == "and":
            chunks.append([])
        else:
            chunks[-1].append(word)
    if any(not chunk for chunk in chunks):
        raise CommandLineError(f"no condition in {' '.join(words)!r} (e.g. HK.mode == STANDBY)")
    return Condition(tuple(_comparison(dictionary, " ".join(c)) for c in chunks))


def _comparison(dictionary: Dictionary, chunk: str) -> Comparison:
    for op in OPERATORS:  # two-character operators are tried first
        left, found, right = chunk.partition(op)
        if found:
            break
    else:
        raise CommandLineError(
            f"{chunk!r} has no comparison ({', '.join(OPERATORS)}), e.g. HK.mode == STANDBY"
        )
    name, dot, field_name = left.strip().partition(".")
    if not dot or not field_name:
        raise CommandLineError(f"{left.strip()!r} is not PACKET.field (e.g. MOBILITY.travelled)")
    try:
        packet = dictionary.telemetry_packet(name)
    except PacketError as err:
        raise CommandLineError(err.message) from None
    fields = {f.name: f for f in packet.fields}
    f = fields.get(field_name.strip().lower())
    if f is None:
        raise CommandLineError(
            f"{packet.name} has no field {field_name.strip()!r} (fields: {', '.join(fields)})"
        )
    word = right.strip()
    if not word:
        raise CommandLineError(f"{chunk!r} has nothing to compare with")
    value = value_of(word)
    if f.enum is not None:
        if op not in ("==", "!="):
            raise CommandLineError(f"{packet.name}.{f.name} is a name: compare it with == or !=")
        try:
            value = f.show(f.check(value))
        except PacketError as err:
            raise CommandLineError(f"{packet.name}.{err.message}") from None
    elif isinstance(value, str):
        raise CommandLineError(f"{packet.name}.{f.name} is a number, not {word!r}")
    return Comparison(packet.name, f, op, value)
