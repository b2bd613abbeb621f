"""The relay in real time: uplink bytes cut into frames, each delivered at its arrival time on the
mission clock (which may run faster than the wall clock), corrupted or dropped as the model says."""

import threading
import time
from dataclasses import replace

import pytest

from fsw.clock import RealTimeClock
from fsw.packets.framing import Deframer, frame
from fsw.port import RadioStatus
from fsw.tables import CATALOG
from hil.radio import relay_link
from hil.radio.relay import RelayModel
from hil.radio.relay_link import FrameSplitter, RelayLink
from hil.radio.relay_profile import INF, QUEQIAO, LosWindow


def test_the_splitter_cuts_a_stream_into_whole_frames_whatever_the_chunks():
    stream = frame(b"first") + frame(b"\x00second\x00") + frame(b"third")
    for size in (1, 3, 7, len(stream)):
        s = FrameSplitter()
        got = []
        for i in range(0, len(stream), size):
            got += s.feed(stream[i : i + size])
        assert got == [frame(b"first"), frame(b"\x00second\x00"), frame(b"third")]


def test_the_splitter_passes_endless_noise_on_in_bounded_pieces_and_forgets_on_reset():
    s = FrameSplitter(max_frame=10)
    assert s.feed(b"\x01" * 5) == []
    assert s.feed(b"\x01" * 6) == [b"\x00" + b"\x01" * 11 + b"\x00"]
    s.feed(b"\x00partial")
    s.reset()
    assert s.feed(b"end\x00") == [b"\x00end\x00"]


class Received:
    """Frames handed on by the relay, with the mission time they came."""

    def __init__(self, clock: RealTimeClock) -> None:
        self.clock = clock
        self.frames: list[tuple[float, bytes]] = []
        self.event = threading.Event()

    def __call__(self, data: bytes) -> None:
        self.frames.append((self.clock.now(), data))
        self.event.set()

    def wait(self, n: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.frames) < n and time.monotonic() < deadline:
            time.sleep(0.005)
        assert len(self.frames) >= n, self.frames


@pytest.fixture
def fast_clock() -> RealTimeClock:
    return RealTimeClock(start=0.0, rate=50.0)  # 50 mission s per wall s


def test_uplink_frames_arrive_after_light_time_and_their_time_on_the_125_bit_s_hop(fast_clock):
    rover, ground = Received(fast_clock), Received(fast_clock)
    link = RelayLink(RelayModel(QUEQIAO), fast_clock.now, rover, ground, rate=50.0).start()
    try:
        packet = bytes(range(1, 27))  # 26 bytes: a 28-byte frame (COBS and delimiters)
        data = frame(packet)
        sent = fast_clock.now()
        link.uplink(data[:10])
        link.uplink(data[10:] + data)  # the rest, and a second frame at once
        rover.wait(2)
        (t1, f1), (t2, f2) = rover.frames
        assert f1 == f2 == data
        on_hop = len(data) * 8 / 125
        assert t1 - sent == pytest.approx(1.75 + on_hop, abs=0.5)  # 0.01 wall s = 0.5 mission s
        assert t2 - t1 == pytest.approx(on_hop, abs=0.5)  # queued behind the first
        assert ground.frames == []
    finally:
        link.close()


def test_downlink_packets_are_framed_and_arrive_a_light_time_later(fast_clock):
    rover, ground = Received(fast_clock), Received(fast_clock)
    link = RelayLink(RelayModel(QUEQIAO), fast_clock.now, rover, ground, rate=50.0).start()
    try:
        sent = fast_clock.now()
        link.downlink(b"\x08\x01telemetry")
        assert link.in_flight == 1
        ground.wait(1)
        t, data = ground.frames[0]
        assert data == frame(b"\x08\x01telemetry")
        assert t - sent == pytest.approx(1.75, abs=0.5)
        assert "down 1 frames: 1 delivered" in link.summary()
    finally:
        link.close()


def test_frames_in_los_never_arrive_and_contact_follows_the_schedule(fast_clock):
    profile = replace(QUEQIAO, los=(LosWindow(0.0, 1000.0),))
    rover, ground = Received(fast_clock), Received(fast_clock)
    link = RelayLink(RelayModel(profile), fast_clock.now, rover, ground, rate=50.0).start()
    try:
        assert not link.contact()
        link.downlink(b"lost in LOS")
        assert link.in_flight == 0
        assert "1 in LOS" in link.summary()
    finally:
        link.close()


def test_corrupted_frames_arrive_and_the_receivers_crc_throws_them_away(fast_clock):
    profile = replace(QUEQIAO, ber=0.05)
    rover, ground = Received(fast_clock), Received(fast_clock)
    link = RelayLink(RelayModel(profile), fast_clock.now, rover, ground, rate=50.0).start()
    try:
        packet = CATALOG.encode_command("PING", {"token": 1}, 0)
        link.downlink(packet)
        ground.wait(1)
        result = Deframer().feed(ground.frames[0][1])
        assert result.packets == [] and sum(result.discarded.values()) > 0
    finally:
        link.close()


def test_close_stops_the_thread_with_frames_still_in_flight(fast_clock):
    rover, ground = Received(fast_clock), Received(fast_clock)
    slow = replace(QUEQIAO, delay=1000.0)
    link = RelayLink(RelayModel(slow), fast_clock.now, rover, ground, rate=50.0).start()
    link.downlink(b"never")
    started = time.monotonic()
    link.close()
    assert time.monotonic() - started < 1.0
    assert ground.frames == []
    assert link.summary().endswith("; 1 still in flight")


def test_what_is_in_flight_is_bounded_each_way_and_the_excess_counted(fast_clock, monkeypatch):
    monkeypatch.setattr(relay_link, "MAX_FLYING_FRAMES", 5)
    monkeypatch.setattr(relay_link, "MAX_FLYING_BYTES", 200)
    slow = replace(QUEQIAO, delay=1e6, uplink_rate=INF, downlink_rate=INF)  # nothing lands
    rover, ground = Received(fast_clock), Received(fast_clock)
    link = RelayLink(RelayModel(slow), fast_clock.now, rover, ground, rate=50.0)
    link.uplink(frame(b"\x01tiny") * 8)  # a flood of small frames: five fit
    for _ in range(3):
        link.downlink(b"\x08" * 90)  # 93-byte frames: two fit in 200 bytes
    assert link.in_flight == 5 + 2
    assert link.full == {True: 3, False: 1}
    assert "dropped with the relay full: 3 up, 1 down" in link.summary()
    assert "up 5 frames" in link.summary()  # the dropped never reached the model
    status = link.counted(RadioStatus(True, 1, 0, 0, 0, 0, 0, 0, 0))  # for RADIO telemetry
    assert (status.relay_full_up, status.relay_full_down) == (3, 1)
