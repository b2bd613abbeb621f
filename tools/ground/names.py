"""Event text as an operator reads it: things named, not numbered, from the dictionary.

The rover's event formats carry numbers, as a flight event must ("Command APID 17 code 0 seq
4 rejected"); the ground knows the names behind them. A command's APID and code become its name
("Command DRIVE (APID 17 code 0) seq 4 rejected"), and the wheel NONE of a whole-rover monitor
becomes "rover" ("TILT tripped (rover)"), or "no wheel" where a wheel is named as such. Pure
functions of the event's definition, its values and the dictionary's commands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fsw.packets.schema import CommandDef, EventDef

CommandNames = Mapping[tuple[int, int], str]
"""(APID, code) -> command name."""

NO_WHEEL = "NONE"


def command_names(commands: Iterable[CommandDef]) -> dict[tuple[int, int], str]:
    """Every command's name by (APID, code)."""
    return {(int(c.apid), c.code): c.name for c in commands}


def event_text(definition: EventDef, values: Mapping[str, int | float], names: CommandNames) -> str:
    """The event's text with its numbers named (see the module docstring)."""
    shown = {a.name: a.show(values[a.name]) for a in definition.args}
    text = definition.format
    if "apid" in shown and "code" in shown and "APID {apid} code {code}" in text:
        name = names.get((int(values["apid"]), int(values["code"])))
        if name is not None:
            text = text.replace("APID {apid} code {code}", name + " (APID {apid} code {code})")
    wheel = next((a for a in definition.args if a.enum is not None and a.name == "wheel"), None)
    if wheel is not None and shown["wheel"] == NO_WHEEL:
        text = text.replace("({wheel})", "(rover)").replace("wheel {wheel}", "no wheel")
    return text.format(**shown)
