"""The catalog: every command, telemetry packet and event, indexed, with the encoder and decoder.

Built once from the tables (flight) or from the dictionary JSON (ground); both go through the same
checks and the same compiled layouts, so flight and ground cannot disagree about a byte.
"""

from __future__ import annotations

import difflib
import math
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import construct as cs

from fsw.packets import ccsds
from fsw.packets.crc import CRC_SIZE, crc16
from fsw.packets.headers import EVENT_PREFIX, TC_SECONDARY, TM_SECONDARY
from fsw.packets.integrity import DEFAULT_MAX_PACKET_SIZE, verify
from fsw.packets.layout import Layout
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.schema import CommandDef, EventDef, Severity, TelemetryDef, as_number
from fsw.packets.timecode import TimeCodeError, from_cuc, to_cuc
from fsw.packets.types import number_text

Definition = CommandDef | TelemetryDef | EventDef
RowT = TypeVar("RowT", CommandDef, TelemetryDef, EventDef)


@dataclass(slots=True)
class Packet:
    """A decoded packet: its definition, header values, and its fields as wire values."""

    definition: Definition
    apid: int
    seq_count: int
    values: dict[str, Any]
    time: float | None = None
    raw: bytes = b""

    @property
    def name(self) -> str:
        """The command, telemetry packet or event name."""
        return self.definition.name

    @property
    def kind(self) -> str:
        """'command', 'telemetry' or 'event'."""
        if isinstance(self.definition, CommandDef):
            return "command"
        return "event" if isinstance(self.definition, EventDef) else "telemetry"

    @property
    def fields(self) -> tuple:
        """The definitions of the values, in wire order."""
        d = self.definition
        return d.args if isinstance(d, CommandDef | EventDef) else d.fields

    def shown(self) -> dict[str, Any]:
        """The values as a person reads them (enum members by name, a command's data as 0x-hex,
        the way a command line gives it)."""
        shown = {f.name: f.show(self.values[f.name]) for f in self.fields}
        data = self.definition.data if isinstance(self.definition, CommandDef) else None
        if data is not None:
            shown[data.name] = "0x" + self.values[data.name].hex()
        return shown

    def __repr__(self) -> str:
        when = "" if self.time is None else f" t={self.time:.6f}"
        head = f"{self.kind} {self.name} apid={self.apid} seq={self.seq_count}{when}"
        return f"<{head} {dict(self.values)}>"

    def text(self) -> str | None:
        """An event's rendered message (None for other packets)."""
        d = self.definition
        return d.render(self.values) if isinstance(d, EventDef) else None


class Catalog:
    """All packet definitions of one flight-software build, with their layouts."""

    def __init__(
        self,
        commands: Iterable[CommandDef],
        telemetry: Iterable[TelemetryDef],
        events: Iterable[EventDef],
        event_apid: int,
        max_packet_size: int = DEFAULT_MAX_PACKET_SIZE,
    ) -> None:
        self.commands = tuple(commands)
        self.telemetry = tuple(telemetry)
        self.events = tuple(events)
        self.event_apid = event_apid
        self.max_packet_size = max_packet_size
        self._command_by_name = _unique("command", self.commands, lambda c: c.name)
        self._telemetry_by_name = _unique("telemetry packet", self.telemetry, lambda t: t.name)
        self._event_by_name = _unique("event", self.events, lambda e: e.name)
        # Layouts of the catalog's own rows, by identity: hashing a frozen row would hash every
        # field on every packet. The rows are held above, so their ids cannot be reused.
        self._layouts: dict[int, Layout] = {}
        rows: tuple[Definition, ...] = (*self.commands, *self.telemetry, *self.events)
        for d in rows:
            self._layouts[id(d)] = self._make_layout(d)
            size = self._layouts[id(d)].max_size
            if size > max_packet_size:
                raise ValueError(
                    f"{d.name} is {size} bytes, over the maximum packet size {max_packet_size}"
                )
        # what the decoder looks a packet up by, each with its layout
        self._tc_rows = _with_layouts(
            self, _unique("command", self.commands, lambda c: (c.apid, c.code))
        )
        self._tm_rows = _with_layouts(
            self, _unique("telemetry packet", self.telemetry, lambda t: t.apid)
        )
        self._event_rows = _with_layouts(self, _unique("event", self.events, lambda e: e.id))
        if event_apid in self._tm_rows:
            raise ValueError(
                f"event APID {event_apid} is also telemetry packet "
                f"{self._tm_rows[event_apid][0].name}"
            )
        self.command_apids = frozenset(c.apid for c in self.commands)
        self.telemetry_apids = frozenset(self._tm_rows) | {event_apid}

    # ---- lookups -------------------------------------------------------------------------------

    def command(self, name: str) -> CommandDef:
        """The command called `name` (any case), or a PacketError listing near names."""
        return _by_name("command", self._command_by_name, name, Reason.UNKNOWN_CODE)

    def telemetry_packet(self, name: str) -> TelemetryDef:
        """The telemetry packet called `name` (any case)."""
        return _by_name("telemetry packet", self._telemetry_by_name, name, Reason.UNKNOWN_APID)

    def event(self, name: str) -> EventDef:
        """The event called `name` (any case)."""
        return _by_name("event", self._event_by_name, name, Reason.UNKNOWN_CODE)

    def knows(self, packet_type: ccsds.PacketType, apid: int) -> bool:
        """Whether any definition owns that APID for that packet type."""
        apids = (
            self.command_apids
            if packet_type == ccsds.PacketType.TELECOMMAND
            else self.telemetry_apids
        )
        return apid in apids

    def layout(self, definition: Definition) -> Layout:
        """The byte layout of a definition: the kept one for the catalog's own rows (or a row
        equal to one of them), else a new one."""
        found = self._layouts.get(id(definition))
        if found is not None:
            return found
        own = self._own_row(definition)
        if own is not None and own == definition:
            return self._layouts[id(own)]
        return self._make_layout(definition)

    def _own_row(self, d: Definition) -> Definition | None:
        if isinstance(d, CommandDef):
            return self._command_by_name.get(d.name)
        if isinstance(d, EventDef):
            return self._event_by_name.get(d.name)
        return self._telemetry_by_name.get(d.name)

    def _make_layout(self, d: Definition) -> Layout:
        tm = ccsds.PacketType.TELEMETRY
        if isinstance(d, CommandDef):
            tc_id = ccsds.packet_id(ccsds.PacketType.TELECOMMAND, d.apid)
            return Layout(tc_id, TC_SECONDARY, d.args, d.data)
        if isinstance(d, EventDef):
            ev_id = ccsds.packet_id(tm, self.event_apid)
            return Layout(ev_id, (*TM_SECONDARY, *EVENT_PREFIX), d.args)
        return Layout(ccsds.packet_id(tm, d.apid), TM_SECONDARY, d.fields)

    # ---- encoding ------------------------------------------------------------------------------

    def encode_command(
        self,
        command: str | CommandDef,
        args: Mapping[str, object] | None = None,
        seq_count: int = 0,
        *,
        check: bool = True,
        data: bytes | None = None,
    ) -> bytes:
        """A command packet, with `data` if the command declares variable-length data (or the
        data as bytes in `args` under its name, as decode gives it). With
        check=False, arguments need only fit their wire types and data the packet (for tests of
        the flight software's own checks)."""
        cmd = command if isinstance(command, CommandDef) else self.command(command)
        given = dict(args or {})
        if cmd.data is not None and cmd.data.name in given:  # decoded values round trip
            if data is not None:
                raise PacketError(
                    Reason.INVALID_VALUE, f"{cmd.name}: {cmd.data.name} is given twice"
                )
            data = given.pop(cmd.data.name)  # type: ignore[assignment]
        values: dict[str, Any] = cmd.check_args(given) if check else _fit(cmd.name, cmd.args, given)
        layout = self.layout(cmd)
        extra = 0
        if cmd.data is None:
            if data:
                raise PacketError(Reason.INVALID_VALUE, f"{cmd.name} carries no data")
        else:
            room = self.max_packet_size - layout.size
            carried = cmd.data.fit(cmd.name, b"" if data is None else data, check, room)
            values[cmd.data.name] = carried
            extra = len(carried)
        _put_primary_header(values, layout, seq_count, extra)
        values["code"] = cmd.code
        return _with_crc(layout.build(values))

    def encode_telemetry(
        self, packet: str | TelemetryDef, values: Mapping[str, object], seq_count: int, time: float
    ) -> bytes:
        """A telemetry packet stamped with mission time `time` (seconds since the epoch)."""
        tm = packet if isinstance(packet, TelemetryDef) else self.telemetry_packet(packet)
        return self._encode_tm(tm, values, seq_count, time, {})

    def encode_event(
        self, event: str | EventDef, args: Mapping[str, object], seq_count: int, time: float
    ) -> bytes:
        """An event packet stamped with mission time `time`."""
        ev = event if isinstance(event, EventDef) else self.event(event)
        extra = {"event_id": ev.id, "severity": int(ev.severity)}
        return self._encode_tm(ev, args, seq_count, time, extra)

    def _encode_tm(
        self,
        d: TelemetryDef | EventDef,
        given: Mapping[str, object],
        seq_count: int,
        time: float,
        extra: dict[str, int],
    ) -> bytes:
        layout = self.layout(d)
        try:
            coarse, fine = to_cuc(time)
        except TimeCodeError as err:
            raise PacketError(Reason.INVALID_VALUE, f"{d.name}: {err}") from None
        values = dict(given)
        for name, field in layout.enum_fields:
            if isinstance(values.get(name), str):
                values[name] = field.check(values[name])
        values.update(extra)
        _put_primary_header(values, layout, seq_count)
        values["time_coarse"] = coarse
        values["time_fine"] = fine
        if len(values) == layout.names_count:
            try:  # the fast path: construct refuses anything that does not fit its wire type
                return _with_crc(layout.build(values))
            except _BUILD_ERRORS:
                pass
        # the slow path says which value is wrong, or converts what may be (3.0 for an integer)
        fitted = _fit(d.name, layout.fields, dict(given))
        values.update(fitted)
        return _with_crc(layout.build(values))

    # ---- decoding ------------------------------------------------------------------------------

    def decode(self, packet: bytes) -> Packet:
        """The packet's definition and values, or a PacketError with the reason and a one-line text.

        Checks, in order: `verify` (size, length field, CRC, header), then APID, code, exact size.
        Argument ranges are not checked here: the flight software does that on acceptance.
        """
        n = len(packet)
        word0 = verify(packet, self.max_packet_size)
        apid = word0 & ccsds.APID_MASK
        seq_count = ccsds.seq_count_of(packet)
        row: tuple[Definition, Layout] | None
        if word0 & ccsds.TYPE_BIT:
            if apid not in self.command_apids:
                raise PacketError(Reason.UNKNOWN_APID, f"no command APID {apid} (0x{apid:03X})")
            row = self._tc_rows.get((apid, packet[6]))
            if row is None:
                raise PacketError(
                    Reason.UNKNOWN_CODE,
                    f"no command code {packet[6]} under APID {apid} (0x{apid:03X})",
                )
        elif apid == self.event_apid:
            if n < 15 + CRC_SIZE:
                raise PacketError(
                    Reason.BAD_LENGTH, f"{n} bytes is shorter than an event packet's headers"
                )
            event_id = (packet[12] << 8) | packet[13]
            event_row = self._event_rows.get(event_id)
            if event_row is None:
                raise PacketError(Reason.UNKNOWN_CODE, f"no event id {event_id}")
            row = event_row
            severity = event_row[0].severity
            if packet[14] != severity:
                said = (
                    Severity(packet[14]).name if packet[14] in Severity._value2member_map_ else "?"
                )
                raise PacketError(
                    Reason.BAD_HEADER,
                    f"event {event_row[0].name} is {severity.name} in the dictionary, "
                    f"but the packet says severity {packet[14]} ({said})",
                )
        else:
            row = self._tm_rows.get(apid)
            if row is None:
                raise PacketError(Reason.UNKNOWN_APID, f"no telemetry APID {apid} (0x{apid:03X})")
        definition, layout = row
        if n != layout.size and not layout.size < n <= layout.max_size:
            raise PacketError(Reason.BAD_LENGTH, _wrong_size(definition.name, layout, n))
        if layout.data is not None and n - layout.size < layout.data.min_size:
            raise PacketError(Reason.BAD_LENGTH, _wrong_size(definition.name, layout, n))
        values = dict(layout.parse(packet))  # a plain dict, without the header words
        time = None
        if not word0 & ccsds.TYPE_BIT:
            time = from_cuc(values["time_coarse"], values["time_fine"])
        for name in layout.header_names:
            del values[name]
        return Packet(definition, apid, seq_count, values, time, bytes(packet))


_BUILD_ERRORS = (KeyError, TypeError, ValueError, OverflowError, struct.error, cs.ConstructError)


def _put_primary_header(
    values: dict[str, Any], layout: Layout, seq_count: int, data_size: int = 0
) -> None:
    values["packet_id"] = layout.packet_id
    values["sequence_control"] = ccsds.sequence_control(seq_count)
    values["data_length"] = ccsds.data_length_for(layout.size + data_size)


def _wrong_size(name: str, layout: Layout, n: int) -> str:
    if layout.data is None:
        return f"{name} is {layout.size} bytes, packet has {n}"
    low = layout.size + layout.data.min_size
    return f"{name} is {low} to {layout.max_size} bytes, packet has {n}"


def _with_layouts(catalog: Catalog, rows: dict[Any, RowT]) -> dict[Any, tuple[RowT, Layout]]:
    return {key: (row, catalog.layout(row)) for key, row in rows.items()}


def _with_crc(body: bytes) -> bytes:
    return body + crc16(body).to_bytes(CRC_SIZE, "big")


def _fit(name: str, fields: tuple, given: dict[str, object]) -> dict[str, Any]:
    """Values that fit their wire types (enums by name allowed), without range checks."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.name not in given:
            raise PacketError(Reason.INVALID_VALUE, f"{name} needs {f.name!r}")
        value = given.pop(f.name)
        if f.enum is not None and isinstance(value, str):
            value = f.check(value)
        wire = f.wire
        value = as_number(
            f"{name} {f.name}", value, wire, (wire.lowest, wire.highest), finite=False
        )
        if wire.kind == "float":  # NaN and infinities are carried; finite overflow is not
            fits = not math.isfinite(value) or abs(value) <= wire.highest
        else:
            fits = wire.lowest <= value <= wire.highest
        if not fits:
            raise PacketError(
                Reason.OUT_OF_RANGE,
                f"{name} {f.name}: {number_text(value)} does not fit in {f.type}",
            )
        out[f.name] = value
    if given:
        raise PacketError(Reason.INVALID_VALUE, f"{name} has no field {next(iter(given))!r}")
    return out


def _unique(kind: str, rows: tuple, key: Any) -> dict:
    found: dict = {}
    for row in rows:
        k = key(row)
        if k in found:
            raise ValueError(f"{kind} {row.name} clashes with {found[k].name}: both are {k}")
        found[k] = row
    return found


def _by_name(kind: str, rows: Mapping[str, RowT], name: str, reason: Reason) -> RowT:
    """The row called `name` (any case), or a PacketError that suggests near names."""
    found = rows.get(name.upper())
    if found is None:
        close = difflib.get_close_matches(name.upper(), list(rows), n=3)
        near = f" (did you mean {', '.join(close)}?)" if close else ""
        raise PacketError(reason, f"no {kind} {name!r}{near}")
    return found
