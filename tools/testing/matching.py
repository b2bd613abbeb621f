"""What a test asks for, checked against the dictionary before anything waits on it: argument
patterns for commands and events, stage and reason names; and how the answer is shown when it is
not what was asked for (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fsw.packets.catalog import Packet
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.schema import Field
from fsw.packets.types import number_text
from fsw.tables.enums import Stage
from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLine, CommandLineError, parse, split, value_of

SHOWN_EVENTS = 12
"""Events listed at most in a failure message (the latest ones)."""


def pattern(where: str, fields: Sequence[Field], given: Mapping[str, Any]) -> dict[str, Any]:
    """`given` values as a person reads them (enum names, f32 at its shortest), each checked
    against its field, so `{"wheel": "lm", "speed": 0.0447}` matches what telemetry shows."""
    known = {f.name: f for f in fields}
    out: dict[str, Any] = {}
    for name, value in given.items():
        f = known.get(name.lower())
        if f is None:
            names = ", ".join(known) or "none"
            raise CommandLineError(f"{where} has no argument {name!r} (arguments: {names})")
        try:
            out[f.name] = f.show(f.check(value))
        except PacketError as err:
            raise CommandLineError(f"{where} {err.message}") from None
    return out


def matches(shown: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether every wanted value is the one shown."""
    return all(shown.get(name) == value for name, value in wanted.items())


def pattern_text(wanted: Mapping[str, Any]) -> str:
    """`wheel=LM healthy=5`, as a command line would say it."""
    return " ".join(f"{k}={show(v)}" for k, v in wanted.items())


def show(value: Any) -> str:
    """A value as an operator reads it."""
    return value if isinstance(value, str) else number_text(value)


@dataclass(frozen=True)
class CommandPattern:
    """A command name and some of its arguments: `DRIVE` or `DRIVE distance=50`."""

    name: str
    wanted: dict[str, Any]

    def text(self) -> str:
        """As written, normalised."""
        return " ".join([self.name, pattern_text(self.wanted)]).strip()

    def matches(self, line: CommandLine) -> bool:
        """Whether `line` is this command with these argument values."""
        shown = {a.name: a.show(line.args[a.name]) for a in line.definition.args}
        return line.name == self.name and matches(shown, self.wanted)


@dataclass(frozen=True)
class EventPattern:
    """An event name, some of its arguments, and a test of the whole event (`where`)."""

    name: str
    wanted: dict[str, Any]
    where: Callable[[Packet], bool] | None = None

    def text(self) -> str:
        """`WHEEL_ISOLATED with wheel=LM`, as a failure message names it."""
        args = f" with {pattern_text(self.wanted)}" if self.wanted else ""
        return f"{self.name}{args}{' matching where' if self.where else ''}"

    def matches(self, event: Packet) -> bool:
        """Whether `event` is this event with these argument values, passing `where`."""
        return (
            event.name == self.name
            and matches(event.shown(), self.wanted)
            and (self.where is None or self.where(event))
        )


def event_pattern(
    dictionary: Dictionary,
    name: str,
    args: Mapping[str, Any] | None = None,
    where: Callable[[Packet], bool] | None = None,
) -> EventPattern:
    """A pattern for an event by name (checked), some of its arguments and a `where` test."""
    definition = dictionary.event(name)
    wanted = pattern(definition.name, definition.args, args or {})
    return EventPattern(definition.name, wanted, where)


def command_line(
    dictionary: Dictionary, cmd: str | CommandLine, args: Mapping[str, Any] | None = None
) -> CommandLine:
    """A command checked against the dictionary: a line (`DRIVE distance=2 speed=0.04 radius=0`)
    or a name and a dict of arguments."""
    if isinstance(cmd, CommandLine):
        return cmd
    if args is None:
        return parse(dictionary, cmd)
    try:
        definition = dictionary.command(cmd)
        return CommandLine(definition, definition.check_args(dict(args)))
    except PacketError as err:
        raise CommandLineError(err.message) from None


def command_pattern(
    dictionary: Dictionary, cmd: str, args: Mapping[str, Any] | None
) -> CommandPattern:
    """A pattern from `NAME [arg=value ...]` and an optional dict of more arguments."""
    words = split(cmd)
    if not words:
        raise CommandLineError("no command given")
    try:
        definition = dictionary.command(words[0])
    except PacketError as err:
        raise CommandLineError(err.message) from None
    given: dict[str, Any] = {}
    for word in words[1:]:
        name, equals, text = word.partition("=")
        if not equals:
            raise CommandLineError(f"{definition.name}: give arguments as name=value, not {word!r}")
        given[name.strip()] = value_of(text)
    given.update(args or {})
    return CommandPattern(definition.name, pattern(definition.name, definition.args, given))


def stage_name(stage: str) -> str:
    """A verification stage by name (any case), or a CommandLineError listing them."""
    try:
        return Stage[stage.upper()].name
    except KeyError:
        names = ", ".join(s.name for s in Stage)
        raise CommandLineError(f"no verification stage {stage!r} (one of {names})") from None


def reason_name(reason: str) -> str:
    """A verification reason by name (any case), or a CommandLineError listing them."""
    try:
        return Reason[reason.upper()].name
    except KeyError:
        names = ", ".join(r.name for r in Reason)
        raise CommandLineError(f"no reason {reason!r} (one of {names})") from None


def event_lines(events: Sequence[Packet], start: float, heading: str) -> str:
    """The events as `rover run` lists them, the latest SHOWN_EVENTS of them, under `heading`."""
    if not events:
        return f"; {heading}: none"
    lines = [f"; {heading}:"]
    if len(events) > SHOWN_EVENTS:
        lines.append(f"  ({len(events) - SHOWN_EVENTS} earlier not shown)")
    for event in events[-SHOWN_EVENTS:]:
        when = (event.time or start) - start
        lines.append(f"  t+{when:8.1f} s  {event.name}: {event.text()}")
    return "\n".join(lines)
