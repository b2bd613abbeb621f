"""The board's side of the board protocol, I/O-free: bytes and the time in, bytes to send out.

One `BoardEndpoint` is one board: the Raspberry Pi agent (hil.firmware.pi) runs one on its serial
port, and tests run one in-process as a board without any hardware. It implements the behaviour
every board of this project keeps (docs/board-protocol.md, "Behaviour"): boot INFO, greeting,
rejects with reasons, setpoints with the dead-man stop, heartbeats, streaming and fault injection,
around a `Motors` (hil.board.motors) that it advances to the caller's clock.

Time is whole milliseconds from any monotonic clock (`now_ms`); the motors are advanced to it on
every call, and a dead-man stop that fell due in between happens exactly at its millisecond.
"""

from __future__ import annotations

from hil.board import model
from hil.board.motors import Motors, SimulatedMotors
from hil.board.protocol import (
    CORNERS,
    DEADMAN_MS,
    MAX_DRIVE,
    MAX_STEER,
    PROTOCOL_VERSION,
    WHEELS,
    BoardFault,
    BoardKind,
    Message,
    MsgType,
    RejectReason,
    SetpointFlag,
    StatusFlag,
    encode_frame,
    frame_size,
)
from hil.board.stream import MessageStream

STATUS_FRAME = frame_size(MsgType.STATUS)
"""Bytes of one STATUS frame on the wire: the transmit room a streamed STATUS needs."""

FAULTS = frozenset(int(fault) for fault in BoardFault)
"""INJECT.fault values a board takes."""

FIRST_HOST_BOUND = 0x80
"""Message types from here up go from the board to the flight computer: a board refuses them."""


def _i32(value: int) -> int:
    """`value` wrapped into a signed 32-bit field (encoder counts after a very long drive)."""
    return (value + 0x8000_0000) % 0x1_0000_0000 - 0x8000_0000


class BoardEndpoint:
    """One board: feed it received bytes and the time; send what it returns."""

    def __init__(self, kind: BoardKind, motors: Motors | None = None) -> None:
        self.kind = BoardKind(kind)
        self.motors: Motors = motors if motors is not None else SimulatedMotors()
        self.stream = MessageStream()
        self.booted = False
        self.greeted = False
        self.rx_errors = 0  # bad frames since boot (the STATUS field wraps at 16 bits)
        self.answers = 0  # seq of the last accepted SETPOINT
        self.deadman = False  # drive stopped by the dead-man since the last accepted SETPOINT
        self.powered = True
        self.steer_targets = [0] * CORNERS
        self.stream_period = 0  # ms; 0: no streaming
        self._boot_ms = self._motor_ms = self._stream_last = 0
        self._deadline: int | None = None  # when the dead-man stops the drive, if it is armed

    # --- the three calls -------------------------------------------------------------------

    def boot(self, now_ms: int) -> bytes:
        """Start at `now_ms` (uptime 0); the INFO frame a board sends unasked when it boots."""
        self.booted = True
        self._boot_ms = self._motor_ms = self._stream_last = now_ms
        return self._info()

    def receive(self, data: bytes, now_ms: int) -> bytes:
        """Handle received bytes at `now_ms`; the frames that answer them."""
        out = self._ensure_booted(now_ms)
        self._advance(now_ms)
        fed = self.stream.feed(data)
        for bad in fed.discarded:
            reason, kind = bad.reason, bad.type
            if kind >= FIRST_HOST_BOUND:  # a board-to-host type: unknown to a board, any length
                reason = RejectReason.UNKNOWN_TYPE
            out += self._reject_frame(kind, reason)
        for message in fed.messages:
            out += self._handle(message, now_ms)
        return out

    def tick(self, now_ms: int, tx_room: int | None = None) -> bytes:
        """Let time pass to `now_ms`; a streamed STATUS if one is due and fits in `tx_room` bytes
        (the room left in the transmit buffer; None: unlimited)."""
        out = self._ensure_booted(now_ms)
        self._advance(now_ms)
        if (
            self.stream_period
            and now_ms - self._stream_last >= self.stream_period
            and (tx_room is None or tx_room >= STATUS_FRAME)
        ):
            self._stream_last = now_ms
            out += self._status(now_ms)
        return out

    # --- messages --------------------------------------------------------------------------

    def _handle(self, message: Message, now_ms: int) -> bytes:
        kind = message.type
        if kind >= FIRST_HOST_BOUND:
            return self._reject_frame(kind, RejectReason.UNKNOWN_TYPE)
        if kind == MsgType.HELLO:
            return self._hello(message)
        if kind == MsgType.HEARTBEAT:
            return self._status(now_ms)
        if not self.greeted:
            return self._reject(kind, RejectReason.NOT_GREETED)
        if kind == MsgType.SETPOINT:
            return self._setpoint(message, now_ms)
        if kind == MsgType.STREAM:
            self.stream_period = message["period_ms"]
            self._stream_last = now_ms
            return b""
        return self._inject(message, now_ms)

    def _hello(self, message: Message) -> bytes:
        if message["protocol"] != PROTOCOL_VERSION:
            self.greeted = False
            return self._reject(MsgType.HELLO, RejectReason.WRONG_VERSION) + self._info()
        self.greeted = True
        return self._info()

    def _setpoint(self, message: Message, now_ms: int) -> bytes:
        drive, steer = message["drive"], message["steer"]
        if any(abs(x) > MAX_DRIVE for x in drive) or any(abs(x) > MAX_STEER for x in steer):
            return self._reject(MsgType.SETPOINT, RejectReason.BAD_VALUE)
        self.powered = bool(message["flags"] & SetpointFlag.POWERED)
        self.steer_targets = list(steer)
        self.motors.set_targets(drive, steer, self.powered)
        self.answers = message["seq"]
        self.deadman = False
        self._deadline = now_ms + DEADMAN_MS
        return self._status(now_ms)

    def _inject(self, message: Message, now_ms: int) -> bytes:
        fault, wheel = message["fault"], message["wheel"]
        if fault not in FAULTS or (fault != BoardFault.CLEAR and wheel >= WHEELS):
            return self._reject(MsgType.INJECT, RejectReason.BAD_VALUE)
        self.motors.inject(BoardFault(fault), wheel)
        return self._status(now_ms)

    # --- time ------------------------------------------------------------------------------

    def _ensure_booted(self, now_ms: int) -> bytes:
        return b"" if self.booted else self.boot(now_ms)

    def _advance(self, now_ms: int) -> None:
        """Motors to `now_ms`, stopping the drive at the dead-man's very millisecond."""
        if self._deadline is not None and now_ms >= self._deadline:
            self._run_motors_to(self._deadline)
            self._deadline = None
            self.deadman = True
            self.motors.set_targets([0] * WHEELS, self.steer_targets, self.powered)
        self._run_motors_to(now_ms)

    def _run_motors_to(self, now_ms: int) -> None:
        if now_ms > self._motor_ms:
            self.motors.advance(now_ms - self._motor_ms)
            self._motor_ms = now_ms

    # --- frames out ------------------------------------------------------------------------

    def uptime_ms(self, now_ms: int) -> int:
        """Milliseconds since boot, as STATUS carries them (wrapping at 32 bits)."""
        return (now_ms - self._boot_ms) & 0xFFFF_FFFF

    def flags(self) -> StatusFlag:
        """STATUS.flags now."""
        flags = StatusFlag(0)
        if self.powered:
            flags |= StatusFlag.POWERED
        if self.deadman:
            flags |= StatusFlag.DEADMAN
        if self.motors.simulated:
            flags |= StatusFlag.SIMULATED
        if self.greeted:
            flags |= StatusFlag.GREETED
        return flags

    def _status(self, now_ms: int) -> bytes:
        r = self.motors.reading()
        return encode_frame(
            MsgType.STATUS,
            answers=self.answers,
            uptime_ms=self.uptime_ms(now_ms),
            flags=int(self.flags()),
            stalled=r.stalled,
            open_circuit=r.open_circuit,
            encoder_lost=r.encoder_lost,
            rx_errors=self.rx_errors & 0xFFFF,
            encoders=[_i32(x) for x in r.encoders],
            currents=[min(max(x, 0), 0xFFFF) for x in r.currents],
            steer=list(r.steer),
        )

    def _info(self) -> bytes:
        major, minor, patch = model.FIRMWARE_VERSION
        return encode_frame(
            MsgType.INFO,
            protocol=PROTOCOL_VERSION,
            board=int(self.kind),
            fw_major=major,
            fw_minor=minor,
            fw_patch=patch,
            wheels=WHEELS,
            corners=CORNERS,
            counts_per_rev=model.COUNTS_PER_REV,
            deadman_ms=DEADMAN_MS,
            max_drive=MAX_DRIVE,
            max_steer=MAX_STEER,
        )

    def _reject(self, kind: int, reason: RejectReason) -> bytes:
        """A REJECT for a well-formed message the board will not take (not a receive error)."""
        return encode_frame(MsgType.REJECT, type=kind, reason=reason)

    def _reject_frame(self, kind: int, reason: RejectReason) -> bytes:
        """A REJECT for a bad frame, counted in rx_errors."""
        self.rx_errors += 1
        return self._reject(kind, reason)
