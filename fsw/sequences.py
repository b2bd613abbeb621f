"""Stored command sequences: the image SEQ_LOAD carries, and the checks a load must pass.

Modelled on cFS Stored Command: a sequence is a table of commands, each with its timing, loaded
whole, checked whole, then run by the sequencer (fsw.sequencer) in or out of contact. The image is
the steps back to back; the slot and the CRC-32 of the image are SEQ_LOAD's arguments:

    step := timing u8 | time u32 | command packet (whole, CRC included; its size from its own
                                                   CCSDS length field, so no length byte)

    AFTER  `time` milliseconds after the previous step FINISHED (completed: a DRIVE when it
           arrives), or after SEQ_START for the first step; after RESUME if paused meanwhile.
    AT     at mission time `time` (whole seconds since the epoch), and never before the
           previous step finished (then at once: the plan is running late).

The command packets are exactly what the ground would uplink for each command (bare: the
SEQ_LOAD that carries them was authenticated). Per step the image costs 5 bytes plus the
command: a DRIVE step is 26 bytes, under 2 s at 125 bit/s. Pure: bytes in, steps or a LoadError
naming the step at fault out.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from fsw.packets import ccsds
from fsw.packets.catalog import Catalog
from fsw.packets.integrity import MIN_PACKET_SIZE
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.schema import CommandDef
from fsw.tables.enums import NO_ARGUMENT

SLOTS = 4
"""Sequence slots, numbered 1 to SLOTS."""
MAX_IMAGE = 960
"""Bytes of image one SEQ_LOAD carries: with its headers (14) and the uplink's authentication
envelope (34) the packet stays within the 1024-byte maximum. 36 DRIVE steps."""
STEP_HEAD = struct.Struct(">BI")
"""Timing and time, before each step's command packet."""
MAX_TIME = 0xFFFFFFFF
"""The largest `time` a step carries (ms for AFTER: 49.7 days; s for AT)."""


class Timing(IntEnum):
    """How a step's `time` is read."""

    AFTER = 0  # milliseconds after the previous step finished
    AT = 1  # mission time, whole seconds since the epoch


@dataclass(frozen=True, slots=True)
class Step:
    """One step: its timing and the command packet it runs."""

    timing: Timing
    time: int
    packet: bytes

    @property
    def delay(self) -> float:
        """Seconds after the previous step finished (AFTER steps; 0 for AT)."""
        return self.time / 1000.0 if self.timing is Timing.AFTER else 0.0

    @property
    def command(self) -> int:
        """The step's command as APID << 8 | code (the CommandCode enum)."""
        apid = ccsds.apid_of(self.packet)
        return apid << 8 | self.packet[6]


class LoadError(Exception):
    """Why a sequence image cannot be loaded: SEQ_LOAD's rejection reason, the step at fault
    (1-based; 0 for the whole image), and for BAD_STEP why its command is not valid."""

    def __init__(
        self,
        reason: Reason,
        message: str,
        step: int = 0,
        detail: Reason = Reason.OK,
        arg_index: int = NO_ARGUMENT,
    ) -> None:
        super().__init__(message)
        self.reason, self.message, self.step = reason, message, step
        self.detail, self.arg_index = detail, arg_index


def crc32(image: bytes) -> int:
    """The CRC-32 (ISO-HDLC, as zlib computes it) the ground declares for an image."""
    return zlib.crc32(image) & 0xFFFFFFFF


def encode(steps: Iterable[Step]) -> bytes:
    """The image of `steps` (each time must fit in u32)."""
    out = bytearray()
    for step in steps:
        if not 0 <= step.time <= MAX_TIME:
            raise ValueError(f"step time {step.time} does not fit in u32")
        out += STEP_HEAD.pack(step.timing, step.time) + step.packet
    return bytes(out)


def split(image: bytes) -> tuple[Step, ...]:
    """The steps of an image, or a LoadError (BAD_SEQUENCE) naming the step cut short."""
    steps: list[Step] = []
    pos, n = 0, len(image)
    while pos < n:
        number = len(steps) + 1
        if n - pos < STEP_HEAD.size + MIN_PACKET_SIZE:
            raise LoadError(
                Reason.BAD_SEQUENCE,
                f"step {number}: {n - pos} bytes left, too few for a step "
                f"({STEP_HEAD.size + MIN_PACKET_SIZE} at least)",
                number,
            )
        timing, time = STEP_HEAD.unpack_from(image, pos)
        if timing not in Timing._value2member_map_:
            raise LoadError(
                Reason.BAD_SEQUENCE,
                f"step {number}: timing {timing} is neither AFTER nor AT",
                number,
            )
        start = pos + STEP_HEAD.size
        size = ccsds.length_of(image, start)
        if start + size > n:
            raise LoadError(
                Reason.BAD_SEQUENCE,
                f"step {number}: its command says {size} bytes, the image holds {n - start}",
                number,
            )
        steps.append(Step(Timing(timing), time, bytes(image[start : start + size])))
        pos = start + size
    if not steps:
        raise LoadError(Reason.BAD_SEQUENCE, "the sequence has no steps")
    return tuple(steps)


def check_command(catalog: Catalog, step: Step, number: int) -> CommandDef:
    """The step's command definition, or a LoadError (BAD_STEP) with why its packet is not a
    valid command: it does not decode, or an argument is out of its range."""
    try:
        decoded = catalog.decode(step.packet)
    except PacketError as err:
        raise LoadError(
            Reason.BAD_STEP, f"step {number}: {err.message}", number, err.reason
        ) from None
    definition = decoded.definition
    if not isinstance(definition, CommandDef):
        raise LoadError(
            Reason.BAD_STEP,
            f"step {number}: {definition.name} is telemetry, not a command",
            number,
            Reason.BAD_HEADER,
        )
    try:
        definition.check_values(decoded.values)
    except PacketError as err:
        index = NO_ARGUMENT if err.arg_index is None else err.arg_index
        raise LoadError(
            Reason.BAD_STEP, f"step {number}: {err.message}", number, err.reason, index
        ) from None
    return definition


def check_times(steps: tuple[Step, ...], now: float) -> None:
    """A LoadError unless every AT step is at or after `now` and after the AT steps before it."""
    previous: int | None = None
    for number, step in enumerate(steps, 1):
        if step.timing is not Timing.AT:
            continue
        if step.time < now:
            raise LoadError(
                Reason.TIME_IN_PAST,
                f"step {number}: mission time {step.time} s is {now - step.time:.1f} s in the past",
                number,
            )
        if previous is not None and step.time < previous:
            raise LoadError(
                Reason.TIME_ORDER,
                f"step {number}: mission time {step.time} s is before the previous AT step's "
                f"{previous} s",
                number,
            )
        previous = step.time


def check(catalog: Catalog, image: bytes, crc: int, now: float) -> tuple[Step, ...]:
    """The steps of an image that passes every load check, in this order: the CRC-32, the
    steps' framing, each step's command, the absolute times. Else the first LoadError."""
    actual = crc32(image)
    if actual != crc:
        raise LoadError(
            Reason.SEQUENCE_CRC,
            f"CRC-32 of the image is 0x{actual:08X}, the load declares 0x{crc:08X}",
        )
    steps = split(image)
    for number, step in enumerate(steps, 1):
        check_command(catalog, step, number)
    check_times(steps, now)
    return steps
