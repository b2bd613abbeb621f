"""How the console shows things: events coloured by severity, command verification as it
progresses, telemetry with units and limits, and help from the dictionary. Each returns rich
markup-free Text or a Table; printing is the caller's business."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fsw.packets.catalog import Packet
from fsw.packets.limits import LimitState
from fsw.packets.schema import CommandDef, EventDef, Field, TelemetryDef
from fsw.packets.timecode import utc_iso
from fsw.packets.types import number_text
from tools.ground.names import CommandNames, event_text
from tools.ground.state import SentCommand

SEVERITY_STYLE = {
    "DEBUG": "dim",
    "INFO": "",
    "WARNING": "yellow",
    "ERROR": "bold red",
    "CRITICAL": "bold white on red",
}
STAGE_STYLE = {
    "ACCEPTED": "cyan",
    "STARTED": "cyan",
    "PROGRESS": "cyan",
    "COMPLETED": "green",
    "REJECTED": "bold red",
    "FAILED": "bold red",
}
LIMIT_STYLE = {
    LimitState.NOMINAL: "",
    LimitState.YELLOW_LOW: "black on yellow",
    LimitState.YELLOW_HIGH: "black on yellow",
    LimitState.RED_LOW: "bold white on red",
    LimitState.RED_HIGH: "bold white on red",
}


def clock(mission_time: float | None) -> str:
    """Mission time as UTC hh:mm:ss.s (what an operator's screen shows)."""
    if mission_time is None:
        return "--:--:--.-"
    return utc_iso(mission_time)[11:21]


def history_line(command: SentCommand) -> Text:
    """A command in the history: when it went out, what it was, and how and when it ended (all
    on the rover's clock, as every time on the screen)."""
    text = Text(f"{clock(command.sent_at)} ")
    text.append(f"[{command.seq}] {command.text} ", style="bold")
    text.append(command.outcome(), style=STAGE_STYLE.get(command.stage, ""))
    if command.reported_at is not None:
        text.append(f" at {clock(command.reported_at)}", style="dim")
    if command.final is not None and command.finished is not None:
        text.append(f" ({command.finished - command.sent:.1f} s)", style="dim")
    return text


def event_line(event: Packet, names: CommandNames | None = None) -> Text:
    """One event: time, severity, name and its text (commands named by `names`), coloured by
    severity."""
    definition = event.definition
    assert isinstance(definition, EventDef)
    severity = definition.severity.name
    style = SEVERITY_STYLE.get(severity, "")
    text = Text(f"{clock(event.time)} ")
    told = event_text(definition, event.values, names or {})
    text.append(f"{severity:<8} {event.name}: {told}", style=style)
    return text


def verification_line(command: SentCommand, mission_time: float | None = None) -> Text:
    """One stage of a command's verification, matched to the command by sequence count, at
    `mission_time` (default: the rover time of its latest report, else of its sending)."""
    stage = command.stage
    if mission_time is None:
        mission_time = command.reported_at if command.reported_at is not None else command.sent_at
    text = Text(f"{clock(mission_time)} ")
    text.append(f"[{command.seq}] {command.name} ", style="bold")
    text.append(command.outcome(), style=STAGE_STYLE.get(stage, ""))
    if command.final is not None and command.finished is not None:
        text.append(f" ({command.finished - command.sent:.1f} s)", style="dim")
    return text


def number(f: Field, value: Any) -> str:
    """A value as the dictionary says to show it: a float to its field's decimals (and never
    -0.000), anything else as it is."""
    if isinstance(value, str):
        return value
    if f.decimals is None or not isinstance(value, float) or not math.isfinite(value):
        return number_text(value)
    text = f"{value:.{f.decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def value_text(f: Field, shown: Any) -> tuple[str, str, str]:
    """(value, style, limit note) of one telemetry value against its limits."""
    if isinstance(shown, str) or f.limits is None:
        return number(f, shown), "", ""
    state, threshold = f.limits.check(shown)
    unit = f" {f.unit}" if f.unit else ""
    note = ""
    if threshold is not None:
        side = "below" if state in (LimitState.RED_LOW, LimitState.YELLOW_LOW) else "above"
        colour = "red" if state in (LimitState.RED_LOW, LimitState.RED_HIGH) else "yellow"
        note = f"{colour} limit: {side} {number_text(threshold)}{unit}"
    return number(f, shown), LIMIT_STYLE[state], note


def telemetry_table(
    definition: TelemetryDef, packet: Packet | None, now: float | None = None
) -> Table:
    """One packet's latest values: field, value, unit, and the limit a value broke."""
    when = "not received yet"
    if packet is not None:
        when = f"seq {packet.seq_count} at {clock(packet.time)}"
        if now is not None and packet.time is not None:
            when += f" ({max(0.0, now - packet.time):.1f} s ago)"
    table = Table(title=f"{definition.name}  {when}", title_justify="left", box=None,
                  pad_edge=False, show_header=True, header_style="bold")  # fmt: skip
    table.add_column("field")
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_column("limits")
    shown = packet.shown() if packet is not None else {}
    for f in definition.fields:
        if f.name not in shown:
            table.add_row(f.name, "-", f.unit, "")
            continue
        value, style, note = value_text(f, shown[f.name])
        table.add_row(f.name, Text(value, style=style), f.unit, Text(note, style=style))
    return table


def field_line(
    definition: TelemetryDef, name: str, packet: Packet | None, now: float | None = None
) -> Text:
    """One field's latest value, unit and limit note (`tlm HK.mode`); a ValueError naming the
    near fields when the packet has no such field."""
    fields = {f.name: f for f in definition.fields}
    f = fields.get(name.lower())
    if f is None:
        near = difflib.get_close_matches(name.lower(), fields, n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise ValueError(f"{definition.name} has no field {name!r}{hint}")
    text = Text(f"{definition.name}.{f.name} = ")
    if packet is None:
        return text.append("- (not received yet)", style="dim")
    value, style, note = value_text(f, packet.shown()[f.name])
    text.append(value + (f" {f.unit}" if f.unit else ""), style=style)
    if note:
        text.append(f"  ({note})", style=style)
    when = f"  seq {packet.seq_count} at {clock(packet.time)}"
    if now is not None and packet.time is not None:
        when += f", {max(0.0, now - packet.time):.1f} s ago"
    return text.append(when, style="dim")


def out_of_limits(definitions: Iterable[TelemetryDef], latest: dict[str, Packet]) -> list[str]:
    """One line per latest value outside its limits, naming the threshold it broke."""
    lines = []
    for d in definitions:
        packet = latest.get(d.name)
        if packet is None:
            continue
        shown = packet.shown()
        for f in d.fields:
            value, _, note = value_text(f, shown[f.name])
            if note:
                lines.append(f"{d.name}.{f.name} = {value} {f.unit}".rstrip() + f"  ({note})")
    return lines


def command_help(command: CommandDef) -> RenderableType:
    """Everything the dictionary says about a command."""
    head = Text(command.name, style="bold")
    head.append(f"  (APID 0x{command.apid:03X}, code {command.code})", style="dim")
    parts: list[RenderableType] = [head, Text(command.description)]
    if command.hazardous:
        parts.append(Text(f"HAZARDOUS: {command.hazard}", style="bold red"))
    if command.args:
        table = Table(box=None, pad_edge=False, header_style="bold")
        for column in ("argument", "type", "unit", "range", "description"):
            table.add_column(column)
        for a in command.args:
            table.add_row(a.name, a.type, a.unit, range_text(a), a.description)
        parts.append(table)
        example = " ".join(f"{a.name}=..." for a in command.args)
        parts.append(Text(f"usage: {command.name} {example}  (or the values in this order)",
                          style="dim"))  # fmt: skip
    else:
        parts.append(Text("no arguments", style="dim"))
    return Group(*parts)


def range_text(f: Field) -> str:
    """The values an argument takes: enum names or min .. max."""
    if f.enum is not None:
        return ", ".join(m.name for m in f.enum)
    low = f.wire.lowest if f.min is None else f.min
    high = f.wire.highest if f.max is None else f.max
    return f"{number_text(low)} .. {number_text(high)}"


def commands_table(commands: Iterable[CommandDef], verbs: dict[str, str]) -> Table:
    """Every command with its one-line description, then the console's own verbs."""
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for c in commands:
        hazard = Text(" [hazardous]", style="red") if c.hazardous else Text("")
        table.add_row(c.name, Text(c.description.split(". ")[0]).append_text(hazard))
    table.add_row("", "")
    for verb, text in verbs.items():
        table.add_row(verb, Text(text, style="dim"))
    return table
