"""Stored command sequences on the ground: a plan file checked line by line, and the SEQ_LOAD
that carries it up (the image format is the flight software's: fsw.sequences).

A plan is TOML, like the scenarios:

    slot = 1                                   # 1..4 (the console's `upload FILE SLOT` overrides)
    description = "A 2 m square"               # optional

    [[steps]]
    after = 0                                  # s after the previous step FINISHED (default 0)
    command = "DRIVE distance=2 radius=0 speed=0.0447"

    [[steps]]
    at = 2019-01-04T03:00:00Z                  # or mission seconds; never before the step above
    command = "TURN_IN_PLACE angle=90"

Commands are written as at the console (tools.ground.cmdline) and checked against the
dictionary; a hazardous step needs an ARM naming it in an earlier step. Every mistake is one line
naming the file and line. Pure, apart from reading the file.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fsw.packets.timecode import MISSION_EPOCH
from fsw.sequences import MAX_TIME, Step, Timing, crc32, encode
from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLine, CommandLineError, parse

_TOP = {"slot", "description", "steps"}
_STEP = {"after", "at", "command"}
_HEADER = re.compile(r"^\s*\[\[\s*steps\s*\]\]")
_TABLE = re.compile(r"^\s*\[")
_TOML_LINE = re.compile(r"at line (\d+)")


class PlanError(ValueError):
    """A plan that cannot be uploaded, with the file and line at fault."""


@dataclass(frozen=True)
class PlanStep:
    """One step of a plan: when, and the checked command."""

    line: int  # where its command is written (0 if unknown)
    timing: Timing
    time: int  # ms after the previous step (AFTER) or mission seconds (AT)
    command: CommandLine

    def describe(self) -> str:
        """When, as the plan said it."""
        if self.timing is Timing.AFTER:
            return f"after {self.time / 1000:g} s"
        return f"at mission time {self.time} s"


@dataclass(frozen=True)
class Plan:
    """A checked plan: its slot and steps."""

    source: str
    slot: int
    description: str
    steps: tuple[PlanStep, ...]

    def packets(self, dictionary: Dictionary, first_seq: int) -> list[bytes]:
        """Each step's command packet, numbered from sequence count `first_seq`."""
        return [
            dictionary.encode_command(s.command.name, s.command.args, (first_seq + i) & 0x3FFF)
            for i, s in enumerate(self.steps)
        ]

    def image(self, dictionary: Dictionary, first_seq: int = 0) -> bytes:
        """The image SEQ_LOAD carries."""
        packets = self.packets(dictionary, first_seq)
        return encode(Step(s.timing, s.time, p) for s, p in zip(self.steps, packets, strict=True))

    def load_command(self, dictionary: Dictionary, first_seq: int = 0) -> CommandLine:
        """The SEQ_LOAD command that uploads the plan (steps numbered from `first_seq`), or a
        PlanError if the image is too big for one."""
        image = self.image(dictionary, first_seq)
        definition = dictionary.command("SEQ_LOAD")
        assert definition.data is not None
        if len(image) > definition.data.max_size:
            raise PlanError(
                f"{self.source}: the plan's image is {len(image)} bytes; one SEQ_LOAD carries "
                f"at most {definition.data.max_size}: split it over two slots"
            )
        args = definition.check_args({"slot": self.slot, "image_crc": crc32(image)})
        return CommandLine(definition, args, image)

    def hazards(self) -> list[str]:
        """`NAME: hazard` for each hazardous step (the console asks before uploading them)."""
        return [
            f"{s.command.name}: {s.command.definition.hazard}"
            for s in self.steps
            if s.command.definition.hazardous
        ]


def load_plan(path: str | Path, dictionary: Dictionary, slot: int | None = None) -> Plan:
    """The plan in a file, checked (`slot` overrides the file's)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PlanError(f"{p}: cannot read ({getattr(err, 'strerror', None) or err})") from None
    return parse_plan(text, dictionary, str(p), slot)


def parse_plan(
    text: str, dictionary: Dictionary, source: str = "plan", slot: int | None = None
) -> Plan:
    """A plan from its TOML text; every mistake a PlanError naming `source` and the line."""
    lines = text.splitlines()
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _TOML_LINE.search(str(err))
        where = f"{source}:{found.group(1)}" if found else source
        raise PlanError(f"{where}: not TOML ({err})") from None
    for key in doc:
        if key not in _TOP:
            raise PlanError(
                f"{source}:{_key_line(lines, key)}: unknown key {key!r} "
                f"(a plan has {', '.join(sorted(_TOP))})"
            )
    chosen = _slot(doc, dictionary, source, lines, slot)
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise PlanError(f"{source}:{_key_line(lines, 'description')}: description is text")
    raw = doc.get("steps")
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise PlanError(f"{source}: a plan needs [[steps]], each with a command")
    blocks = _blocks(lines, len(raw))
    steps = tuple(
        _step(entry, dictionary, f"{source}", lines, block)
        for entry, block in zip(raw, blocks, strict=True)
    )
    _check_order(steps, source)
    _check_arming(steps, source, _arm_window(dictionary))
    return Plan(source, chosen, description, steps)


def _slot(
    doc: dict[str, Any], dictionary: Dictionary, source: str, lines: list[str], given: int | None
) -> int:
    value = doc.get("slot") if given is None else given
    where = f"{source}:{_key_line(lines, 'slot')}" if given is None else source
    if value is None:
        raise PlanError(f"{source}: say which slot (slot = 1 in the plan, or upload FILE SLOT)")
    field = dictionary.command("SEQ_LOAD").args[0]
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanError(f"{where}: slot {value!r} is not a whole number")
    low, high = int(field.min or 1), int(field.max or 1)
    if not low <= value <= high:
        raise PlanError(f"{where}: slot {value} is not one of {low}..{high}")
    return value


def _blocks(lines: list[str], count: int) -> list[tuple[int, int] | None]:
    """Each [[steps]] table's lines (first and last, 1-based); None where they cannot be found
    (steps written inline)."""
    starts = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    if len(starts) != count:
        return [None] * count
    out: list[tuple[int, int] | None] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        for j in range(start + 1, end):
            if _TABLE.match(lines[j]):
                end = j
                break
        out.append((start + 1, end))
    return out


def _key_line(lines: list[str], key: str, block: tuple[int, int] | None = None) -> int:
    """The line where `key = ...` is written (within `block`), else the block's first line."""
    first, last = block if block is not None else (1, len(lines))
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number in range(first, last + 1):
        if number - 1 < len(lines) and pattern.match(lines[number - 1]):
            return number
    return first if block is not None else 0


def _step(
    entry: dict[str, Any],
    dictionary: Dictionary,
    source: str,
    lines: list[str],
    block: tuple[int, int] | None,
) -> PlanStep:
    head = block[0] if block is not None else 0
    for key in entry:
        if key not in _STEP:
            raise PlanError(
                f"{source}:{_key_line(lines, key, block)}: unknown step key {key!r} "
                "(a step has after or at, and command)"
            )
    line = _key_line(lines, "command", block)
    text = entry.get("command")
    if not isinstance(text, str):
        raise PlanError(f'{source}:{head}: the step needs command = "NAME arg=value ..."')
    try:
        command = parse(dictionary, text)
    except CommandLineError as err:
        raise PlanError(f"{source}:{line}: {err}") from None
    if "after" in entry and "at" in entry:
        raise PlanError(f"{source}:{_key_line(lines, 'at', block)}: give after or at, not both")
    if "at" in entry:
        where = f"{source}:{_key_line(lines, 'at', block)}"
        return PlanStep(line, Timing.AT, _mission_second(entry["at"], where), command)
    where = f"{source}:{_key_line(lines, 'after', block) or head}"
    after = entry.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int | float) or not math.isfinite(after):
        raise PlanError(f"{where}: after = {after!r} is not a number of seconds")
    ms = round(after * 1000)
    if not 0 <= ms <= MAX_TIME:
        raise PlanError(f"{where}: after = {after} s is outside 0..{MAX_TIME // 1000} s")
    return PlanStep(line, Timing.AFTER, ms, command)


def _mission_second(value: object, where: str) -> int:
    """An `at` as whole mission seconds: a TOML date-time with its zone, or mission seconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise PlanError(f"{where}: at = {value} has no time zone (write it in UTC: ...Z)")
        seconds = (value - MISSION_EPOCH).total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise PlanError(f"{where}: at = {value!r} is neither a date-time nor mission seconds")
    if not math.isfinite(seconds) or seconds != int(seconds):
        raise PlanError(f"{where}: at = {value} is not a whole mission second")
    if not 0 <= seconds <= MAX_TIME:
        raise PlanError(f"{where}: at = {value} is outside the mission clock (0..{MAX_TIME} s)")
    return int(seconds)


def _check_order(steps: tuple[PlanStep, ...], source: str) -> None:
    previous: PlanStep | None = None
    for step in steps:
        if step.timing is not Timing.AT:
            continue
        if previous is not None and step.time < previous.time:
            raise PlanError(
                f"{source}:{step.line}: {step.describe()} is before the earlier step's "
                f"{previous.describe()} (line {previous.line})"
            )
        previous = step


def _check_arming(steps: tuple[PlanStep, ...], source: str, window: float) -> None:
    """A hazardous step must come right after the ARM naming it, within ARM_WINDOW (`window`,
    s): with a drive between them, or a longer wait, the rover would refuse it ARM_EXPIRED in
    the middle of the plan, perhaps out of contact."""
    armed: PlanStep | None = None
    for step in steps:
        definition = step.command.definition
        if definition.hazardous:
            named = armed is not None and _armed_name(armed) == definition.name
            if not named:
                raise PlanError(
                    f"{source}:{step.line}: {definition.name} is hazardous: the step before it "
                    f"must be ARM command={definition.name}"
                )
            if step.timing is Timing.AT or step.time / 1000 > window:
                raise PlanError(
                    f"{source}:{step.line}: {definition.name} must follow its ARM within "
                    f"ARM_WINDOW ({window:g} s), not {step.describe()}"
                )
        armed = step if definition.name == "ARM" else None


def _armed_name(step: PlanStep) -> str:
    definition = step.command.definition
    return str(definition.args[0].show(step.command.args["command"]))


def _arm_window(dictionary: Dictionary) -> float:
    """ARM_WINDOW's default from the dictionary (60 s in a dictionary without parameters)."""
    for p in dictionary.parameters:
        if p.get("name") == "ARM_WINDOW":
            return float(p["default"])
    return 60.0
