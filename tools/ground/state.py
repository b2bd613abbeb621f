"""What the ground knows about the rover: the latest value of every telemetry packet, the events
in order, and what became of each command it sent (verification matched by APID and sequence
count, and by the envelope's sequence number when the command was signed). Fed decoded packets;
pure, no I/O, no threads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fsw.packets.catalog import Packet
from fsw.packets.reasons import Reason
from fsw.packets.schema import CommandDef
from fsw.tables.enums import NO_ARGUMENT, Stage

PARAM_EVENTS = frozenset({"PARAM_CHANGED", "PARAM_VALUE"})
"""Events that tell a parameter's value now (`param`, `value`)."""

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
    copies: int = 1  # times its bytes were sent (Session.retransmit adds one)
    accepted_at: float | None = None  # rover time of its ACCEPTED (or REJECTED) report
    waiting: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)  # before it
    sent_at: float | None = None  # rover time when it went out: its newest packet's (the screen's)
    reported_at: float | None = None  # rover time of its latest report
    sn: int = 0  # the sequence number of the envelope that carried it (0: sent bare)

    @property
    def name(self) -> str:
        """The command's name."""
        return self.definition.name

    @property
    def final(self) -> str | None:
        """REJECTED, COMPLETED or FAILED once it has come, else None."""
        return self.stages[-1] if self.stages and self.stages[-1] in FINAL else None

    @property
    def heard(self) -> bool:
        """Whether any report of it came (perhaps only ones waiting for a lost ACCEPTED)."""
        return bool(self.stages or self.waiting)

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
    playback: bool = False  # played back from the rover's store, not heard live


class GroundState:
    """Latest telemetry, events and command verification, built from the packets received."""

    def __init__(self) -> None:
        self.latest: dict[str, Packet] = {}
        self.shown: dict[str, dict[str, Any]] = {}  # latest values as a person reads them
        self.events: list[Packet] = []
        self.commands: dict[tuple[int, int], SentCommand] = {}  # (apid, seq) -> command
        self.counts: Counter[str] = Counter()
        self.time: float | None = None  # mission time of the latest packet (s since the epoch)
        self.params: dict[str, float] = {}  # parameter values the rover reported (events)
        self.foreign = 0  # reports naming a command of ours by count, but not its envelope

    def sent(self, command: SentCommand) -> None:
        """Note a command going out, so its reports can be matched to it."""
        self.commands[(command.definition.apid, command.seq)] = command

    def unsent(self, command: SentCommand) -> None:
        """Forget a command that could not be sent after all."""
        key = (command.definition.apid, command.seq)
        if self.commands.get(key) is command:
            del self.commands[key]

    def add(self, packet: Packet, now: float, playback: bool = False) -> Update:
        """Take in one decoded packet received at ground time `now`. A `playback` (an older
        packet from the rover's store) is counted, and its events kept, but it replaces the
        latest values of its packet only if it is newer than them."""
        self.counts[packet.name] += 1
        if packet.time is not None and not (playback and _older(packet.time, self.time)):
            self.time = packet.time
        if packet.kind == "event":
            self.events.append(packet)
            if packet.name in PARAM_EVENTS and not (playback and _older(packet.time, self.time)):
                self.params[str(packet.shown()["param"])] = float(packet.values["value"])
            return Update(packet, playback=playback)
        shown = packet.shown()
        current = self.latest.get(packet.name)
        if not (playback and current is not None and _older(packet.time, current.time)):
            self.latest[packet.name] = packet
            self.shown[packet.name] = shown
        if packet.name != "CMD_VERIFY":
            return Update(packet, playback=playback)
        v = packet.values
        command = self.commands.get((v["cmd_apid"], v["cmd_seq"]))
        if command is None or command.definition.code != v["cmd_code"]:
            return Update(packet, playback=playback)  # another ground's, or from before
        if command.sn and v.get("cmd_sn") != command.sn:
            self.foreign += 1  # same count, another envelope: an older session's, replayed?
            return Update(packet, playback=playback)
        if command.copies > 1 and shown["reason"] == Reason.REPLAYED.name:
            return Update(packet, command)  # a repeated copy refused: says nothing of the first
        if not _report(command, packet, shown, now):
            return Update(packet, playback=playback)  # an older command's (a wrap, a rerun)
        return Update(packet, command, playback)

    def value(self, packet: str, name: str) -> Any:
        """The latest value of a field as a person reads it (None before the packet came)."""
        return self.shown.get(packet, {}).get(name)


_ORDER = {Stage.ACCEPTED.name: 0, Stage.REJECTED.name: 0, Stage.STARTED.name: 1,
          Stage.PROGRESS.name: 2, Stage.COMPLETED.name: 3, Stage.FAILED.name: 3}  # fmt: skip


def _report(command: SentCommand, packet: Packet, shown: dict[str, Any], now: float) -> bool:
    """File one verification report under `command`; whether it was its.

    Reports may arrive out of order on a lossy link (an ACCEPTED lost live comes back later in a
    playback), so a report before acceptance waits; acceptance (ACCEPTED or REJECTED) then takes
    the waiting reports the rover made at or after it, and drops older ones: those were another
    command's with the same count (a rerun, a wrap)."""
    stage, when = shown["stage"], packet.time if packet.time is not None else 0.0
    if command.final is not None or (stage in command.stages and stage != Stage.PROGRESS.name):
        return False
    if _ORDER[stage] == 0:
        if command.stages:
            return False
        command.accepted_at = when
        waiting, command.waiting = command.waiting, []
        _file(command, stage, shown, now, when)
        for at, later, values in sorted(waiting, key=lambda w: (w[0], _ORDER[w[1]])):
            if at >= when and command.final is None:
                _file(command, later, values, now, at)
        return True
    if command.accepted_at is None:
        command.waiting.append((when, stage, shown))
        return False  # not shown as its until its acceptance is known
    if when < command.accepted_at:
        return False
    _file(command, stage, shown, now, when)
    return True


def _file(command: SentCommand, stage: str, shown: dict[str, Any], now: float, at: float) -> None:
    command.reported_at = at if command.reported_at is None else max(at, command.reported_at)
    command.stages.append(stage)
    command.stages.sort(key=_ORDER.__getitem__)
    command.reason = shown["reason"]
    index = shown["arg_index"]
    if isinstance(index, int) and index != NO_ARGUMENT and index < len(command.definition.args):
        command.argument = command.definition.args[index].name
    if command.final is not None:
        command.finished = now


def _older(time: float | None, than: float | None) -> bool:
    """Whether packet time `time` is before `than` (unknown times are never older)."""
    return time is not None and than is not None and time < than
