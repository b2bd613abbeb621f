"""The board protocol: what the flight computer and a motor-and-sensor board say over USB serial.

Every message is one frame, exactly as on the ground link: 0x00, COBS(message), 0x00, where a
message is a type byte, a fixed-size payload for that type, and a CRC-16/CCITT-FALSE over both
(big-endian). Payloads are big-endian too. The layouts below are the single source: the codec,
docs/board-protocol.md and the C header the Arduino firmware is built with are derived from them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import Any

import construct as c

from fsw.packets.crc import crc16
from fsw.packets.framing import frame
from fsw.tables.enums import BoardKind  # noqa: F401  (re-exported: declared with the flight tables)

PROTOCOL_VERSION = 1
"""Raised whenever a layout or a meaning changes; both ends refuse to work across versions."""

WHEELS, CORNERS = 6, 4
CRC_SIZE = 2


class MsgType(IntEnum):
    """What a message is: 0x01-0x7F go from the flight computer to the board, 0x81-0xFF back."""

    HELLO = 0x01  # who are you? (the board answers INFO)
    SETPOINT = 0x02  # wheel rates and corner angles (answered by STATUS); feeds the dead-man
    HEARTBEAT = 0x03  # the flight computer is alive (answered by STATUS); motors untouched
    STREAM = 0x04  # send STATUS unasked every period (0: stop)
    INJECT = 0x05  # test only: make a wheel fault happen (or clear them all)
    INFO = 0x81  # protocol and firmware versions, board kind, limits; also sent at boot
    STATUS = 0x82  # encoders, currents, steering, faults, uptime
    REJECT = 0x83  # a message the board could not take, and why


class BoardFault(IntEnum):
    """Faults INJECT makes a board's simulated motors have (numbered as the flight FaultKind)."""

    CLEAR = 0  # remove every injected fault
    STALL = 1  # the wheel locks: stall current while commanded, no rotation
    OPEN_CIRCUIT = 2  # the motor draws nothing and drives nothing
    ENCODER_LOSS = 3  # the wheel turns, its encoder stops counting


class StatusFlag(IntFlag):
    """Bits of STATUS.flags."""

    POWERED = 0x01  # drive and steering motors powered (SETPOINT.flags POWERED)
    DEADMAN = 0x02  # motors stopped by the board: no SETPOINT for INFO.deadman_ms
    SIMULATED = 0x04  # no motor driver attached: motors, encoders and currents are simulated
    GREETED = 0x08  # a HELLO of this protocol version has been received since boot


class SetpointFlag(IntFlag):
    """Bits of SETPOINT.flags."""

    POWERED = 0x01  # off: every motor unpowered (the rover asleep)


class RejectReason(IntEnum):
    """Why the board refused a message (REJECT.reason)."""

    BAD_FRAME = 1  # the COBS encoding is broken
    BAD_CRC = 2  # the CRC does not match
    UNKNOWN_TYPE = 3  # no such message type (or one that only the board sends)
    BAD_LENGTH = 4  # the payload is not the size its type has
    BAD_VALUE = 5  # a field is out of its range (rate, angle, wheel, fault kind)
    WRONG_VERSION = 6  # a HELLO of another protocol version
    NOT_GREETED = 7  # a SETPOINT, STREAM or INJECT before a HELLO of this version


DRIVE_UNIT = 0.001  # rad/s per count of SETPOINT.drive (mrad/s)
ANGLE_UNIT = 0.001  # rad per count of SETPOINT.steer and STATUS.steer (mrad)
CURRENT_UNIT = 0.001  # A per count of STATUS.currents (mA)
MAX_DRIVE = 2000  # mrad/s: the largest wheel rate a SETPOINT may ask
MAX_STEER = 1571  # mrad: the largest corner angle either way (90 degrees)
DEADMAN_MS = 500  # the dead-man time every board in this project keeps
BOOT_INFO = True  # a board sends INFO unasked when it boots

_u8, _u16, _i16, _u32, _i32 = c.Int8ub, c.Int16ub, c.Int16sb, c.Int32ub, c.Int32sb

PAYLOADS: dict[MsgType, c.Struct] = {
    MsgType.HELLO: c.Struct("protocol" / _u8),
    MsgType.SETPOINT: c.Struct(
        "seq" / _u16,
        "flags" / _u8,
        "drive" / c.Array(WHEELS, _i16),
        "steer" / c.Array(CORNERS, _i16),
    ),
    MsgType.HEARTBEAT: c.Struct("count" / _u16),
    MsgType.STREAM: c.Struct("period_ms" / _u16),
    MsgType.INJECT: c.Struct("fault" / _u8, "wheel" / _u8),
    MsgType.INFO: c.Struct(
        "protocol" / _u8,
        "board" / _u8,
        "fw_major" / _u8,
        "fw_minor" / _u8,
        "fw_patch" / _u8,
        "wheels" / _u8,
        "corners" / _u8,
        "counts_per_rev" / _u16,
        "deadman_ms" / _u16,
        "max_drive" / _u16,
        "max_steer" / _u16,
    ),
    MsgType.STATUS: c.Struct(
        "answers" / _u16,
        "uptime_ms" / _u32,
        "flags" / _u8,
        "stalled" / _u8,
        "open_circuit" / _u8,
        "encoder_lost" / _u8,
        "rx_errors" / _u16,
        "encoders" / c.Array(WHEELS, _i32),
        "currents" / c.Array(WHEELS, _u16),
        "steer" / c.Array(CORNERS, _i16),
    ),
    MsgType.REJECT: c.Struct("type" / _u8, "reason" / _u8),
}
"""Every message's payload layout, in order, big-endian."""

FIELD_DOCS: dict[tuple[MsgType, str], str] = {
    (MsgType.HELLO, "protocol"): "PROTOCOL_VERSION of the flight computer",
    (MsgType.SETPOINT, "seq"): "counts up by one per SETPOINT (wraps); STATUS.answers echoes it",
    (MsgType.SETPOINT, "flags"): "SetpointFlag bits",
    (MsgType.SETPOINT, "drive"): "wheel rates LF LM LR RF RM RR, mrad/s, + rolls forward, "
    f"|x| <= {MAX_DRIVE}",
    (MsgType.SETPOINT, "steer"): "corner angles LF LR RF RR, mrad, + turns the wheel's front "
    f"left, |x| <= {MAX_STEER}",
    (MsgType.HEARTBEAT, "count"): "any number (the flight computer counts up)",
    (MsgType.STREAM, "period_ms"): "STATUS every this many ms unasked, as fast as the line "
    "allows when shorter than a frame; 0 stops",
    (MsgType.INJECT, "fault"): "BoardFault",
    (MsgType.INJECT, "wheel"): "wheel index 0-5 (LF LM LR RF RM RR); ignored by CLEAR",
    (MsgType.INFO, "protocol"): "PROTOCOL_VERSION of the board",
    (MsgType.INFO, "board"): "BoardKind",
    (MsgType.INFO, "fw_major"): "firmware version, major",
    (MsgType.INFO, "fw_minor"): "firmware version, minor",
    (MsgType.INFO, "fw_patch"): "firmware version, patch",
    (MsgType.INFO, "wheels"): f"drive motors ({WHEELS})",
    (MsgType.INFO, "corners"): f"steering motors ({CORNERS})",
    (MsgType.INFO, "counts_per_rev"): "encoder counts per wheel revolution",
    (MsgType.INFO, "deadman_ms"): "motors stop this long after the last SETPOINT",
    (MsgType.INFO, "max_drive"): "largest |drive| accepted, mrad/s",
    (MsgType.INFO, "max_steer"): "largest |steer| accepted, mrad",
    (MsgType.STATUS, "answers"): "seq of the last SETPOINT taken (0 before any)",
    (MsgType.STATUS, "uptime_ms"): "ms since the board booted (wraps after 49.7 days)",
    (MsgType.STATUS, "flags"): "StatusFlag bits",
    (MsgType.STATUS, "stalled"): "bit i: wheel i stalled (injected or detected)",
    (MsgType.STATUS, "open_circuit"): "bit i: wheel i motor open circuit",
    (MsgType.STATUS, "encoder_lost"): "bit i: wheel i encoder not counting",
    (MsgType.STATUS, "rx_errors"): "frames the board discarded since boot (wraps)",
    (MsgType.STATUS, "encoders"): "encoder counts per wheel since boot, + forward",
    (MsgType.STATUS, "currents"): "motor currents per wheel, mA",
    (MsgType.STATUS, "steer"): "measured corner angles LF LR RF RR, mrad",
    (MsgType.REJECT, "type"): "type byte of the refused message (0 when unreadable)",
    (MsgType.REJECT, "reason"): "RejectReason",
}
"""What each field means, for docs/board-protocol.md and the C header."""

_COMPILED = {t: s.compile() for t, s in PAYLOADS.items()}
SIZES: dict[MsgType, int] = {t: s.sizeof() for t, s in PAYLOADS.items()}
"""Payload size of each message type (bytes)."""

MAX_MESSAGE = 1 + max(SIZES.values()) + CRC_SIZE


class BoardProtocolError(ValueError):
    """A message that cannot be read or built; `reason` says which check failed."""

    def __init__(self, reason: RejectReason, text: str) -> None:
        super().__init__(text)
        self.reason = reason


class VersionMismatch(BoardProtocolError):
    """The board speaks another protocol version than this flight software."""

    def __init__(self, board: int, ours: int = PROTOCOL_VERSION) -> None:
        super().__init__(
            RejectReason.WRONG_VERSION,
            f"the board speaks board protocol version {board}, this flight software speaks "
            f"version {ours}: flash the firmware from hil/firmware (or update the flight "
            "software) so both speak the same version",
        )
        self.board, self.ours = board, ours


@dataclass(frozen=True, slots=True)
class Message:
    """One decoded message: its type and its fields by name."""

    type: MsgType
    fields: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]


def encode(kind: MsgType, **fields: Any) -> bytes:
    """The message bytes (type, payload, CRC) of `kind` with these fields; not yet framed."""
    kind = MsgType(kind)
    try:
        payload = _COMPILED[kind].build(fields)
    except (c.ConstructError, KeyError, TypeError, ValueError, struct.error) as err:
        raise BoardProtocolError(
            RejectReason.BAD_VALUE, f"{kind.name}: cannot build from {fields!r}: {err}"
        ) from None
    body = bytes((kind,)) + payload
    return body + crc16(body).to_bytes(CRC_SIZE, "big")


def encode_frame(kind: MsgType, **fields: Any) -> bytes:
    """The frame (delimiters and COBS included) that carries one message."""
    return frame(encode(kind, **fields))


def decode(message: bytes) -> Message:
    """The message in `message` (type, payload, CRC; unframed), checked."""
    if len(message) < 1 + CRC_SIZE:
        raise BoardProtocolError(
            RejectReason.BAD_LENGTH, f"a message of {len(message)} bytes is too short to hold one"
        )
    if crc16(message) != 0:
        raise BoardProtocolError(RejectReason.BAD_CRC, "the message's CRC does not match")
    try:
        kind = MsgType(message[0])
    except ValueError:
        raise BoardProtocolError(
            RejectReason.UNKNOWN_TYPE, f"unknown message type 0x{message[0]:02X}"
        ) from None
    payload = message[1:-CRC_SIZE]
    if len(payload) != SIZES[kind]:
        raise BoardProtocolError(
            RejectReason.BAD_LENGTH,
            f"{kind.name} carries {SIZES[kind]} payload bytes, this one {len(payload)}",
        )
    parsed = _COMPILED[kind].parse(payload)
    fields = {k: (list(v) if isinstance(v, list) else v) for k, v in parsed.items() if k != "_io"}
    return Message(kind, fields)


def check_info(info: Message) -> None:
    """Raise VersionMismatch unless the board speaks our protocol version."""
    if info["protocol"] != PROTOCOL_VERSION:
        raise VersionMismatch(info["protocol"])


def frame_size(kind: MsgType) -> int:
    """Bytes one message of `kind` takes on the wire, both delimiters included (COBS adds one
    byte per 254 at most: one here)."""
    return 1 + (1 + SIZES[kind] + CRC_SIZE) + 1 + 1
