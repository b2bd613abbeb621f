"""A ground station as a test uses it: framed commands out, decoded packets in, over a plain socket
or a pty master; and the flight software running on the real-time clock behind a radio."""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fsw.clock import RealTimeClock
from fsw.flight import FlightSoftware
from fsw.packets.catalog import Packet
from fsw.packets.framing import Deframer, frame
from fsw.security import Key
from fsw.tables import CATALOG
from hil.messages import Say
from hil.radio import Radio, TcpRadio
from hil.radio.proof import KeyProof
from hil.sim import SimRover, Terrain
from tools.ground.signer import Signer
from tools.ground.verifier import DownlinkVerifier

FINAL = ("COMPLETED", "FAILED", "REJECTED")


def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Wait until `check()` is true (its value), or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)
    return value


class Ground:
    """One end of the link, speaking COBS frames of CCSDS packets."""

    sock: socket.socket | None = None
    signer: Signer | None = None  # seals commands for an authenticated rover

    def __init__(self, read: Callable[[float], bytes | None], write: Callable[[bytes], Any]):
        self._read, self._write = read, write
        self.deframer = Deframer(CATALOG.max_packet_size)
        self.verifier = DownlinkVerifier(None)  # opens sealed telemetry; give it the key to judge
        self.heard: list[Packet] = []
        self.closed = False

    @classmethod
    def tcp(cls, address: tuple[str, int]) -> Ground:
        sock = socket.create_connection(address, timeout=5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def read(timeout: float) -> bytes | None:
            sock.settimeout(timeout)
            try:
                return sock.recv(65536)  # b"": the radio closed us
            except TimeoutError:
                return None
            except OSError:
                return b""

        ground = cls(read, sock.sendall)
        ground.sock = sock
        return ground

    @classmethod
    def fd(cls, fd: int) -> Ground:
        def read(timeout: float) -> bytes | None:
            if not select.select([fd], [], [], timeout)[0]:
                return None
            try:
                return os.read(fd, 65536)
            except OSError:  # EIO: nobody has the other end open (yet, or any more)
                time.sleep(timeout)
                return None

        return cls(read, lambda data: os.write(fd, data))

    def send(self, name: str, seq: int, **args: Any) -> None:
        packet = CATALOG.encode_command(name, args, seq)
        self._write(frame(packet if self.signer is None else self.signer.seal(packet)))

    def send_raw(self, data: bytes) -> None:
        self._write(data)

    def listen(self, timeout: float = 0.05) -> list[Packet]:
        """What arrives within `timeout` s (as soon as anything does)."""
        data = self._read(timeout)
        if data == b"":
            self.closed = True
        verdicts = [self.verifier.check(p) for p in self.deframer.feed(data or b"").packets]
        packets = [CATALOG.decode(v.packet) for v in verdicts if v.packet is not None]
        self.heard += packets
        return packets

    def until(self, check: Callable[[Packet], bool], timeout: float = 5.0) -> Packet:
        """Listen until a packet passes `check`; that packet."""
        deadline = time.monotonic() + timeout
        while True:
            for p in self.listen(max(0.0, deadline - time.monotonic())):
                if check(p):
                    return p
            assert not self.closed, "the radio closed the link"
            assert time.monotonic() < deadline, "timed out"

    def stages(self, seq: int, timeout: float = 5.0) -> list[str]:
        """Every verification stage of command `seq`, up to its final one."""

        def mine(p: Packet) -> bool:
            return p.name == "CMD_VERIFY" and p.values["cmd_seq"] == seq

        self.until(lambda p: mine(p) and p.shown()["stage"] in FINAL, timeout)
        return [p.shown()["stage"] for p in self.heard if mine(p)]

    def events(self, name: str) -> list[Packet]:
        return [p for p in self.heard if p.name == name]

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()


MakeRadio = Callable[[Callable[[bytes], None], Callable[[], None], Callable[[str], None]], Radio]


@dataclass
class Emulator:
    """Flight software on the real-time clock behind a radio, on a thread of its own."""

    flight: FlightSoftware
    radio: Radio
    said: list[str] = field(default_factory=list)
    thread: threading.Thread | None = None

    @classmethod
    def start(cls, make_radio: MakeRadio, rate: float = 1.0, key: Key | None = None) -> Emulator:
        clock = RealTimeClock(86400.0, rate=rate)
        said: list[str] = []

        def uplink(data: bytes) -> None:  # the radio starts after the flight software boots
            flight.post(data)

        def reopened() -> None:
            flight.post_link_reset()

        radio = make_radio(uplink, reopened, said.append)
        flight = FlightSoftware(SimRover(clock.now, Terrain()), clock, radio.send, key=key)
        radio.start()
        thread = threading.Thread(target=flight.run, name="flight", daemon=True)
        thread.start()
        return cls(flight, radio, said, thread)

    @classmethod
    def keyed(cls, key: Key, **radio: Any) -> Emulator:
        """An authenticated rover behind a TcpRadio that asks a new connection to prove the
        key before it takes the link from the ground holding it (as `rover fsw` wires it)."""
        box: list[Emulator] = []

        def fresh(sn: int) -> str | None:
            f = box[0].flight
            return f.security.would_admit(sn, int(f.params["ANTI_REPLAY_WINDOW"]))

        def make(receive: Callable[[bytes], None], reset: Callable[[], None], say: Say) -> Radio:
            vouch = KeyProof(key, fresh, lambda: box[0].flight.security.window.known)
            return TcpRadio("127.0.0.1", 0, receive, reset, say, vouch=vouch, **radio)

        box.append(cls.start(make, key=key))
        return box[0]

    def stop(self) -> None:
        self.flight.executive.stop()
        if self.thread is not None:
            self.thread.join(timeout=5)
            assert not self.thread.is_alive()
        self.radio.close()
