"""Byte layouts derived from table rows: a compiled construct Struct, offsets and size.

Every packet is the primary header, a secondary header, the row's fields, then the CRC. The CRC is
kept outside the Struct (checked with crcmod on the raw bytes) so that the Struct compiles.

    telecommand: primary header (6) | code u8 (1)                  | arguments | [data] | CRC (2)
    telemetry:   primary header (6) | time: coarse u32, fine u16 (6) | fields    | CRC (2)
    event:       telemetry headers (12) | event_id u16, severity u8 (3) | arguments | CRC (2)

A command may end its arguments with variable-length data (schema.Data): bytes outside the Struct,
between the fixed part and the CRC, so the Struct still compiles and `size` is the smallest packet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import construct as cs

from fsw.packets.ccsds import HEADER_FIELDS
from fsw.packets.crc import CRC_SIZE
from fsw.packets.schema import Data, Field
from fsw.packets.types import TYPES


@dataclass(frozen=True)
class Slot:
    """Where one named value sits in a packet."""

    name: str
    type: str
    offset: int
    size: int


class Layout:
    """The bytes of one packet kind: slots, a compiled Struct, and the total size with CRC (the
    smallest size when the packet carries variable-length data)."""

    def __init__(
        self,
        packet_id: int,
        prefix: Sequence[cs.Subconstruct],
        fields: Sequence[Field],
        data: Data | None = None,
    ) -> None:
        self.packet_id = packet_id
        self.fields = tuple(fields)
        self.data = data
        self.header_names = tuple(sc.name for sc in (*HEADER_FIELDS, *prefix))
        self.struct = cs.Struct(*HEADER_FIELDS, *prefix, *(f.name / f.wire.subcon for f in fields))
        self.body_size: int = self.struct.sizeof()
        self.size = self.body_size + CRC_SIZE
        self.max_size = self.size + (data.max_size if data is not None else 0)
        slots, offset = [], 0
        for sc in (*HEADER_FIELDS, *prefix):
            slots.append(Slot(sc.name, _type_name(sc), offset, sc.sizeof()))
            offset += sc.sizeof()
        for f in fields:
            slots.append(Slot(f.name, f.type, offset, f.size))
            offset += f.size
        self.slots = tuple(slots)
        self.offsets = {s.name: s.offset for s in slots}
        self.names_count = len(slots)
        self.enum_fields = tuple((f.name, f) for f in fields if f.enum is not None)

    @cached_property
    def compiled(self) -> cs.Compiled:
        """The Struct compiled by construct; compiled on first use to keep start-up quick."""
        return self.struct.compile()

    def parse(self, packet: bytes) -> dict[str, Any]:
        """Every named value, headers included, of a packet whose size and CRC are checked
        (the data, if declared, as bytes under its name)."""
        values = self.compiled.parse(packet)
        if self.data is not None:
            values = dict(values)
            values[self.data.name] = bytes(packet[self.body_size : len(packet) - CRC_SIZE])
        return values

    def build(self, values: dict[str, Any]) -> bytes:
        """The packet's bytes before the CRC, from values that already fit their wire types
        (the data, if declared, as bytes under its name)."""
        body = self.compiled.build(values)
        return body if self.data is None else body + values[self.data.name]


_TYPE_BY_SUBCON = {id(t.subcon): name for name, t in TYPES.items()}


def _type_name(sc: cs.Subconstruct) -> str:
    return _TYPE_BY_SUBCON[id(sc.subcon)]
