"""Command dispatch with verification: every command that arrives is accepted or rejected (with
the reason and the argument at fault), then started, then completed or failed.

A rejected command changes nothing: every check (code, size, argument ranges, the handler's own
checks, the mode) runs before anything is done. Long commands (a drive) complete later, through
`complete` and `fail`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fsw.packets import ccsds
from fsw.packets.catalog import Catalog
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.schema import CommandDef
from fsw.tables.enums import NO_ARGUMENT, Stage

if TYPE_CHECKING:
    from fsw.arming import Arming


class Rejected(Exception):
    """A command refused before it did anything."""

    def __init__(self, reason: Reason, message: str, arg_index: int | None = None) -> None:
        super().__init__(message)
        self.reason, self.message, self.arg_index = reason, message, arg_index


class Failed(Exception):
    """A command that started and could not finish."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


@dataclass(slots=True)
class Command:
    """An accepted command: what it is and which packet carried it."""

    definition: CommandDef
    apid: int
    code: int
    seq: int
    args: dict[str, Any] = field(default_factory=dict)
    outcome: Stage | None = None  # COMPLETED or FAILED once it has finished (stored sequences)
    failure: Reason = Reason.OK  # why it failed
    sn: int = 0  # the envelope's sequence number (0: bare, or a stored sequence's step)

    @property
    def name(self) -> str:
        """The command's name."""
        return self.definition.name


@dataclass(frozen=True)
class Handler:
    """How the flight software carries out one command.

    `check` raises Rejected (it must change nothing); `execute` returns True when the command is
    complete, False when it completes later, or raises Failed."""

    execute: Callable[[Command], bool]
    check: Callable[[Command], None] | None = None


def checked(*checks: Callable[[Command], None]) -> Callable[[Command], None]:
    """One check made of several, run in order (the first to raise Rejected wins)."""

    def run(cmd: Command) -> None:
        for check in checks:
            check(cmd)

    return run


Verify = Callable[[Stage, int, int, int, Reason, int, int], None]
"""Sends a verification report: stage, command APID, code, seq, reason, argument index, and the
sequence number of the envelope that carried the command (0 when none did): the ground matches a
report to the exact envelope it sent, so a relay replaying an older session's reports cannot pass
them off as answers to a new command with the same count."""

Emit = Callable[[str, dict[str, Any]], None]
"""Raises an event by name with its arguments."""


@dataclass(slots=True)
class Counters:
    """What housekeeping reports about commands."""

    accepted: int = 0
    rejected: int = 0
    completed: int = 0
    failed: int = 0
    last_apid: int = 0
    last_code: int = 0
    last_seq: int = 0
    last_reject: Reason = Reason.OK


class Dispatcher:
    """Decodes, checks, executes and verifies commands."""

    def __init__(
        self,
        catalog: Catalog,
        handlers: Mapping[str, Handler],
        verify: Verify,
        emit: Emit,
        arming: Arming | None = None,
    ) -> None:
        missing = [c.name for c in catalog.commands if c.name not in handlers]
        if missing:
            raise ValueError(f"commands without a handler: {', '.join(missing)}")
        self.catalog = catalog
        self.handlers = handlers
        self.verify = verify
        self.emit = emit
        self.arming = arming
        self.counters = Counters()

    def receive(self, packet: bytes, sn: int = 0) -> Command | Rejected:
        """Handle one verified command packet (CRC and header already checked by the uplink),
        carried by the envelope numbered `sn` (0: none): the accepted Command (its `outcome` set
        when it finishes) or the Rejected."""
        apid = ccsds.apid_of(packet)
        seq = ccsds.seq_count_of(packet)
        code = packet[6] if len(packet) > 6 else 0
        c = self.counters
        c.last_apid, c.last_code, c.last_seq = apid, code, seq
        try:
            decoded = self.catalog.decode(packet)
        except PacketError as err:
            refused = Rejected(err.reason, err.message)
            self._reject(apid, code, seq, refused, sn)
            return refused
        definition = decoded.definition
        assert isinstance(definition, CommandDef)
        cmd = Command(definition, apid, code, seq, decoded.values, sn=sn)
        try:
            self._check(cmd)
        except Rejected as err:
            self._reject(apid, code, seq, err, sn)
            return err
        c.accepted += 1
        if self.arming is not None:
            self.arming.accepted(cmd)
        self.verify(Stage.ACCEPTED, apid, code, seq, Reason.OK, NO_ARGUMENT, sn)
        self.verify(Stage.STARTED, apid, code, seq, Reason.OK, NO_ARGUMENT, sn)
        try:
            finished = self.handlers[cmd.name].execute(cmd)
        except Failed as err:
            self.fail(cmd, err.reason)
            return cmd
        if finished:
            self.complete(cmd)
        return cmd

    def _check(self, cmd: Command) -> None:
        try:
            cmd.args.update(cmd.definition.check_values(cmd.args))
        except PacketError as err:
            raise Rejected(err.reason, err.message, err.arg_index) from None
        check = self.handlers[cmd.name].check
        if check is not None:
            check(cmd)
        if self.arming is not None:  # last: the operator learns first what else is wrong
            self.arming.check(cmd)

    def refuse(
        self, packet: bytes, reason: Reason, report: bool = True, sn: int = 0
    ) -> tuple[int, int, int]:
        """Count and report (REJECTED) a packet uplink security would not pass, carried by the
        envelope numbered `sn` (0: bare); the APID, code and seq its header claims. The security
        event is the caller's (it knows the key).
        `report` False: counted only (the uplink's refusal reports are over their rate)."""
        apid = ccsds.apid_of(packet) if len(packet) > 1 else 0
        seq = ccsds.seq_count_of(packet) if len(packet) > 3 else 0
        code = packet[6] if len(packet) > 6 else 0
        c = self.counters
        c.last_apid, c.last_code, c.last_seq = apid, code, seq
        c.rejected += 1
        c.last_reject = reason
        if report:
            self.verify(Stage.REJECTED, apid, code, seq, reason, NO_ARGUMENT, sn)
        return apid, code, seq

    def _reject(self, apid: int, code: int, seq: int, err: Rejected, sn: int) -> None:
        self.counters.rejected += 1
        self.counters.last_reject = err.reason
        index = NO_ARGUMENT if err.arg_index is None else err.arg_index
        self.verify(Stage.REJECTED, apid, code, seq, err.reason, index, sn)
        self.emit("CMD_REJECTED", {"apid": apid, "code": code, "seq": seq, "reason": err.reason})

    def complete(self, cmd: Command) -> None:
        """Report a command completed."""
        cmd.outcome = Stage.COMPLETED
        self.counters.completed += 1
        self.verify(Stage.COMPLETED, cmd.apid, cmd.code, cmd.seq, Reason.OK, NO_ARGUMENT, cmd.sn)

    def fail(self, cmd: Command, reason: Reason) -> None:
        """Report a command failed after it started."""
        cmd.outcome, cmd.failure = Stage.FAILED, reason
        self.counters.failed += 1
        self.verify(Stage.FAILED, cmd.apid, cmd.code, cmd.seq, reason, NO_ARGUMENT, cmd.sn)
        args = {"apid": cmd.apid, "code": cmd.code, "seq": cmd.seq, "reason": reason}
        self.emit("CMD_FAILED", args)

    def reset_counters(self) -> None:
        """Zero the command counters (RESET_COUNTERS)."""
        self.counters = Counters()
