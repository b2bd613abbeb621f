"""Load the dictionary that `rover dict` writes, and use it: everything the ground knows about the
wire format comes from here.

    >>> from tools.dictionary import Dictionary
    >>> d = Dictionary.from_flight()              # or Dictionary.load("dictionary.json")
    >>> d.command("PING").args[0].name
    'token'
    >>> packet = d.encode_command("PING", {"token": 7}, seq_count=1)
    >>> d.decode(packet).values["token"]
    7

The loader checks that the JSON is internally consistent (every offset and size is recomputed from
the types and compared) and that its CRC, time code and framing are the ones this ground speaks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import IntEnum
from pathlib import Path
from typing import Any

from fsw.packets import dictionary as flight_dictionary
from fsw.packets.catalog import Catalog, Packet
from fsw.packets.limits import Limits
from fsw.packets.rules import Rule
from fsw.packets.schema import CommandDef, Data, EventDef, Field, Severity, TelemetryDef
from fsw.tables.dictionary import flight_dictionary as full_dictionary

_SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError)
"""What a JSON document of the wrong shape raises when read as a dictionary."""


class DictionaryError(ValueError):
    """A dictionary that cannot be used, with where and why in one line."""


class Dictionary:
    """Commands, telemetry packets, events and enums of one flight-software build."""

    def __init__(self, doc: dict[str, Any], source: str = "dictionary") -> None:
        self.doc = doc
        self.source = source
        try:
            self.catalog = _catalog(doc)
        except DictionaryError as err:
            raise DictionaryError(f"{source}: {err}") from None
        except _SHAPE_ERRORS as err:
            raise DictionaryError(
                f"{source}: not a usable dictionary ({type(err).__name__}: {err})"
            ) from None
        expected = flight_dictionary.export(self.catalog)
        for section in _CHECKED_SECTIONS:
            where = _first_difference(doc.get(section), expected[section], section)
            if where is not None:
                raise DictionaryError(f"{source}: {where}: {_describe(doc, expected, where)}")

    @classmethod
    def load(cls, path: str | Path) -> Dictionary:
        """The dictionary in a JSON file."""
        p = Path(path)
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except OSError as err:
            raise DictionaryError(f"{p}: cannot read ({err.strerror})") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise DictionaryError(f"{p}: not JSON ({err})") from None
        if not isinstance(doc, dict):
            raise DictionaryError(f"{p}: not a dictionary object")
        return cls(doc, str(p))

    @classmethod
    def from_flight(cls) -> Dictionary:
        """The dictionary of the flight software in this checkout, passed through its JSON form."""
        return cls(json.loads(json.dumps(full_dictionary())), "flight software tables")

    @property
    def fingerprint(self) -> bytes:
        """8 bytes that identify this dictionary's content (recorded in telemetry logs)."""
        return flight_dictionary.fingerprint(self.doc)

    @property
    def parameters(self) -> list[dict[str, Any]]:
        """Every parameter: name, id, default, range, unit (empty for a packet-only dictionary)."""
        return list(self.doc.get("parameters", []))

    @property
    def monitors(self) -> list[dict[str, Any]]:
        """Every fault monitor: quantity, threshold parameter, response."""
        return list(self.doc.get("monitors", []))

    @property
    def modes(self) -> dict[str, Any]:
        """The mode state machine: states, guards, transitions."""
        return dict(self.doc.get("modes", {}))

    @property
    def downlink_authentication(self) -> dict[str, Any]:
        """The telemetry envelope: layout, MAC, key derivation, sequence-number rule."""
        return dict(self.doc.get("downlink_authentication", {}))

    @property
    def schema_version(self) -> int:
        """Version of the dictionary's own layout."""
        return int(self.doc["schema_version"])

    @property
    def commands(self) -> tuple[CommandDef, ...]:
        """Every command."""
        return self.catalog.commands

    @property
    def telemetry(self) -> tuple[TelemetryDef, ...]:
        """Every fixed-layout telemetry packet."""
        return self.catalog.telemetry

    @property
    def events(self) -> tuple[EventDef, ...]:
        """Every event."""
        return self.catalog.events

    def command(self, name: str) -> CommandDef:
        """The command called `name` (any case)."""
        return self.catalog.command(name)

    def telemetry_packet(self, name: str) -> TelemetryDef:
        """The telemetry packet called `name` (any case)."""
        return self.catalog.telemetry_packet(name)

    def event(self, name: str) -> EventDef:
        """The event called `name` (any case)."""
        return self.catalog.event(name)

    def encode_command(
        self,
        name: str,
        args: Mapping[str, object] | None = None,
        seq_count: int = 0,
        data: bytes | None = None,
    ) -> bytes:
        """A command packet, arguments (and data, for a command that carries it) checked first."""
        return self.catalog.encode_command(name, args or {}, seq_count, data=data)

    def decode(self, packet: bytes) -> Packet:
        """A packet's definition and values (PacketError with a reason if it is bad)."""
        return self.catalog.decode(packet)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise DictionaryError(f"{where}: not a JSON list")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DictionaryError(f"{where}: not a JSON object")
    return value


_CHECKED_SECTIONS = (
    "packet",
    "time_code",
    "crc",
    "framing",
    "types",
    "enums",
    "commands",
    "telemetry",
    "events",
)


def _first_difference(got: Any, want: Any, path: str) -> str | None:
    """The path of the first place where two JSON values differ (None if they are equal)."""
    if isinstance(got, dict) and isinstance(want, dict):
        for key in [*want, *(k for k in got if k not in want)]:
            found = _first_difference(got.get(key), want.get(key), f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            found = _first_difference(g, w, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    return None if got == want and type(got) is type(want) else path


def _at(doc: Any, path: str) -> Any:
    for part in path.replace("[", ".[").split(".")[1:]:
        if part.startswith("["):
            doc = doc[int(part[1:-1])] if isinstance(doc, list) else None
        else:
            doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def _describe(doc: dict[str, Any], expected: dict[str, Any], path: str) -> str:
    section = path.split(".", maxsplit=1)[0].split("[", maxsplit=1)[0]
    got, want = _at(doc.get(section), path), _at(expected[section], path)
    if section in ("commands", "telemetry", "events", "enums"):
        return (
            f"is {json.dumps(got)}, but the dictionary's own types and rows give {json.dumps(want)}"
        )
    return f"is {json.dumps(got)}, but this ground speaks {json.dumps(want)}"


def _data(entry: Any) -> Data | None:
    """A command's variable-length data from its dictionary entry (None: it has none)."""
    if entry is None:
        return None
    _object(entry, "data")
    return Data(entry["name"], entry["description"], entry["max_size"], entry["min_size"])


def _catalog(doc: dict[str, Any]) -> Catalog:
    version = doc.get("schema_version")
    if version != flight_dictionary.SCHEMA_VERSION:
        raise DictionaryError(
            f"schema version {version!r}; "
            f"this ground reads version {flight_dictionary.SCHEMA_VERSION}"
        )
    enums: dict[str, type[IntEnum]] = {}
    for name, members in _object(doc["enums"], "enums").items():
        _object(members, f"enums.{name}")
        for member, value in members.items():
            if type(value) is not int:
                raise DictionaryError(f"enums.{name}.{member}: {value!r} is not an integer")
        enums[name] = IntEnum(name, members)  # type: ignore[assignment]  # the functional API makes a class
    enums["Severity"] = Severity

    def fields(entries: list[dict[str, Any]], where: str) -> tuple[Field, ...]:
        out = []
        for i, e in enumerate(_list(entries, where)):
            _object(e, f"{where}[{i}]")
            try:
                limits = e.get("limits")
                declared = e.get("range_declared", False)
                enum_name = e.get("enum")
                if enum_name is not None and enum_name not in enums:
                    raise ValueError(f"unknown enum {enum_name!r}")
                out.append(
                    Field(
                        e["name"],
                        e["type"],
                        e.get("description", ""),
                        e.get("unit", ""),
                        min=e["min"] if declared else None,
                        max=e["max"] if declared else None,
                        enum=enums[enum_name] if enum_name is not None else None,
                        limits=Limits(**limits) if limits else None,
                        precision=e.get("decimals"),
                    )
                )
            except _SHAPE_ERRORS as err:
                raise DictionaryError(f"{where}[{i}]: {err}") from None
        return tuple(out)

    commands = []
    for i, c in enumerate(_list(doc["commands"], "commands")):
        where = f"commands[{i}] ({_object(c, f'commands[{i}]').get('name')})"
        try:
            commands.append(
                CommandDef(
                    c["name"],
                    c["apid"],
                    c["code"],
                    c["description"],
                    fields(c["arguments"], "arguments"),
                    c["hazardous"],
                    c.get("hazard", ""),
                    _data(c.get("data")),
                    tuple(Rule.from_dict(_object(r, "rule")) for r in c.get("rules", [])),
                )
            )
        except _SHAPE_ERRORS as err:
            raise DictionaryError(f"{where}: {err}") from None
    telemetry = []
    for i, t in enumerate(_list(doc["telemetry"], "telemetry")):
        where = f"telemetry[{i}] ({_object(t, f'telemetry[{i}]').get('name')})"
        try:
            telemetry.append(
                TelemetryDef(t["name"], t["apid"], t["description"], fields(t["fields"], "fields"))
            )
        except _SHAPE_ERRORS as err:
            raise DictionaryError(f"{where}: {err}") from None
    events = []
    for i, e in enumerate(_list(doc["events"]["definitions"], "events.definitions")):
        where = f"events[{i}] ({_object(e, f'events[{i}]').get('name')})"
        try:
            events.append(
                EventDef(
                    e["name"],
                    e["id"],
                    Severity[e["severity"]],
                    e["format"],
                    e.get("description", ""),
                    fields(e["arguments"], "arguments"),
                )
            )
        except _SHAPE_ERRORS as err:
            raise DictionaryError(f"{where}: {err}") from None
    return Catalog(
        commands, telemetry, events, doc["events"]["apid"], doc["packet"]["max_packet_size"]
    )
