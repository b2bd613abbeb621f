"""Command lines as an operator types them: `DRIVE distance=2 speed=0.04 radius=0`.

Arguments are given by name (`name=value`) or by position, in any mix; numbers in decimal, hex
(`0x1F`) or exponent form, enum values by name in any case. Everything is checked against the
dictionary before a byte is sent, and every mistake comes back as one line that says what is
wrong (pure functions, no I/O).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fsw.packets import rules
from fsw.packets.reasons import PacketError
from fsw.packets.schema import CommandDef
from fsw.packets.types import number_text
from fsw.params import ParamDef
from tools.dictionary import Dictionary

_INT = re.compile(r"^[+-]?(0x[0-9a-f]+|0b[01]+|0o[0-7]+|\d+)$", re.IGNORECASE)
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)


class CommandLineError(ValueError):
    """A command line that cannot be sent, with why in one line."""


@dataclass(frozen=True)
class CommandLine:
    """A command line checked against the dictionary: ready to encode."""

    definition: CommandDef
    args: dict[str, int | float]  # wire values, in argument order
    data: bytes | None = None  # the variable-length data of a command that carries it

    @property
    def name(self) -> str:
        """The command's name."""
        return self.definition.name

    def text(self) -> str:
        """The command as the operator would type it, arguments by name, enums by name."""
        parts = [self.definition.name]
        for arg in self.definition.args:
            shown = arg.show(self.args[arg.name])
            text = shown if isinstance(shown, str) else number_text(shown)  # type: ignore[arg-type]
            parts.append(f"{arg.name}={text}")
        if self.definition.data is not None and self.data is not None:
            parts.append(f"{self.definition.data.name}=0x{self.data.hex()}")
        return " ".join(parts)


def split(line: str) -> list[str]:
    """The words of a line (shell quoting, `#` starts a comment), or a CommandLineError."""
    try:
        return shlex.split(line, comments=True)
    except ValueError as err:
        raise CommandLineError(f"cannot read the line: {err}") from None


def value_of(text: str) -> Any:
    """A typed word: an int or float when it reads as one, else the text (an enum name)."""
    if _INT.match(text):
        try:
            return int(text, 0)
        except ValueError:  # a leading zero, `007`: seven, as a person means it
            return int(text, 10)
    if _FLOAT.match(text) or text.lower() in ("nan", "inf", "-inf", "+inf"):
        return float(text)
    return text


def parse_words(dictionary: Dictionary, words: list[str]) -> CommandLine:
    """A command from its words: the name, then arguments by position or `name=value`."""
    if not words:
        raise CommandLineError("no command given")
    try:
        command = dictionary.command(words[0])
    except PacketError as err:
        raise CommandLineError(err.message) from None
    names = [a.name for a in command.args]
    given: dict[str, Any] = {}
    data: bytes | None = None
    for word in words[1:]:
        name, equals, text = word.partition("=")
        if equals and command.data is not None and name.strip().lower() == command.data.name:
            if data is not None:
                raise CommandLineError(f"{command.name}: {command.data.name!r} is given twice")
            data = _hex(command, text)
            continue
        if equals:
            name = name.strip().lower()
            if name not in names:
                expected = ", ".join(names) or "none"
                raise CommandLineError(
                    f"{command.name} has no argument {name!r} (arguments: {expected})"
                )
        else:  # by position: the next argument not given yet
            free = [n for n in names if n not in given]
            if not free:
                raise CommandLineError(
                    f"{command.name} takes {len(names)} argument{'s' * (len(names) != 1)}; "
                    f"{word!r} is one too many"
                )
            name, text = free[0], word
        if name in given:
            raise CommandLineError(f"{command.name}: argument {name!r} is given twice")
        if not text:
            raise CommandLineError(f"{command.name}: argument {name!r} has no value")
        given[name] = value_of(text)
    try:
        values = command.check_args(given)
    except PacketError as err:
        raise CommandLineError(err.message) from None
    if command.data is not None:
        try:
            data = command.data.check(b"" if data is None else data)
        except PacketError as err:
            raise CommandLineError(f"{command.name} {err.message}") from None
    return CommandLine(command, values, data)


def check_rules(
    dictionary: Dictionary, command: CommandLine, known: Mapping[str, float] | None = None
) -> None:
    """A CommandLineError if `command` breaks a rule of its row that the rover would refuse it
    for (fsw.packets.rules: DRIVE's radius against MIN_TURN_RADIUS, ...): judged as the
    dispatcher judges it, from the dictionary, with the parameters' defaults overridden by the
    values the rover last reported (`known`)."""
    if not command.definition.rules:
        return
    params, rows = parameters(dictionary)
    params.update(known or {})
    try:
        rules.check_rules(command.definition, command.args, params, rows)
    except PacketError as err:
        name = command.definition.args[err.arg_index or 0].name
        source = _source(command, err.message, known)
        raise CommandLineError(f"{err.message}; not sent (argument {name}{source})") from None


def parameters(dictionary: Dictionary) -> tuple[dict[str, float], dict[int, ParamDef]]:
    """The parameters' default values by name, and their rows by id, from the dictionary."""
    keys = ("name", "id", "default", "min", "max", "unit", "description", "whole")
    rows = {p["id"]: ParamDef(*(p[k] for k in keys)) for p in dictionary.parameters}
    return {r.name: r.default for r in rows.values()}, rows


def _source(command: CommandLine, message: str, known: Mapping[str, float] | None) -> str:
    """Where the value of the parameter a refusal names came from, when it names one."""
    used = {r.param for r in command.definition.rules if r.param and r.param in message}
    if not used:
        return ""
    told = sorted(used & set(known or {}))
    if told:
        return "; " + ", ".join(told) + " as the rover last reported it"
    return "; " + ", ".join(sorted(used)) + " at the dictionary's default"


def _hex(command: CommandDef, text: str) -> bytes:
    """A command's data written as hex digits (`0x` first, or not)."""
    assert command.data is not None
    digits = text[2:] if text[:2].lower() == "0x" else text
    try:
        return bytes.fromhex(digits)
    except ValueError:
        raise CommandLineError(
            f"{command.name}: {command.data.name} is bytes in hex (0x0102...), not {text!r}"
        ) from None


def parse(dictionary: Dictionary, line: str) -> CommandLine:
    """A command from a line of text."""
    return parse_words(dictionary, split(line))


def split_timeout(words: list[str], default: float) -> tuple[list[str], float]:
    """Words without a trailing `timeout S`, and S (or the default)."""
    if len(words) >= 2 and words[-2].lower() == "timeout":
        return words[:-2], seconds(words[-1], "timeout")
    return words, default


def seconds(text: str, what: str) -> float:
    """A time in seconds typed on a console line (`what` names it in the error)."""
    try:
        value = float(text)
    except ValueError:
        raise CommandLineError(f"{what}: {text!r} is not a number of seconds") from None
    if not 0 <= value < 1e9:
        raise CommandLineError(f"{what}: {text} s is not a usable time")
    return value
