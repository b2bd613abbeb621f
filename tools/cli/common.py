"""What the subcommands share: the --dict option and turning packets into JSON a person can read."""

from __future__ import annotations

import argparse
import math
from typing import Any

from fsw.packets.catalog import Packet
from fsw.packets.crc import CRC_SIZE
from fsw.packets.timecode import utc_iso
from fsw.packets.types import shortest_f32
from tools.dictionary import Dictionary


def add_dict_option(parser: argparse.ArgumentParser) -> None:
    """--dict FILE: use a dictionary JSON instead of this checkout's flight software."""
    parser.add_argument(
        "--dict",
        metavar="FILE",
        dest="dictionary",
        help="dictionary JSON written by `rover dict` (default: this checkout's flight software)",
    )


def load_dictionary(args: argparse.Namespace) -> Dictionary:
    """The dictionary the user chose."""
    return Dictionary.load(args.dictionary) if args.dictionary else Dictionary.from_flight()


def json_number(value: Any, type_name: str) -> Any:
    """A wire value as JSON can hold it: f32 at its shortest, non-finite floats as strings."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return shortest_f32(value) if type_name == "f32" else value
    return value


def packet_json(packet: Packet) -> dict[str, Any]:
    """Every field of a decoded packet, named, with enums by name and times in UTC."""
    out: dict[str, Any] = {
        "kind": packet.kind,
        "name": packet.name,
        "apid": packet.apid,
        "seq_count": packet.seq_count,
    }
    if packet.kind == "command":
        out["code"] = packet.definition.code  # type: ignore[union-attr]
    if packet.time is not None:
        out["time"] = packet.time
        out["utc"] = utc_iso(packet.time)
    if packet.kind == "event":
        out["severity"] = packet.definition.severity.name  # type: ignore[union-attr]
        out["text"] = packet.text()
    key = "args" if packet.kind in ("command", "event") else "fields"
    out[key] = {f.name: json_number(f.show(packet.values[f.name]), f.type) for f in packet.fields}
    out["crc"] = f"0x{int.from_bytes(packet.raw[-CRC_SIZE:], 'big'):04X}"
    return out
