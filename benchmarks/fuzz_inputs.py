"""Inputs for the fuzzing campaign (benchmarks/fuzz.py): a fast mutator seeded from a corpus of
valid inputs, for volume, and hypothesis strategies that build near-valid packets and messages
(valid ones with one field changed, cut short or run long, the CRC fixed up after the change).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from hypothesis import strategies as st

from fsw.packets import ccsds
from fsw.packets.crc import append_crc
from fsw.packets.framing import frame
from hil.board.protocol import MAX_DRIVE, MAX_STEER, SIZES, MsgType, encode

INTERESTING = (0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF)
"""Byte values that sit on boundaries: the delimiter, sign bits, all ones."""

Mutation = Callable[[bytearray, random.Random, Sequence[bytes]], None]


def _flip(b: bytearray, rng: random.Random, _: Sequence[bytes]) -> None:
    if b:
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)


def _set_byte(b: bytearray, rng: random.Random, _: Sequence[bytes]) -> None:
    if b:
        b[rng.randrange(len(b))] = (
            rng.choice(INTERESTING) if rng.random() < 0.5 else rng.randrange(256)
        )


def _insert(b: bytearray, rng: random.Random, _: Sequence[bytes]) -> None:
    at = rng.randrange(len(b) + 1)
    b[at:at] = rng.randbytes(rng.choice((1, 1, 2, 4, 16)))


def _delete(b: bytearray, rng: random.Random, _: Sequence[bytes]) -> None:
    if b:
        at = rng.randrange(len(b))
        del b[at : at + rng.choice((1, 1, 2, 4, 16))]


def _duplicate(b: bytearray, rng: random.Random, _: Sequence[bytes]) -> None:
    if b:
        at = rng.randrange(len(b))
        piece = b[at : at + rng.randint(1, 32)]
        to = rng.randrange(len(b) + 1)
        b[to:to] = piece * rng.choice((1, 1, 2, 64))


def _splice(b: bytearray, rng: random.Random, corpus: Sequence[bytes]) -> None:
    other = rng.choice(corpus)
    cut, cut_other = rng.randrange(len(b) + 1), rng.randrange(len(other) + 1)
    b[cut:] = other[cut_other:]


def _delimiter(b: bytearray, rng: random.Random, _: Sequence[bytes]) -> None:
    at = rng.randrange(len(b) + 1)
    b[at:at] = b"\x00"


def _truncate(b: bytearray, rng: random.Random, _: Sequence[bytes]) -> None:
    del b[rng.randrange(len(b) + 1) :]


def _extend(b: bytearray, rng: random.Random, _: Sequence[bytes]) -> None:
    b += rng.randbytes(rng.choice((1, 2, 8, 64, 300, 1500)))


MUTATIONS: tuple[Mutation, ...] = (
    _flip, _flip, _set_byte, _set_byte, _insert, _delete, _duplicate, _splice, _delimiter,
    _truncate, _extend,
)  # fmt: skip
"""The mutator's operations (bit flips and byte sets drawn twice as often as the rest)."""


def mutate(seed: bytes, rng: random.Random, corpus: Sequence[bytes]) -> bytes:
    """`seed` with one to four random mutations applied."""
    b = bytearray(seed)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        rng.choice(MUTATIONS)(b, rng, corpus)
    return bytes(b)


def fix_packet(packet: bytes, fix_length: bool = True) -> bytes:
    """`packet` (its old CRC dropped) with the length field made true (if asked) and a new CRC,
    so that a receiver gets past the CRC and judges what is inside."""
    body = bytearray(packet[:-2] if len(packet) >= 2 else packet)
    if fix_length and len(body) >= ccsds.HEADER_SIZE:
        length = len(body) + 2 - 7
        if 0 <= length <= 0xFFFF:
            body[4:6] = length.to_bytes(2, "big")
    return append_crc(bytes(body))


def fix_message(message: bytes) -> bytes:
    """A board message (its old CRC dropped) with a new CRC."""
    return append_crc(message[:-2] if len(message) >= 2 else message)


# ---- hypothesis strategies: near-valid inputs ----------------------------------------------


@st.composite
def near_valid_packet(draw: st.DrawFn, corpus: Sequence[bytes]) -> bytes:
    """A valid command packet with one thing about it wrong: a header field, the code, an
    argument's bytes, its length; the CRC (and usually the length field) fixed up after."""
    packet = bytearray(draw(st.sampled_from(corpus)))
    change = draw(st.sampled_from(("apid", "code", "arg", "header", "short", "long", "none")))
    if change == "apid":
        apid = draw(st.integers(0, ccsds.APID_MASK))
        packet[0] = (packet[0] & 0xF8) | (apid >> 8)
        packet[1] = apid & 0xFF
    elif change == "code" and len(packet) > 6:
        packet[6] = draw(st.integers(0, 255))
    elif change == "arg" and len(packet) > 9:
        at = draw(st.integers(7, len(packet) - 3))
        size = draw(st.sampled_from((1, 2, 4, 8)))
        packet[at : at + size] = draw(st.binary(min_size=size, max_size=size))
    elif change == "header":
        at = draw(st.integers(0, 5))
        packet[at] = draw(st.integers(0, 255))
    elif change == "short":
        del packet[draw(st.integers(0, len(packet) - 1)) : -2]
    elif change == "long":
        packet[-2:-2] = draw(st.binary(min_size=1, max_size=64))
    return fix_packet(bytes(packet), fix_length=draw(st.booleans()) or change == "long")


@st.composite
def near_valid_stream(draw: st.DrawFn, corpus: Sequence[bytes]) -> bytes:
    """One to four frames of valid packets with framing damage: a frame cut short, a delimiter
    lost or doubled, a byte of the COBS encoding changed, noise between frames."""
    frames = [
        bytearray(frame(p)) for p in draw(st.lists(st.sampled_from(corpus), min_size=1, max_size=4))
    ]
    for f in frames:
        damage = draw(st.sampled_from(("none", "cut", "lose_end", "byte", "noise", "double")))
        if damage == "cut":
            del f[draw(st.integers(1, len(f) - 1)) :]
        elif damage == "lose_end":
            del f[-1]
        elif damage == "byte":
            f[draw(st.integers(1, len(f) - 2))] = draw(st.integers(0, 255))
        elif damage == "noise":
            f[0:0] = draw(st.binary(min_size=1, max_size=32))
        elif damage == "double":
            f.append(0)
    return b"".join(frames)


_FIELD_VALUES = st.one_of(
    st.integers(-MAX_DRIVE - 2, MAX_DRIVE + 2),
    st.sampled_from((MAX_DRIVE, MAX_DRIVE + 1, -MAX_DRIVE - 1, MAX_STEER, MAX_STEER + 1)),
)


@st.composite
def near_valid_board_message(draw: st.DrawFn) -> bytes:
    """A board frame: a host-to-board message with fields at and past their limits, or with its
    type, length or CRC wrong (the CRC fixed up unless the CRC itself is the fault)."""
    kind = draw(st.sampled_from((MsgType.HELLO, MsgType.SETPOINT, MsgType.HEARTBEAT,
                                 MsgType.STREAM, MsgType.INJECT)))  # fmt: skip
    if kind == MsgType.SETPOINT:
        drive = draw(st.lists(_FIELD_VALUES, min_size=6, max_size=6))
        steer = draw(st.lists(_FIELD_VALUES, min_size=4, max_size=4))
        fields = {"seq": draw(st.integers(0, 0xFFFF)), "flags": draw(st.integers(0, 255)),
                  "drive": drive, "steer": steer}  # fmt: skip
    elif kind == MsgType.INJECT:
        fields = {"fault": draw(st.integers(0, 255)), "wheel": draw(st.integers(0, 255))}
    elif kind == MsgType.HELLO:
        fields = {"protocol": draw(st.integers(0, 255))}
    elif kind == MsgType.HEARTBEAT:
        fields = {"count": draw(st.integers(0, 0xFFFF))}
    else:
        fields = {"period_ms": draw(st.sampled_from((0, 1, 2, 10, 1000, 0xFFFF)))}
    message = bytearray(encode(kind, **fields))
    change = draw(st.sampled_from(("none", "type", "short", "long", "crc")))
    if change == "type":
        message[0] = draw(st.integers(0, 255))
    elif change == "short":
        del message[draw(st.integers(0, SIZES[kind])) : -2]
    elif change == "long":
        message[-2:-2] = draw(st.binary(min_size=1, max_size=40))
    if change != "crc":
        message = bytearray(fix_message(bytes(message)))
    else:
        message[-1] ^= draw(st.integers(1, 255))
    return frame(bytes(message))
