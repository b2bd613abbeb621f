"""The board link's frame splitter: noise, split frames, overlong runs and resynchronisation."""

from hypothesis import given
from hypothesis import strategies as st

from hil.board.protocol import MsgType, RejectReason, decode, encode, encode_frame
from hil.board.stream import MAX_FRAME, MessageStream

HELLO = encode_frame(MsgType.HELLO, protocol=1)
BEAT = encode_frame(MsgType.HEARTBEAT, count=0x0102)
SETPOINT_FIELDS = {"seq": 9, "flags": 1, "drive": [600] * 6, "steer": [0, 5, 0, 0]}
SETPOINT = encode_frame(MsgType.SETPOINT, **SETPOINT_FIELDS)
FRAMES = [HELLO, BEAT, SETPOINT]


def test_frames_back_to_back_all_arrive_and_count():
    stream = MessageStream()
    fed = stream.feed(b"".join(FRAMES))
    assert [m.type for m in fed.messages] == [MsgType.HELLO, MsgType.HEARTBEAT, MsgType.SETPOINT]
    assert fed.messages[2]["steer"] == [0, 5, 0, 0]
    assert fed.discarded == []
    assert stream.frames == 3


def test_empty_frames_are_ignored_silently():
    stream = MessageStream()
    fed = stream.feed(b"\x00" * 20 + HELLO + b"\x00" * 5)
    assert len(fed.messages) == 1
    assert fed.discarded == []
    assert sum(stream.discarded.values()) == 0


@given(st.lists(st.integers(0, 255), max_size=40).map(bytes))
def test_a_frame_split_anywhere_arrives_whole(cuts):
    data = b"".join(FRAMES)
    points = sorted({c % (len(data) + 1) for c in cuts})
    stream, got = MessageStream(), []
    for start, end in zip([0, *points], [*points, len(data)], strict=True):
        got += stream.feed(data[start:end]).messages
    assert [m.type for m in got] == [MsgType.HELLO, MsgType.HEARTBEAT, MsgType.SETPOINT]


def test_byte_by_byte():
    stream = MessageStream()
    got = [m for b in SETPOINT for m in stream.feed(bytes([b])).messages]
    assert [m["seq"] for m in got] == [9]


@given(st.binary(max_size=300))
def test_a_frame_after_any_noise_arrives(noise):
    stream = MessageStream()
    fed = stream.feed(noise + SETPOINT)
    assert fed.messages and fed.messages[-1] == decode(encode(MsgType.SETPOINT, **SETPOINT_FIELDS))


def test_noise_is_discarded_with_a_reason():
    stream = MessageStream()
    fed = stream.feed(b"\x07\x11\x22\x33" + HELLO)  # garbage, then the HELLO's leading 0x00
    assert [m.type for m in fed.messages] == [MsgType.HELLO]
    assert len(fed.discarded) == 1
    assert fed.discarded[0].reason in (RejectReason.BAD_FRAME, RejectReason.BAD_CRC)
    assert fed.discarded[0].type == 0


def test_a_corrupted_frame_is_a_crc_error_and_the_next_one_is_fine():
    bad = bytearray(SETPOINT)
    bad[10] ^= 0x01 if bad[10] != 0x01 else 0x02  # never make a 0x00 inside
    stream = MessageStream()
    fed = stream.feed(bytes(bad) + BEAT)
    assert [d.reason for d in fed.discarded] == [RejectReason.BAD_CRC]
    assert [m["count"] for m in fed.messages] == [0x0102]
    assert stream.discarded[RejectReason.BAD_CRC] == 1


def test_a_frame_cut_short_resyncs_at_the_next_frame():
    stream = MessageStream()
    fed = stream.feed(SETPOINT[:12] + HELLO)  # the cable pulled mid-frame, then plugged again
    assert len(fed.discarded) == 1
    assert [m.type for m in fed.messages] == [MsgType.HELLO]


def test_an_overlong_run_is_one_discard_and_holds_no_memory():
    stream = MessageStream()
    fed = stream.feed(b"\x01" * (MAX_FRAME + 1))
    for _ in range(100):  # a babbling line: megabytes without a delimiter
        fed.discarded += stream.feed(b"\x55" * 10_000).discarded
    fed2 = stream.feed(HELLO)
    assert [(d.reason, d.type) for d in fed.discarded + fed2.discarded] == [
        (RejectReason.BAD_LENGTH, 0)
    ]
    assert [m.type for m in fed2.messages] == [MsgType.HELLO]


def test_a_frame_of_exactly_the_longest_size_is_kept():
    status = encode_frame(
        MsgType.STATUS,
        answers=1,
        uptime_ms=2,
        flags=3,
        stalled=4,
        open_circuit=5,
        encoder_lost=6,
        rx_errors=7,
        encoders=[1] * 6,
        currents=[2] * 6,
        steer=[3] * 4,
    )
    assert len(status) - 2 <= MAX_FRAME
    stream = MessageStream()
    assert [m["rx_errors"] for m in stream.feed(status).messages] == [7]


def test_reset_forgets_a_partial_frame():
    stream = MessageStream()
    stream.feed(SETPOINT[:15])
    stream.reset()
    fed = stream.feed(SETPOINT[15:] + HELLO)  # the tail alone is not taken for a frame of its own
    assert [m.type for m in fed.messages] == [MsgType.HELLO]
