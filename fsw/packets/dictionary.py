"""The dictionary: the catalog exported as JSON-ready data, complete enough to build any command and
parse any telemetry packet with nothing but it and the CCSDS standard.

Generated, never written by hand. The ground loads it back with `tools.dictionary`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from enum import IntEnum
from typing import Any

import fsw
from fsw.packets import ccsds, crc, timecode
from fsw.packets.catalog import Catalog
from fsw.packets.framing import max_encoded_size
from fsw.packets.headers import EVENT_PREFIX, TC_SECONDARY, TM_SECONDARY, names
from fsw.packets.layout import Layout
from fsw.packets.schema import Field, Severity
from fsw.packets.types import TYPES

SCHEMA_VERSION = 1


def fingerprint(doc: dict[str, Any]) -> bytes:
    """8 bytes of SHA-256 over the canonical JSON: which build a log was recorded with."""
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).digest()[:8]


def export(catalog: Catalog) -> dict[str, Any]:
    """The whole dictionary of `catalog` as plain JSON-ready data."""
    enums: dict[str, type[IntEnum]] = {"Severity": Severity}
    commands = [_command(catalog, c, enums) for c in catalog.commands]
    telemetry = [_telemetry(catalog, t, enums) for t in catalog.telemetry]
    events = [_event(catalog, e, enums) for e in catalog.events]
    return {
        "schema_version": SCHEMA_VERSION,
        "flight_software_version": fsw.__version__,
        "packet": _packet_format(catalog),
        "time_code": _time_code(),
        "crc": _crc(),
        "framing": _framing(catalog),
        "types": _types(),
        "enums": {name: {m.name: int(m.value) for m in e} for name, e in sorted(enums.items())},
        "commands": commands,
        "telemetry": telemetry,
        "events": {
            "apid": catalog.event_apid,
            "header_fields": _slot_entries(
                Layout(0, (*TM_SECONDARY, *EVENT_PREFIX), ()), names(EVENT_PREFIX)
            ),
            "format_syntax": "each {argument} in an event's format is replaced by that argument's "
            "value (an enum argument by its member name, or its number if it has none); {{ and }} "
            "stand for { and }; there are no format specs",
            "definitions": events,
        },
    }


def _packet_format(catalog: Catalog) -> dict[str, Any]:
    tc = Layout(0, TC_SECONDARY, ())
    tm = Layout(0, TM_SECONDARY, ())
    fixed = {"version": ccsds.VERSION, "secondary_header_flag": 1}
    fixed["sequence_flags"] = ccsds.SEQ_UNSEGMENTED
    bit_fields = []
    for b in ccsds.BIT_FIELDS:
        entry: dict[str, Any] = {"name": b.name, "word": b.word, "shift": b.shift, "mask": b.mask}
        if b.name in fixed:
            entry["value"] = fixed[b.name]
        if b.name == "type":
            entry.update(telecommand=int(ccsds.PacketType.TELECOMMAND), telemetry=0)
        bit_fields.append(entry)
    return {
        "standard": "CCSDS 133.0-B-2 Space Packet",
        "byte_order": "big-endian",
        "max_packet_size": catalog.max_packet_size,
        "primary_header": {
            "size": ccsds.HEADER_SIZE,
            "words": _slot_entries(tc, names(ccsds.HEADER_FIELDS)),
            "bit_fields": bit_fields,
            "sequence_count_modulo": ccsds.SEQ_COUNT_MODULO,
            "data_length_rule": "total packet length in bytes, CRC included, minus 7",
            "idle_apid": ccsds.IDLE_APID,
        },
        "telecommand_secondary_header": {
            "fields": _slot_entries(tc, names(TC_SECONDARY)),
            "note": f"the command code under the packet's APID; arguments follow at offset "
            f"{tc.body_size}",
        },
        "telemetry_secondary_header": {
            "fields": _slot_entries(tm, names(TM_SECONDARY)),
            "note": f"CUC time code (see time_code); fields follow at offset {tm.body_size}",
        },
    }


_HEADER_UNITS = {"time_coarse": "s", "time_fine": "1/65536 s"}
_HEADER_ENUMS: dict[str, type[IntEnum]] = {"severity": Severity}


def _slot_entries(layout: Layout, names: Iterable[str]) -> list[dict[str, Any]]:
    """The header slots called `names`, as dictionary entries (offsets from the layout)."""
    wanted = set(names)
    out = []
    for s in layout.slots:
        if s.name in wanted:
            entry: dict[str, Any] = {"name": s.name, "type": s.type, "offset": s.offset}
            entry["size"] = s.size
            if s.name in _HEADER_UNITS:
                entry["unit"] = _HEADER_UNITS[s.name]
            if s.name in _HEADER_ENUMS:
                entry["enum"] = _HEADER_ENUMS[s.name].__name__
            out.append(entry)
    return out


def _time_code() -> dict[str, Any]:
    return {
        "format": "CCSDS Unsegmented Time Code (CUC), CCSDS 301.0-B-4",
        "p_field": timecode.P_FIELD,
        "p_field_transmitted": False,
        "coarse_bytes": timecode.COARSE_BYTES,
        "fine_bytes": timecode.FINE_BYTES,
        "fine_per_second": timecode.FINE_PER_SECOND,
        "epoch": timecode.MISSION_EPOCH_ISO,
        "epoch_note": "Chang'e 4 touchdown; SI seconds since then, leap seconds not counted",
    }


def _crc() -> dict[str, Any]:
    return {
        "name": "CRC-16/CCITT-FALSE",
        "crcmod_name": crc.CRC_NAME,
        "width": 16,
        "poly": crc.POLY,
        "init": crc.INIT,
        "reflect_in": False,
        "reflect_out": False,
        "xor_out": crc.XOR_OUT,
        "check": crc.CHECK_VALUE,
        "check_input": "123456789",
        "covers": "every byte of the packet before the CRC, primary header first",
        "position": "the last 2 bytes of every packet, big-endian",
        "counted_in_data_length": True,
    }


def _framing(catalog: Catalog) -> dict[str, Any]:
    return {
        "name": "COBS",
        "reference": "Cheshire and Baker, Consistent Overhead Byte Stuffing, 1999",
        "delimiter": 0,
        "frame": "0x00, COBS(packet), 0x00",
        "packets_per_frame": 1,
        "max_encoded_size": max_encoded_size(catalog.max_packet_size),
    }


def _types() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, t in TYPES.items():
        entry: dict[str, Any] = {"size": t.size, "kind": t.kind}
        if t.kind == "float":
            entry["format"] = f"IEEE 754 binary{t.bits}"
        else:
            entry["min"], entry["max"] = int(t.lowest), int(t.highest)
            entry["format"] = "two's complement" if t.kind == "int" else "unsigned"
        out[name] = entry
    return out


def _enum_name(e: type[IntEnum], enums: dict[str, type[IntEnum]]) -> str:
    known = enums.setdefault(e.__name__, e)
    if known is not e:
        raise ValueError(f"two different enums are both called {e.__name__}")
    return e.__name__


def _field(f: Field, offset: int, enums: dict[str, type[IntEnum]], ranged: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": f.name,
        "type": f.type,
        "offset": offset,
        "size": f.size,
        "unit": f.unit,
        "description": f.description,
        "enum": _enum_name(f.enum, enums) if f.enum is not None else None,
    }
    if ranged and f.enum is not None:  # valid values are the members, not a numeric range
        entry.update(min=None, max=None, range_declared=False)
    elif ranged:
        entry["min"] = f.wire.lowest if f.min is None else f.min
        entry["max"] = f.wire.highest if f.max is None else f.max
        entry["range_declared"] = f.min is not None or f.max is not None
    else:
        entry["limits"] = f.limits.as_dict() if f.limits is not None else None
        if f.decimals is not None:  # how a person is shown it (fsw.packets.display)
            entry["decimals"] = f.decimals
    return entry


def _fields(
    layout: Layout, fields: tuple[Field, ...], enums: dict[str, type[IntEnum]], ranged: bool
) -> list[dict[str, Any]]:
    return [_field(f, layout.offsets[f.name], enums, ranged) for f in fields]


def _command(catalog: Catalog, c: Any, enums: dict[str, type[IntEnum]]) -> dict[str, Any]:
    layout = catalog.layout(c)
    entry: dict[str, Any] = {
        "name": c.name,
        "apid": int(c.apid),
        "code": c.code,
        "hazardous": c.hazardous,
        "hazard": c.hazard,
        "description": c.description,
        "size": layout.size,
        "arguments": _fields(layout, c.args, enums, ranged=True),
    }
    if c.rules:  # only where declared: dictionaries from before rules still load
        entry["rules"] = [r.as_dict() for r in c.rules]
    if c.data is not None:  # only where declared: dictionaries from before data still load
        entry["data"] = {
            "name": c.data.name,
            "description": c.data.description,
            "offset": layout.body_size,
            "min_size": c.data.min_size,
            "max_size": c.data.max_size,
            "note": "variable-length bytes from offset to the CRC; the packet's length field "
            f"says how many; size is the packet without them, {layout.max_size} with the most",
        }
    return entry


def _telemetry(catalog: Catalog, t: Any, enums: dict[str, type[IntEnum]]) -> dict[str, Any]:
    layout = catalog.layout(t)
    return {
        "name": t.name,
        "apid": int(t.apid),
        "description": t.description,
        "size": layout.size,
        "fields": _fields(layout, t.fields, enums, ranged=False),
    }


def _event(catalog: Catalog, e: Any, enums: dict[str, type[IntEnum]]) -> dict[str, Any]:
    layout = catalog.layout(e)
    return {
        "name": e.name,
        "id": e.id,
        "severity": e.severity.name,
        "format": e.format,
        "description": e.description,
        "size": layout.size,
        "arguments": _fields(layout, e.args, enums, ranged=False),
    }
