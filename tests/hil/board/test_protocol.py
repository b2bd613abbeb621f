"""The board protocol's codec: round trips of every message, golden bytes worked out without
construct (struct, binascii's CRC, cobs), and every decode error with its reason."""

import binascii
import struct

import construct as c
import pytest
from cobs import cobs
from hypothesis import given
from hypothesis import strategies as st

from hil.board.protocol import (
    MAX_MESSAGE,
    PAYLOADS,
    PROTOCOL_VERSION,
    SIZES,
    BoardKind,
    BoardProtocolError,
    Message,
    MsgType,
    RejectReason,
    VersionMismatch,
    check_info,
    decode,
    encode,
    encode_frame,
    frame_size,
)

# Each payload as a struct format, typed in here from the behaviour spec, not from construct.
STRUCT_FORMATS = {
    MsgType.HELLO: ">B",
    MsgType.SETPOINT: ">HB6h4h",
    MsgType.HEARTBEAT: ">H",
    MsgType.STREAM: ">H",
    MsgType.INJECT: ">BB",
    MsgType.INFO: ">7B4H",
    MsgType.STATUS: ">HIBBBBH6i6H4h",
    MsgType.REJECT: ">BB",
}


def crc_ccitt_false(data: bytes) -> int:
    return binascii.crc_hqx(data, 0xFFFF)


def golden_message(kind: MsgType, *values: int) -> bytes:
    body = bytes([kind]) + struct.pack(STRUCT_FORMATS[kind], *values)
    return body + crc_ccitt_false(body).to_bytes(2, "big")


def golden_frame(kind: MsgType, *values: int) -> bytes:
    return b"\x00" + cobs.encode(golden_message(kind, *values)) + b"\x00"


def integers(field: c.FormatField) -> st.SearchStrategy[int]:
    bits = 8 * field.sizeof()
    if field.fmtstr[-1].islower():  # b h l q: signed
        return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    return st.integers(0, 2**bits - 1)


def field_values(sub: c.Renamed) -> st.SearchStrategy:
    inner = sub.subcon
    if isinstance(inner, c.Array):
        return st.lists(integers(inner.subcon), min_size=inner.count, max_size=inner.count)
    return integers(inner)


def messages_of(kind: MsgType) -> st.SearchStrategy[dict]:
    subcons = PAYLOADS[kind].subcons
    return st.tuples(*(field_values(sub) for sub in subcons)).map(
        lambda values: {sub.name: v for sub, v in zip(subcons, values, strict=True)}
    )


def flat(fields: dict) -> list[int]:
    """The field values in layout order, arrays spread out (as struct.pack takes them)."""
    return [v for value in fields.values() for v in (value if isinstance(value, list) else [value])]


any_message = st.sampled_from(list(MsgType)).flatmap(
    lambda kind: messages_of(kind).map(lambda fields: (kind, fields))
)


def test_the_independent_crc_is_ccitt_false():
    assert crc_ccitt_false(b"123456789") == 0x29B1


@given(any_message)
def test_every_message_round_trips(case):
    kind, fields = case
    message = encode(kind, **fields)
    assert len(message) == 1 + SIZES[kind] + 2 <= MAX_MESSAGE
    decoded = decode(message)
    assert decoded == Message(kind, fields)
    assert encode(decoded.type, **decoded.fields) == message
    frame = encode_frame(kind, **fields)
    assert len(frame) == frame_size(kind)
    assert frame[0] == frame[-1] == 0 and 0 not in frame[1:-1]
    assert cobs.decode(frame[1:-1]) == message


@given(any_message)
def test_every_message_matches_struct_and_binascii(case):
    kind, fields = case
    assert encode_frame(kind, **fields) == golden_frame(kind, *flat(fields))


def test_golden_hello():
    assert encode_frame(MsgType.HELLO, protocol=1) == bytes.fromhex("00 05 01 01 3E 1F 00")
    assert encode_frame(MsgType.HELLO, protocol=1) == golden_frame(MsgType.HELLO, 1)


def test_golden_setpoint():
    drive, steer = [600, -600, 0, 2000, -2000, 1], [100, 0, -100, 1571]
    frame = encode_frame(MsgType.SETPOINT, seq=0x1234, flags=1, drive=drive, steer=steer)
    assert frame == golden_frame(MsgType.SETPOINT, 0x1234, 1, *drive, *steer)
    message = cobs.decode(frame[1:-1])
    assert message[:4] == bytes([0x02, 0x12, 0x34, 0x01])
    assert message[4:6] == bytes([0x02, 0x58])  # 600 big-endian
    assert message[6:8] == bytes([0xFD, 0xA8])  # -600 in two's complement


def test_golden_status():
    fields = {
        "answers": 7,
        "uptime_ms": 0x01020304,
        "flags": 0x0D,
        "stalled": 0b000100,
        "open_circuit": 0,
        "encoder_lost": 0b100000,
        "rx_errors": 3,
        "encoders": [127, -127, 0, 1 << 20, -(1 << 31), (1 << 31) - 1],
        "currents": [673, 673, 2800, 0, 673, 65535],
        "steer": [100, 0, -100, 0],
    }
    frame = encode_frame(MsgType.STATUS, **fields)
    assert frame == golden_frame(MsgType.STATUS, *flat(fields))
    assert len(frame) == 62
    assert cobs.decode(frame[1:-1])[3:7] == bytes([1, 2, 3, 4])  # uptime: bytes 3-6


def test_golden_info_and_reject():
    info = dict(protocol=1, board=BoardKind.RASPBERRY_PI, fw_major=1, fw_minor=2, fw_patch=3)
    info |= dict(wheels=6, corners=4, counts_per_rev=4096, deadman_ms=500)
    info |= dict(max_drive=2000, max_steer=1571)
    assert encode_frame(MsgType.INFO, **info) == golden_frame(MsgType.INFO, *info.values())
    reject = encode_frame(MsgType.REJECT, type=0x02, reason=RejectReason.BAD_VALUE)
    assert reject == golden_frame(MsgType.REJECT, 2, 5)


def raises(message: bytes) -> BoardProtocolError:
    with pytest.raises(BoardProtocolError) as caught:
        decode(message)
    return caught.value


def test_a_message_too_short_to_hold_one():
    err = raises(b"\x01\x01")
    assert err.reason is RejectReason.BAD_LENGTH
    assert "2 bytes is too short" in str(err)


def test_a_corrupted_byte_fails_the_crc():
    message = bytearray(encode(MsgType.HEARTBEAT, count=5))
    message[2] ^= 0x10
    err = raises(bytes(message))
    assert err.reason is RejectReason.BAD_CRC


def test_an_unknown_type_with_a_good_crc():
    body = bytes([0x7E, 1, 2])
    err = raises(body + crc_ccitt_false(body).to_bytes(2, "big"))
    assert err.reason is RejectReason.UNKNOWN_TYPE
    assert "0x7E" in str(err)


def test_a_payload_of_the_wrong_size():
    body = bytes([MsgType.HELLO, 1, 2])  # HELLO carries one byte, this one two
    err = raises(body + crc_ccitt_false(body).to_bytes(2, "big"))
    assert err.reason is RejectReason.BAD_LENGTH
    assert str(err) == "HELLO carries 1 payload bytes, this one 2"


def test_a_message_missing_a_field_cannot_be_built():
    with pytest.raises(BoardProtocolError) as caught:
        encode(MsgType.SETPOINT, seq=1, flags=1, drive=[0] * 6)
    assert caught.value.reason is RejectReason.BAD_VALUE
    assert "SETPOINT: cannot build" in str(caught.value)


def test_a_value_out_of_its_field_cannot_be_built():
    with pytest.raises(BoardProtocolError) as caught:
        encode(MsgType.SETPOINT, seq=1, flags=1, drive=[40000] * 6, steer=[0] * 4)
    assert caught.value.reason is RejectReason.BAD_VALUE


def test_a_version_mismatch_names_both_versions():
    other = PROTOCOL_VERSION + 1
    fields = {sub.name: 0 for sub in PAYLOADS[MsgType.INFO].subcons}
    info = decode(encode(MsgType.INFO, **{**fields, "protocol": other}))
    with pytest.raises(VersionMismatch) as caught:
        check_info(info)
    text = str(caught.value)
    assert f"version {other}" in text and f"version {PROTOCOL_VERSION}" in text
    assert caught.value.reason is RejectReason.WRONG_VERSION
    assert (caught.value.board, caught.value.ours) == (other, PROTOCOL_VERSION)
    check_info(decode(encode(MsgType.INFO, **{**fields, "protocol": PROTOCOL_VERSION})))
