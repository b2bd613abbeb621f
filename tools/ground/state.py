"""What the ground knows about the rover: the latest value of every telemetry packet, the events
in order, and what became of each command it sent (verification matched by APID and sequence
count). Fed decoded packets; pure, no I/O, no threads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fsw.packets.catalog import Packet
from fsw.packets.schema import CommandDef
from fsw.tables.enums import NO_ARGUMENT, Stage

FINAL = frozenset({Stage.REJECTED.name, Stage.COMPLETED.name, Stage.FAILED.name})
"""Stages after which a command gets no more reports."""


@dataclass
class SentCommand:
    """A command the ground sent, and the verification reports that came back for it."""

    seq: int
    definition: CommandDef
    args: dict[str, int | float]
    text: str
    sent: float  # ground time it went out (s since 1970)
    stages: list[str] = field(default_factory=list)
    reason: str = "OK"
    argument: str | None = None  # the argument at fault, when the rover named one
    finished: float | None = None  # ground time of the final report

    @property
    def name(self) -> str:
        """The command's name."""
        return self.definition.name

    @property
    def final(self) -> str | None:
        """REJECTED, COMPLETED or FAILED once it has come, else None."""
        return self.stages[-1] if self.stages and self.stages[-1] in FINAL else None

    @property
    def stage(self) -> str:
        """The latest stage reported, or SENT."""
        return self.stages[-1] if self.stages else "SENT"

    def outcome(self) -> str:
        """The latest stage with its reason, as an operator reads it."""
        if self.stage in (Stage.REJECTED.name, Stage.FAILED.name):
            at = f" (argument {self.argument})" if self.argument else ""
            return f"{self.stage}: {self.reason}{at}"
        return self.stage


@dataclass(frozen=True)
class Update:
    """One packet taken in, and the command it reported on (for CMD_VERIFY of ours)."""

    packet: Packet
    command: SentCommand | None = None


class GroundState:
    """Latest telemetry, events and command verification, built from the packets received."""

    def __init__(self) -> None:
        self.latest: dict[str, Packet] = {}
        self.shown: dict[str, dict[str, Any]] = {}  # latest values as a person reads them
        self.events: list[Packet] = []
        self.commands: dict[tuple[int, int], SentCommand] = {}  # (apid, seq) -> command
        self.counts: Counter[str] = Counter()
        self.time: float | None = None  # mission time of the latest packet (s since the epoch)

    def sent(self, command: SentCommand) -> None:
        """Note a command going out, so its reports can be matched to it."""
        self.commands[(command.definition.apid, command.seq)] = command

    def unsent(self, command: SentCommand) -> None:
        """Forget a command that could not be sent after all."""
        key = (command.definition.apid, command.seq)
        if self.commands.get(key) is command:
            del self.commands[key]

    def add(self, packet: Packet, now: float) -> Update:
        """Take in one decoded packet received at ground time `now`."""
        self.counts[packet.name] += 1
        if packet.time is not None:
            self.time = packet.time
        if packet.kind == "event":
            self.events.append(packet)
            return Update(packet)
        self.latest[packet.name] = packet
        shown = self.shown[packet.name] = packet.shown()
        if packet.name != "CMD_VERIFY":
            return Update(packet)
        v = packet.values
        command = self.commands.get((v["cmd_apid"], v["cmd_seq"]))
        if command is None or command.definition.code != v["cmd_code"]:
            return Update(packet)  # another ground's, or from before this one started
        first = shown["stage"] in (Stage.ACCEPTED.name, Stage.REJECTED.name)
        if command.final is not None or (not command.stages and not first):
            return Update(packet)  # an older command's with the same count (a wrap, a rerun)
        command.stages.append(shown["stage"])
        command.reason = shown["reason"]
        index = v["arg_index"]
        if index != NO_ARGUMENT and index < len(command.definition.args):
            command.argument = command.definition.args[index].name
        if command.final is not None:
            command.finished = now
        return Update(packet, command)

    def value(self, packet: str, name: str) -> Any:
        """The latest value of a field as a person reads it (None before the packet came)."""
        return self.shown.get(packet, {}).get(name)
