"""The emulated radio as a ground station sees it: commands in, verification out, over TCP and a
serial line; garbage, departures, replacements, stalls and unplugged devices survived."""

import contextlib
import os
import socket
import time
import tty

import pytest

from fsw.packets.framing import frame
from fsw.tables import CATALOG
from hil.radio import SerialRadio, TcpRadio
from tests.hil.support import Emulator, Ground, eventually

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")

STAGES = ["ACCEPTED", "STARTED", "COMPLETED"]


def tcp(receive, reset, say, **kw):
    return TcpRadio("127.0.0.1", 0, receive, reset, say, **kw)


@pytest.fixture
def emulator():
    emu = Emulator.start(tcp)
    yield emu
    emu.stop()


@pytest.fixture
def grounds():
    opened: list[Ground] = []

    def connect(emu: Emulator) -> Ground:
        ground = Ground.tcp(emu.radio.address)
        opened.append(ground)
        return ground

    yield connect
    for g in opened:
        g.close()


def test_a_command_over_tcp_is_verified_from_accepted_to_completed(emulator, grounds):
    assert emulator.radio.where == f"tcp 127.0.0.1:{emulator.radio.address[1]}"
    ground = grounds(emulator)
    ground.send("PING", 7, token=7)
    assert ground.stages(7) == STAGES
    assert ground.events("PING_REPLY")[0].values["token"] == 7
    assert emulator.said == [f"ground 127.0.0.1:{ground.sock.getsockname()[1]} connected"]


def test_garbage_is_reported_and_the_next_command_still_works(emulator, grounds):
    ground = grounds(emulator)
    ground.send_raw(b"\x05garbage\x00\xff\xfe\x00" + b"\x01" * 3000)  # bad frame, then a runaway
    ground.send("PING", 1, token=1)
    assert ground.stages(1) == STAGES
    reasons = {e.shown()["reason"] for e in ground.events("UPLINK_DISCARDED")}
    assert reasons >= {"BAD_FRAME", "OVERSIZE"}
    assert emulator.flight.uplink.counters()["uplink_bad_frame"] >= 2


def test_a_ground_that_leaves_and_comes_back_resumes(emulator, grounds):
    first = grounds(emulator)
    first.send("PING", 1, token=1)
    assert first.stages(1) == STAGES
    last_seq = max(p.seq_count for p in first.events("PING_REPLY"))
    first.send_raw(frame(CATALOG.encode_command("PING", {"token": 2}, 2))[:6])  # cut mid-frame
    first.close()
    eventually(lambda: emulator.said[-1].endswith("disconnected"))
    assert not emulator.radio.connected

    second = grounds(emulator)
    second.send("PING", 3, token=3)
    assert second.stages(3) == STAGES
    assert second.events("UPLINK_DISCARDED") == []  # the half frame was forgotten, not judged
    assert second.events("PING_REPLY")[0].seq_count > last_seq  # the rover's count goes on
    assert [s.split()[-1] for s in emulator.said] == ["connected", "disconnected", "connected"]


def test_the_newest_ground_wins(emulator, grounds):
    first = grounds(emulator)
    eventually(lambda: emulator.radio.connected)
    second = grounds(emulator)
    eventually(lambda: len(emulator.said) == 2)
    assert emulator.said[1].endswith("replaced (newest wins)")
    eventually(lambda: first.listen() == [] and first.closed)
    second.send("PING", 4, token=4)
    assert second.stages(4) == STAGES
    assert emulator.radio.counters.connections == 2


def test_with_no_ground_telemetry_is_dropped_and_counted_and_the_rover_runs_on(grounds):
    emu = Emulator.start(tcp, rate=20)
    try:
        eventually(lambda: emu.flight.executive.cycles >= 40)  # 4 s of mission time
        counters = emu.radio.counters
        assert counters.no_ground >= 1 + 3 * 5  # BOOTED, and housekeeping every second
        assert counters.sent == counters.queue_full == counters.lost == 0
        ground = grounds(emu)
        hk = ground.until(lambda p: p.name == "HK")
        assert hk.seq_count >= 3  # the rover kept counting while nobody listened
    finally:
        emu.stop()


def test_a_ground_that_stops_reading_costs_dropped_packets_never_a_blocked_send():
    said: list[str] = []
    radio = TcpRadio("127.0.0.1", 0, lambda _: None, None, said.append, queue_size=16)
    radio.start()
    try:
        stalled = socket.socket()
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(radio.address)
        eventually(lambda: radio.connected)
        packet = CATALOG.encode_event("PING_REPLY", {"token": 1}, 0, 1.0)
        started, sends = time.monotonic(), 0
        while not radio.counters.queue_full:  # the kernel's buffers fill, then the queue
            radio.send(packet)
            sends += 1
            if sends % 8 == 0:
                time.sleep(0.0005)  # let the writer keep up until it cannot
            assert time.monotonic() - started < 20
        fresh = Ground.tcp(radio.address)
        eventually(lambda: "replaced" in said[-1])
        fresh_packet = CATALOG.encode_event("PING_REPLY", {"token": 99}, 1, 2.0)

        def fresh_hears() -> bool:  # once the writer has let go of the stalled ground
            radio.send(fresh_packet)
            return any(p.values.get("token") == 99 for p in fresh.listen(0.05))

        eventually(fresh_hears)
        assert radio.counters.dropped >= radio.counters.queue_full >= 1
        stalled.close()
        fresh.close()
    finally:
        radio.close()


def test_bad_listen_addresses_say_why():
    taken = socket.create_server(("127.0.0.1", 0))
    port = taken.getsockname()[1]
    with pytest.raises(OSError, match=f"cannot listen on tcp 127.0.0.1:{port}: .*in use"):
        TcpRadio("127.0.0.1", port, lambda _: None)
    taken.close()
    with pytest.raises(OSError, match=r"cannot listen on tcp 192\.0\.2\.1:50200: "):
        TcpRadio("192.0.2.1", 50200, lambda _: None)  # an address this machine does not have


# ---- serial ----------------------------------------------------------------------------------


@pytest.fixture
def pty_pair():
    master, slave = os.openpty()
    tty.setraw(master)
    path = os.ttyname(slave)
    os.close(slave)  # the radio opens the path itself, as it would a USB adapter
    yield master, path
    with contextlib.suppress(OSError):
        os.close(master)


def test_a_command_over_a_serial_line_is_verified(pty_pair):
    master, path = pty_pair
    emu = Emulator.start(lambda r, s, say: SerialRadio(path, 115200, r, s, say))
    try:
        eventually(lambda: emu.radio.connected)
        ground = Ground.fd(master)
        ground.send("PING", 5, token=5)
        assert ground.stages(5) == STAGES
        assert emu.said == []  # opened at once: nothing to say
        assert emu.radio.where == f"serial {path} at 115200 baud"
    finally:
        emu.stop()


def test_a_serial_device_that_is_absent_then_plugged_then_pulled(pty_pair, tmp_path):
    master, pty_path = pty_pair
    device = tmp_path / "ttyRADIO"
    emu = Emulator.start(lambda r, s, say: SerialRadio(str(device), 9600, r, s, say, retry=0.05))
    try:
        eventually(lambda: emu.said)
        time.sleep(0.3)  # several more attempts: still one message
        assert len(emu.said) == 1
        assert emu.said[0].startswith(f"serial {device}: could not open port {device}")
        assert emu.said[0].endswith(f"No such file or directory: '{device}'; retrying every 0.05 s")
        assert emu.flight.executive.cycles >= 2  # the rover runs on meanwhile
        device.symlink_to(pty_path)  # plugged in
        eventually(lambda: len(emu.said) == 2)
        assert emu.said[-1] == f"serial {device}: open again"
        assert emu.radio.connected
        ground = Ground.fd(master)
        ground.send("PING", 6, token=6)
        assert ground.stages(6) == STAGES

        os.close(master)  # pulled: the pty goes away
        eventually(lambda: len(emu.said) == 3)
        time.sleep(0.3)  # several more attempts: still one message
        lost = emu.said[2]  # pyserial: "device reports readiness to read but returned no data
        assert lost.startswith(f"serial {device}: device reports")  # (device disconnected...)"
        assert lost.endswith("disconnected or multiple access on port?); retrying every 0.05 s")
        cycles = emu.flight.executive.cycles
        assert len(emu.said) == 3
        eventually(lambda: emu.flight.executive.cycles > cycles)  # and the rover runs on
    finally:
        emu.stop()


def test_bad_serial_settings_say_why():
    with pytest.raises(ValueError, match="baud rate 0 must be positive"):
        SerialRadio("/dev/ttyUSB0", 0, lambda _: None)
    with pytest.raises(ValueError, match=r"serial link nope://x: .*nope"):
        SerialRadio("nope://x", 9600, lambda _: None)


def test_a_reader_whose_flight_software_is_full_eases_off_and_tcp_slows_the_sender():
    reads: list[int] = []

    def full(data: bytes) -> bool:  # FlightSoftware.post with its inbox full: dropped
        reads.append(len(data))
        return False

    radio = tcp(full, lambda: None, lambda _: None)
    radio.start()
    sock = socket.create_connection(radio.address)
    sock.setblocking(False)
    sent, chunk = 0, os.urandom(65536)
    try:
        started = time.monotonic()
        while time.monotonic() - started < 1.0:
            with contextlib.suppress(BlockingIOError):
                sent += sock.send(chunk)
        eventually(lambda: len(reads) > 0)
        count, received = len(reads), sum(reads)
    finally:
        sock.close()
        radio.close()
    # at most one read per FULL_BACKOFF (5 ms: 200 a second; 400 leaves a busy machine room),
    # where a reader that never rests reads (and drops) thousands of 64 KiB chunks a second
    assert count <= 400
    assert received < sent  # the rest waited in TCP's buffers: flow control, not a spinning core
