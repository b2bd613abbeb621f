"""The flight computer's board link against the Raspberry Pi agent over a pty: the handshake,
setpoints answered with round trips counted, a board that is absent, unplugged and plugged in
again, one that speaks another protocol version, and line noise."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path

import pytest

from fsw.tables.enums import BoardKind
from hil.board.link import BoardLink
from hil.board.model import COUNTS_PER_REV, FIRMWARE_VERSION
from hil.board.protocol import BoardFault, MsgType, RejectReason, StatusFlag, encode_frame
from hil.board.stream import MessageStream
from tests.hil.board.pi_board import PiBoard


@pytest.fixture
def said():
    return []


@pytest.fixture
def link_to(said):
    links: list[BoardLink] = []

    def make(path, **kw) -> BoardLink:
        link = BoardLink(str(path), 115200, say=said.append, retry=0.1, **kw)
        links.append(link)
        link.start()
        return link

    yield make
    for link in links:
        link.close()


def wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def drive(link: BoardLink, seconds: float, rate: int = 600) -> None:
    """Setpoints at 10 Hz, as the flight software's control cycle sends them."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        link.send_setpoint([rate] * 6, [0] * 4, True)
        time.sleep(0.1)


def test_handshake_setpoints_and_round_trips(tmp_path, link_to, said):
    with PiBoard(tmp_path / "board"):
        link = link_to(tmp_path / "board")
        assert link.wait_connected(3.0), said
        drive(link, 1.0)
        status = link.status()
        assert (status.connected, status.board, status.firmware) == (
            True, BoardKind.RASPBERRY_PI, FIRMWARE_VERSION,
        )  # fmt: skip
        assert status.frames_sent >= 10 and status.frames_received >= 10
        assert status.crc_errors == status.bad_frames == status.rejects == 0
        assert 0 < status.rtt_mean <= status.rtt_max and status.rtt_mean < 50  # ms, over a pty
        state = link.state
        assert state is not None and StatusFlag.GREETED in state.flags
        expected = 0.6 * 1.0 * COUNTS_PER_REV / (2 * 3.141592653589793)  # 391 counts
        for count in state.encoders:  # ramp-up and the last setpoint's 0.1 s make the slack
            assert 0.7 * expected < count < 1.15 * expected
        assert state.currents_ma == (673,) * 6
    assert any("RASPBERRY_PI firmware 1.0.0" in line for line in said)


def test_the_board_stops_by_itself_when_setpoints_stop(tmp_path, link_to):
    with PiBoard(tmp_path / "board"):
        link = link_to(tmp_path / "board")
        assert link.wait_connected(3.0)
        drive(link, 0.5)
        link.send_setpoint([600] * 6, [0] * 4, True)
        stopped = time.monotonic()  # the last setpoint
        assert wait(lambda: StatusFlag.DEADMAN in link.state.flags, 1.5)  # heartbeats report it
        assert 0.45 < time.monotonic() - stopped < 1.0  # 0.5 s, seen at the next heartbeat
        assert wait(lambda: link.state.currents_ma == (0,) * 6, 0.5)
        assert link.connected  # heartbeats keep the link alive while nothing is commanded


def test_an_injected_stall_shows_in_the_status(tmp_path, link_to):
    with PiBoard(tmp_path / "board"):
        link = link_to(tmp_path / "board")
        assert link.wait_connected(3.0)
        link.inject(BoardFault.STALL, 2)
        drive(link, 0.5)
        state = link.state
        assert state.stalled == 0b100 and state.currents_ma[2] == 2800 and state.encoders[2] == 0
        link.inject(BoardFault.CLEAR, 0)
        drive(link, 0.3)
        assert link.state.stalled == 0 and link.state.encoders[2] > 0


def test_absent_then_plugged_then_unplugged_then_plugged_again(tmp_path, link_to, said):
    path = tmp_path / "board"
    link = link_to(path)
    time.sleep(0.3)
    assert not link.connected
    assert [line for line in said if "cannot open it" in line][:1], said
    board = PiBoard(path).plug()
    try:
        assert link.wait_connected(3.0), said
        drive(link, 0.5)
        before = link.state.encoders
        board.unplug()
        gone = time.monotonic()
        assert not path.is_symlink()  # as udev's goes: no stale /dev/pts/N for the link to reopen
        assert wait(lambda: not link.connected, 1.0), said
        assert time.monotonic() - gone < 0.7
        assert link.silence() > 0
        board.plug()  # a new board: freshly booted, its encoders from zero again
        assert link.wait_connected(3.0), said
        drive(link, 0.3)
        after = link.state.encoders
        assert all(a > b for a, b in zip(after, before, strict=True))  # counted on, not reset
        assert link.status().connects == 2
    finally:
        board.unplug()


def test_a_board_reset_behind_an_open_port_is_greeted_again_and_its_encoders_continue(
    tmp_path, link_to, said
):
    with PiBoard(tmp_path / "board") as board:
        link = link_to(tmp_path / "board")
        assert link.wait_connected(3.0)
        drive(link, 0.6)
        before = link.state.encoders
        board.reset()  # its boot INFO arrives unasked; its counts start from zero
        drive(link, 0.5)
        assert link.counters.board_reboots == 1
        assert link.connected and StatusFlag.GREETED in link.state.flags
        assert all(a > b for a, b in zip(link.state.encoders, before, strict=True)), said
        assert any("rebooted" in line for line in said), said


def fake_board(master: int, reply) -> Callable[[], None]:
    """A board that answers each message with reply(message) (bytes); call the result to stop
    it. Stopping waits for its thread, so the test closes the pty only once nothing uses it (a
    reply written into a closed descriptor was the thread exception pytest warned about)."""
    stop = threading.Event()

    def run() -> None:
        stream = MessageStream()
        while not stop.is_set():
            if not select.select([master], [], [], 0.05)[0]:
                continue
            try:
                data = os.read(master, 4096)
                for message in stream.feed(data).messages:
                    os.write(master, reply(message))
            except OSError:
                return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(5.0)
        assert not thread.is_alive(), "the fake board did not stop"

    return stopper


def info(protocol: int) -> bytes:
    return encode_frame(
        MsgType.INFO, protocol=protocol, board=1, fw_major=9, fw_minor=0, fw_patch=0, wheels=6,
        corners=4, counts_per_rev=4096, deadman_ms=500, max_drive=2000, max_steer=1571,
    )  # fmt: skip


def test_a_board_of_another_protocol_version_is_refused_naming_both(tmp_path, link_to, said):
    master, slave = os.openpty()
    tty.setraw(slave)
    refusal = encode_frame(MsgType.REJECT, type=MsgType.HELLO, reason=RejectReason.WRONG_VERSION)
    stop = fake_board(master, lambda m: refusal + info(2) if m.type is MsgType.HELLO else b"")
    try:
        link = link_to(os.ttyname(slave))  # retries every 0.1 s
        assert wait(lambda: "version 2" in link.last_error, 3.0), said
        time.sleep(1.0)  # many retries, each answered
        assert not link.connected
        assert "version 2" in link.last_error and "version 1" in link.last_error
        assert sum("version 2" in line for line in said) == 1, said  # once, not every retry
        assert not [line for line in said if "refused" in line], said
        assert link.silence() > 1.0  # answers from a board never greeted do not count
    finally:
        stop()
        os.close(master)
        os.close(slave)


def test_line_noise_is_counted_and_the_link_goes_on(tmp_path, link_to):
    master, slave = os.openpty()
    tty.setraw(slave)
    status = encode_frame(
        MsgType.STATUS, answers=0, uptime_ms=5, flags=StatusFlag.GREETED, stalled=0,
        open_circuit=0, encoder_lost=0, rx_errors=0, encoders=[7] * 6, currents=[0] * 6,
        steer=[0] * 4,
    )  # fmt: skip
    corrupt = bytearray(status)
    corrupt[2] ^= 0xFF  # the type byte: COBS still decodes, the CRC cannot match

    def reply(m):
        if m.type is MsgType.HELLO:
            return info(1)
        return b"\x00\x07garbage\x00" + bytes(corrupt) + status

    stop = fake_board(master, reply)
    try:
        link = link_to(os.ttyname(slave))
        assert link.wait_connected(3.0)
        link.send_setpoint([0] * 6, [0] * 4, True)
        assert wait(lambda: link.state is not None and link.state.encoders == (7,) * 6, 1.0)
        assert wait(lambda: link.counters.crc_errors >= 1 and link.counters.bad_frames >= 1, 1.0)
        assert link.connected
    finally:
        stop()
        os.close(master)
        os.close(slave)


def test_a_host_stalled_past_the_silence_limit_does_not_lose_a_board_that_kept_talking(
    link_to, said
):
    """A busy machine stops this process (every thread) for 0.8 s while the board, a process of
    its own, goes on streaming: the board was never silent, only unheard. Neither the link's
    thread nor the flight software may count that as silence (it once made HARDWARE_LINK safe a
    healthy rover on a loaded CI machine)."""
    master, slave = os.openpty()
    tty.setraw(slave)
    root = Path(__file__).resolve().parents[3]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    agent = subprocess.Popen(
        [sys.executable, "-c", f"from hil.firmware.pi.agent import serve; serve({master})"],
        pass_fds=(master,), env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        link = link_to(os.ttyname(slave))
        assert link.wait_connected(5.0), said
        link.stream(20)  # a STATUS every 20 ms, unasked
        assert wait(lambda: link.status().frames_received > 20, 2.0)
        stall = f"kill -STOP {os.getpid()}; sleep 0.8; kill -CONT {os.getpid()}"
        stopped = time.monotonic()
        subprocess.run(["sh", "-c", stall], check=True, timeout=10)
        assert time.monotonic() - stopped > 0.75  # this process really was stopped
        quiet = link.silence()  # as the flight software's next cycle would ask, whoever runs first
        time.sleep(0.3)
        assert quiet < 0.5, quiet
        assert link.connected and link.counters.timeouts == 0, said
        assert link.status().connects == 1 and not [line for line in said if "silent" in line]
    finally:
        agent.kill()
        agent.wait()
        os.close(master)
        os.close(slave)


def test_a_second_link_cannot_take_a_board_another_holds(tmp_path, link_to, said):
    """The port is locked while open (pyserial's exclusive flock): a second program on the same
    device (or a stale symlink to a /dev/pts number reused for this board) cannot read it."""
    with PiBoard(tmp_path / "board"):
        first = link_to(tmp_path / "board")
        assert first.wait_connected(3.0), said
        second = link_to(tmp_path / "board")
        assert wait(lambda: "exclusively lock" in second.last_error, 2.0), said
        drive(first, 0.5)
        assert first.connected and first.status().connects == 1 and not second.connected


def test_bad_settings_say_why():
    with pytest.raises(ValueError, match="baud rate 0"):
        BoardLink("/dev/ttyACM0", 0)
    with pytest.raises(ValueError, match="board link nope://x"):
        BoardLink("nope://x")
