"""The board side of the protocol, on a fake clock: every item of the board behaviour."""

import binascii

import pytest
from cobs import cobs

from hil.board.endpoint import STATUS_FRAME, BoardEndpoint
from hil.board.model import COUNTS_PER_REV, FIRMWARE_VERSION, RUN_CURRENT, STALL_CURRENT
from hil.board.protocol import (
    DEADMAN_MS,
    MAX_DRIVE,
    MAX_STEER,
    PROTOCOL_VERSION,
    BoardFault,
    BoardKind,
    Message,
    MsgType,
    RejectReason,
    StatusFlag,
    encode,
    encode_frame,
)
from hil.board.stream import MessageStream

T0 = 10_000  # the board boots at this time of the fake clock (ms)


def read(out: bytes) -> list[Message]:
    stream = MessageStream()
    fed = stream.feed(out)
    assert fed.discarded == [], "a board must only send good frames"
    return fed.messages


class Board:
    """A BoardEndpoint and a fake clock."""

    def __init__(self, kind: BoardKind = BoardKind.RASPBERRY_PI) -> None:
        self.endpoint = BoardEndpoint(kind)
        self.now = T0
        self.boot_info = read(self.endpoint.boot(T0))

    def send(self, data: bytes, at: int | None = None) -> list[Message]:
        self.now = self.now if at is None else at
        return read(self.endpoint.receive(data, self.now))

    def ask(self, kind: MsgType, at: int | None = None, **fields) -> list[Message]:
        return self.send(encode_frame(kind, **fields), at)

    def hello(self, version: int = PROTOCOL_VERSION, at: int | None = None) -> list[Message]:
        return self.ask(MsgType.HELLO, at, protocol=version)

    def setpoint(self, seq=1, drive=600, steer=(0, 0, 0, 0), flags=1, at=None) -> list[Message]:
        drive = [drive] * 6 if isinstance(drive, int) else list(drive)
        return self.ask(MsgType.SETPOINT, at, seq=seq, flags=flags, drive=drive, steer=list(steer))

    def status(self, at: int | None = None) -> Message:
        (status,) = self.ask(MsgType.HEARTBEAT, at, count=0)
        assert status.type is MsgType.STATUS
        return status

    def tick(self, at: int, tx_room: int | None = None) -> list[Message]:
        self.now = at
        return read(self.endpoint.tick(at, tx_room))


@pytest.fixture
def board() -> Board:
    return Board()


@pytest.fixture
def greeted() -> Board:
    board = Board()
    board.hello()
    return board


def rejected(messages: list[Message]) -> list[tuple[int, RejectReason]]:
    assert all(m.type is MsgType.REJECT for m in messages), messages
    return [(m["type"], RejectReason(m["reason"])) for m in messages]


# --- 1. boot --------------------------------------------------------------------------------


def test_boot_sends_one_info_and_starts_at_rest(board):
    (info,) = board.boot_info
    assert info.type is MsgType.INFO
    assert info["board"] == BoardKind.RASPBERRY_PI
    status = board.status(at=T0 + 1234)
    assert status["uptime_ms"] == 1234
    assert status["flags"] == StatusFlag.POWERED | StatusFlag.SIMULATED  # not greeted, no DEADMAN
    assert status["encoders"] == [0] * 6 and status["currents"] == [0] * 6
    assert status["steer"] == [0] * 4
    assert (status["stalled"], status["open_circuit"], status["encoder_lost"]) == (0, 0, 0)
    assert (status["answers"], status["rx_errors"]) == (0, 0)


def test_an_endpoint_used_without_boot_boots_on_first_use():
    endpoint = BoardEndpoint(BoardKind.ARDUINO_UNO)
    out = read(endpoint.receive(encode_frame(MsgType.HEARTBEAT, count=1), 500))
    assert [m.type for m in out] == [MsgType.INFO, MsgType.STATUS]
    assert out[1]["uptime_ms"] == 0


# --- 2. bad frames --------------------------------------------------------------------------


def with_crc(body: bytes) -> bytes:
    """A frame of `body` with a good CRC, whatever the body is."""
    return b"\x00" + cobs.encode(body + binascii.crc_hqx(body, 0xFFFF).to_bytes(2, "big")) + b"\0"


def test_every_kind_of_bad_frame_is_rejected_and_counted(board):
    hello = bytearray(encode(MsgType.HELLO, protocol=1))
    hello[-1] ^= 0xFF
    cases = [
        (b"\x00\x05\x01\x00", (0, RejectReason.BAD_FRAME)),  # COBS code runs past the frame
        (b"\x00" + cobs.encode(bytes(hello)) + b"\x00", (0, RejectReason.BAD_CRC)),
        (with_crc(b"\x7e\x01"), (0x7E, RejectReason.UNKNOWN_TYPE)),
        (
            encode_frame(MsgType.STATUS, **board.status().fields),
            (0x82, RejectReason.UNKNOWN_TYPE),
        ),
        (with_crc(b"\x81\x01"), (0x81, RejectReason.UNKNOWN_TYPE)),  # host-bound, wrong size too
        (with_crc(b"\x01\x01\x02"), (0x01, RejectReason.BAD_LENGTH)),
        (b"\x00" + b"\x01" * 200 + b"\x00", (0, RejectReason.BAD_LENGTH)),  # longer than any
    ]
    for n, (frame, expected) in enumerate(cases, start=1):
        assert rejected(board.send(frame)) == [expected]
        assert board.status()["rx_errors"] == n


def test_empty_frames_are_ignored_silently(board):
    assert board.send(b"\x00" * 10) == []
    assert board.status()["rx_errors"] == 0


def test_several_frames_in_one_read_are_answered_in_order(board):
    data = encode_frame(MsgType.HELLO, protocol=1) + encode_frame(MsgType.HEARTBEAT, count=3)
    assert [m.type for m in board.send(data)] == [MsgType.INFO, MsgType.STATUS]


def test_rx_errors_wraps_at_16_bits(board):
    board.endpoint.rx_errors = 0xFFFF
    board.send(with_crc(b"\x7e"))
    assert board.status()["rx_errors"] == 0


# --- 3. HELLO -------------------------------------------------------------------------------


def test_hello_is_answered_by_info_and_greets(board):
    (info,) = board.hello()
    assert info.fields == {
        "protocol": PROTOCOL_VERSION,
        "board": BoardKind.RASPBERRY_PI,
        "fw_major": FIRMWARE_VERSION[0],
        "fw_minor": FIRMWARE_VERSION[1],
        "fw_patch": FIRMWARE_VERSION[2],
        "wheels": 6,
        "corners": 4,
        "counts_per_rev": COUNTS_PER_REV,
        "deadman_ms": DEADMAN_MS,
        "max_drive": MAX_DRIVE,
        "max_steer": MAX_STEER,
    }
    assert board.status()["flags"] & StatusFlag.GREETED


def test_a_hello_of_another_version_is_refused_then_answered_and_ungreets(greeted):
    answer = greeted.hello(version=PROTOCOL_VERSION + 1)
    assert [m.type for m in answer] == [MsgType.REJECT, MsgType.INFO]
    assert rejected(answer[:1]) == [(MsgType.HELLO, RejectReason.WRONG_VERSION)]
    assert answer[1]["protocol"] == PROTOCOL_VERSION
    assert not greeted.status()["flags"] & StatusFlag.GREETED
    assert rejected(greeted.setpoint()) == [(MsgType.SETPOINT, RejectReason.NOT_GREETED)]
    assert greeted.status()["rx_errors"] == 0  # a refused message is not a receive error


# --- 4. SETPOINT ----------------------------------------------------------------------------


def test_a_setpoint_before_hello_is_refused_and_not_applied(board):
    assert rejected(board.setpoint(seq=4)) == [(MsgType.SETPOINT, RejectReason.NOT_GREETED)]
    status = board.status(at=T0 + 300)
    assert status["answers"] == 0 and status["currents"] == [0] * 6


def test_a_setpoint_is_answered_at_once_and_drives(greeted):
    (status,) = greeted.setpoint(seq=77, drive=600, steer=(100, 0, 0, 0), at=T0 + 10)
    assert status.type is MsgType.STATUS and status["answers"] == 77
    later = greeted.status(at=T0 + 110)
    assert later["currents"] == [RUN_CURRENT] * 6
    assert later["steer"] == [100, 0, 0, 0]
    assert later["encoders"][0] > 0


@pytest.mark.parametrize(
    ("drive", "steer"),
    [(MAX_DRIVE + 1, 0), (-MAX_DRIVE - 1, 0), (0, MAX_STEER + 1), (0, -MAX_STEER - 1)],
)
def test_a_setpoint_out_of_range_is_refused_whole(greeted, drive, steer):
    greeted.setpoint(seq=1, drive=0, at=T0)
    answer = greeted.setpoint(seq=2, drive=[0, 0, 0, 0, 0, drive], steer=(steer, 0, 0, 0))
    assert rejected(answer) == [(MsgType.SETPOINT, RejectReason.BAD_VALUE)]
    status = greeted.status(at=T0 + 200)
    assert status["answers"] == 1 and status["steer"] == [0] * 4


def test_the_limits_themselves_are_accepted(greeted):
    drive = [MAX_DRIVE, -MAX_DRIVE, 0, 0, 0, 0]
    (status,) = greeted.setpoint(seq=3, drive=drive, steer=(MAX_STEER, -MAX_STEER, 0, 0))
    assert status["answers"] == 3


def test_an_unpowered_setpoint_switches_the_motors_off(greeted):
    greeted.setpoint(seq=1, drive=600, at=T0)
    (status,) = greeted.setpoint(seq=2, drive=600, flags=0, at=T0 + 200)
    assert not status["flags"] & StatusFlag.POWERED
    assert status["currents"] == [0] * 6


# --- 5. HEARTBEAT ---------------------------------------------------------------------------


def test_heartbeats_answer_status_and_do_not_feed_the_deadman(greeted):
    greeted.setpoint(seq=1, at=T0)
    for t in range(T0 + 100, T0 + DEADMAN_MS, 100):
        assert not greeted.status(at=t)["flags"] & StatusFlag.DEADMAN
    assert greeted.status(at=T0 + DEADMAN_MS)["flags"] & StatusFlag.DEADMAN


# --- 6. STREAM ------------------------------------------------------------------------------


def test_stream_needs_a_greeting(board):
    assert rejected(board.ask(MsgType.STREAM, period_ms=10)) == [
        (MsgType.STREAM, RejectReason.NOT_GREETED)
    ]
    assert board.tick(T0 + 1000) == []


def test_stream_sends_status_every_period_and_stops_at_0(greeted):
    assert greeted.ask(MsgType.STREAM, at=T0, period_ms=100) == []
    sent = [t for t in range(T0 + 1, T0 + 1001) if greeted.tick(t)]
    assert sent == list(range(T0 + 100, T0 + 1001, 100))
    greeted.ask(MsgType.STREAM, period_ms=0)
    assert all(greeted.tick(t) == [] for t in range(T0 + 1001, T0 + 1500))


def test_a_streamed_status_waits_for_room_for_a_whole_frame(greeted):
    greeted.ask(MsgType.STREAM, at=T0, period_ms=1)
    assert greeted.tick(T0 + 5, tx_room=STATUS_FRAME - 1) == []
    assert greeted.tick(T0 + 6, tx_room=0) == []
    (status,) = greeted.tick(T0 + 7, tx_room=STATUS_FRAME)
    assert status.type is MsgType.STATUS and status["uptime_ms"] == 7
    assert len(greeted.endpoint.tick(T0 + 8, tx_room=10 * STATUS_FRAME)) == STATUS_FRAME  # one


def test_a_short_period_streams_as_fast_as_the_line_drains():
    board = Board()
    board.hello()
    board.ask(MsgType.STREAM, at=T0, period_ms=1)
    queued, sent = 0.0, 0
    for t in range(T0 + 1, T0 + 1001):  # a 115200-baud line drains 11.52 bytes per ms
        queued = max(0.0, queued - 11.52)
        out = board.endpoint.tick(t, tx_room=int(2 * STATUS_FRAME - queued))
        queued += len(out)
        sent += len(out) // STATUS_FRAME
    assert 180 <= sent <= 187  # the line's 185.8 STATUS frames per second, never more


# --- 7. INJECT ------------------------------------------------------------------------------


def test_inject_needs_a_greeting(board):
    answer = board.ask(MsgType.INJECT, fault=BoardFault.STALL, wheel=0)
    assert rejected(answer) == [(MsgType.INJECT, RejectReason.NOT_GREETED)]


@pytest.mark.parametrize(("fault", "wheel"), [(4, 0), (255, 0), (1, 6), (3, 255)])
def test_inject_refuses_no_such_fault_or_wheel(greeted, fault, wheel):
    answer = greeted.ask(MsgType.INJECT, fault=fault, wheel=wheel)
    assert rejected(answer) == [(MsgType.INJECT, RejectReason.BAD_VALUE)]


def test_an_injected_stall_shows_in_status_and_clear_removes_it(greeted):
    greeted.setpoint(seq=1, drive=600, at=T0)
    (status,) = greeted.ask(MsgType.INJECT, at=T0 + 200, fault=BoardFault.STALL, wheel=1)
    assert status["stalled"] == 0b10
    assert status["currents"][1] == STALL_CURRENT and status["currents"][0] == RUN_CURRENT
    frozen = status["encoders"][1]
    assert greeted.status(at=T0 + 400)["encoders"][1] == frozen
    (cleared,) = greeted.ask(MsgType.INJECT, fault=BoardFault.CLEAR, wheel=200)
    assert cleared["stalled"] == 0


# --- 8. dead-man ----------------------------------------------------------------------------


def test_the_deadman_stops_the_drive_to_the_millisecond_and_keeps_steering(greeted):
    greeted.setpoint(seq=1, drive=600, steer=(300, 0, 0, 0), at=T0)
    before = greeted.status(at=T0 + DEADMAN_MS - 1)
    assert not before["flags"] & StatusFlag.DEADMAN
    assert before["currents"] == [RUN_CURRENT] * 6
    at = greeted.status(at=T0 + DEADMAN_MS)
    assert at["flags"] & StatusFlag.DEADMAN
    ramp_down = 600 // 4  # ms from 600 mrad/s to rest
    assert greeted.status(at=T0 + DEADMAN_MS + ramp_down - 1)["currents"] == [RUN_CURRENT] * 6
    stopped = greeted.status(at=T0 + DEADMAN_MS + ramp_down)
    assert stopped["currents"] == [0] * 6
    assert stopped["steer"] == [300, 0, 0, 0]  # corners kept their targets
    (fed,) = greeted.setpoint(seq=2, drive=0, at=T0 + 2000)
    assert not fed["flags"] & StatusFlag.DEADMAN


def test_the_deadman_happens_at_its_millisecond_however_seldom_the_board_is_called():
    seldom, often = Board(), Board()
    for board in (seldom, often):
        board.hello()
        board.setpoint(seq=1, drive=1500, at=T0)
    for t in range(T0 + 1, T0 + 3000):
        often.tick(t)
    assert seldom.status(at=T0 + 3000).fields == often.status(at=T0 + 3000).fields


def test_no_deadman_before_any_setpoint(greeted):
    assert not greeted.status(at=T0 + 60_000)["flags"] & StatusFlag.DEADMAN


def test_a_refused_setpoint_does_not_feed_the_deadman(greeted):
    greeted.setpoint(seq=1, drive=600, at=T0)
    greeted.setpoint(seq=2, drive=MAX_DRIVE + 1, at=T0 + 400)
    assert greeted.status(at=T0 + DEADMAN_MS)["flags"] & StatusFlag.DEADMAN


# --- 10. counters ---------------------------------------------------------------------------


def test_uptime_wraps_at_32_bits(board):
    assert board.status(at=T0 + 2**32 + 5)["uptime_ms"] == 5
