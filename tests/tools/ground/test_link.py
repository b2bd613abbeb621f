import socket
import threading
import time

import pytest

from fsw.packets.framing import Deframer, frame
from fsw.tables import CATALOG
from tests.hil.support import eventually
from tools.dictionary import Dictionary
from tools.ground.link import GroundLink, LinkDown
from tools.ground.session import LinkSession


def hk(seq):
    values = {f.name: 0 for f in CATALOG.telemetry_packet("HK").fields}
    values["mode"] = "STANDBY"
    return CATALOG.encode_telemetry("HK", values, seq, 1000.0 + seq)


class Collect:
    def __init__(self):
        self.packets, self.status = [], []
        self.cond = threading.Condition()

    def packet(self, packet, ns):
        with self.cond:
            self.packets.append((packet, ns))
            self.cond.notify_all()

    def said(self, text):
        with self.cond:
            self.status.append(text)
            self.cond.notify_all()

    def wait(self, predicate, timeout=5.0):
        with self.cond:
            assert self.cond.wait_for(predicate, timeout), (self.packets, self.status)


def test_loop_url_carries_frames_and_drops_what_is_not_telemetry():
    seen = Collect()
    link = GroundLink("loop://", seen.packet, seen.said).start()
    try:
        assert link.wait_connected(2)
        link.send(hk(1))  # loop:// hands back what was written: telemetry is taken in
        link.send(CATALOG.encode_command("PING", {"token": 1}, 0))  # a command is not
        link.send(hk(2))
        seen.wait(lambda: len(seen.packets) == 2)
        assert [p for p, _ in seen.packets] == [hk(1), hk(2)]
        assert all(abs(ns / 1e9 - time.time()) < 5 for _, ns in seen.packets)
        assert link.frames_sent == 3
        assert sum(link.deframer.discarded_frames.values()) == 1
    finally:
        link.close()
    assert not link.connected
    with pytest.raises(LinkDown, match="is down: not sent"):
        link.send(hk(3))


def test_a_url_pyserial_cannot_parse_is_said_once_and_not_retried():
    seen = Collect()
    link = GroundLink("nosuchscheme://x", seen.packet, seen.said, retry=0.05).start()
    seen.wait(lambda: seen.status)
    time.sleep(0.2)
    link.close()
    assert len(seen.status) == 1
    assert "cannot open" in seen.status[0]


def test_the_link_waits_for_the_rover_and_reconnects_after_it_goes_away():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nobody listens yet: the link keeps trying
    seen = Collect()
    link = GroundLink(f"socket://127.0.0.1:{port}", seen.packet, seen.said, retry=0.05).start()
    try:
        seen.wait(lambda: any("cannot open" in s for s in seen.status))
        time.sleep(0.3)
        assert sum("cannot open" in s for s in seen.status) == 1  # said once, not every retry
        listener = socket.create_server(("127.0.0.1", port))
        for boot in (1, 2):
            conn, _ = listener.accept()
            assert link.wait_connected(2)
            conn.sendall(b"\x00\x17garbage" + frame(hk(boot)))
            seen.wait(lambda b=boot: len(seen.packets) == b)
            link.send(CATALOG.encode_command("PING", {"token": boot}, boot))
            got = Deframer().feed(conn.recv(4096)).packets
            assert CATALOG.decode(got[0]).values["token"] == boot
            conn.close()  # the emulator restarts
            seen.wait(lambda: any("down" in s for s in seen.status))
        assert link.opened == 2
        assert [CATALOG.decode(p).seq_count for p, _ in seen.packets] == [1, 2]
    finally:
        link.close()
        listener.close()


def test_a_write_that_fails_says_link_down_and_does_not_hang():
    seen = Collect()
    link = GroundLink("loop://", seen.packet, seen.said).start()
    assert link.wait_connected(2)

    def broken(_data):
        raise OSError(5, "Input/output error")

    link._port.write = broken  # the USB adapter was pulled out mid-write
    done = []
    worker = threading.Thread(target=lambda: done.append(_send_error(link)), daemon=True)
    worker.start()
    worker.join(3)
    link.close()
    assert done and "went down while sending" in done[0]


def _send_error(link):
    try:
        link.send(hk(1))
    except LinkDown as err:
        return str(err)
    return "sent"


def test_a_url_that_can_never_work_is_refused_at_once():
    with pytest.raises(ValueError, match="nosuchscheme"):
        LinkSession(Dictionary.from_flight(), "nosuchscheme://x")


def test_a_link_with_a_hello_sends_it_first_after_a_refusal_until_telemetry_comes():
    listener = socket.create_server(("127.0.0.1", 0))
    hellos = iter(range(1, 100))
    seen = Collect()
    url = f"socket://127.0.0.1:{listener.getsockname()[1]}"
    link = GroundLink(
        url, seen.packet, seen.said, retry=0.05,
        hello=lambda: CATALOG.encode_command("PING", {"token": next(hellos)}, 0),
    )  # fmt: skip
    link.start()

    def first_packets(conn: socket.socket, count: int) -> list[str]:
        deframer, got = Deframer(), []
        while len(got) < count:
            got += deframer.feed(conn.recv(4096)).packets
        return [CATALOG.decode(p).name for p in got]

    try:
        conn, _ = listener.accept()  # another ground holds the link: refused, nothing sent
        conn.close()
        for hello in (True, False):
            conn, _ = listener.accept()
            conn.settimeout(5)
            if hello:  # the proof comes first, before any telemetry
                assert first_packets(conn, 1) == ["PING"]
            while len(seen.packets) < 1 + (not hello):
                conn.sendall(frame(hk(1)))  # telemetry: the link is this ground's now
                time.sleep(0.05)
            link.send(CATALOG.encode_command("NOOP", {}, 5))
            assert first_packets(conn, 1) == ["NOOP"]  # after telemetry: no more proof
            conn.close()
            seen.wait(lambda h=hello: sum(": down" in s for s in seen.status) == 1 + (not h))
        assert seen.status[:2] == [
            f"link {url}: up",
            f"link {url}: closed by the rover before any telemetry: another ground probably "
            "holds the link; proving the uplink key on the next connection to take it; retrying "
            "every 0.05 s",
        ]
        assert next(hellos) == 2  # one hello, after the refusal
    finally:
        link.close()
        listener.close()


def test_a_rover_that_closes_before_any_telemetry_is_said_to_refuse_once():
    listener = socket.create_server(("127.0.0.1", 0))
    seen = Collect()
    url = f"socket://127.0.0.1:{listener.getsockname()[1]}"
    link = GroundLink(url, seen.packet, seen.said, retry=0.05).start()
    try:
        for _ in range(3):  # refused three times: said once, and "up" only the first time
            conn, _ = listener.accept()
            conn.close()
        eventually(lambda: link.refused >= 2)
        conn, _ = listener.accept()
        while not seen.packets:  # the other ground left: this one gets the link, and HK
            conn.sendall(frame(hk(1)))  # (again: pyserial drops what comes while it opens)
            time.sleep(0.05)
        assert seen.status == [
            f"link {url}: up",
            f"link {url}: closed by the rover before any telemetry: another ground probably "
            "holds the link, and a new connection takes it only by proving the uplink key; "
            "retrying every 0.05 s",
            f"link {url}: up",
        ]
        assert link.last_error.startswith("closed by the rover before any telemetry")
        conn.close()
    finally:
        link.close()
        listener.close()


def test_a_packet_the_ground_fails_on_is_said_and_the_link_reads_on():
    seen = Collect()

    def take(packet, ns):
        if packet == hk(1):
            raise OSError(28, "No space left on device")
        seen.packet(packet, ns)

    link = GroundLink("loop://", take, seen.said).start()
    try:
        assert link.wait_connected(2)
        link.send(hk(1))
        link.send(hk(2))
        seen.wait(lambda: len(seen.packets) == 1)
        assert [p for p, _ in seen.packets] == [hk(2)]  # the reader thread lived on
        failed = [s for s in seen.status if "could not be taken in" in s]
        assert failed == [
            "link loop://: a packet received could not be taken in (OSError: [Errno 28] No space "
            "left on device); please report it"
        ]
    finally:
        link.close()
