"""The flight software in real time over a hardware port, with a ground that keeps every packet
it hears and when: for tests against boards, whose clocks are the wall clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fsw.clock import RealTimeClock
from fsw.flight import FlightSoftware
from fsw.packets.catalog import Packet
from fsw.packets.framing import frame
from fsw.tables import CATALOG


class Flight:
    """The flight software in real time, with a ground that keeps every packet it hears."""

    def __init__(self, port: Any) -> None:
        self.clock = RealTimeClock()
        self.packets: list[Packet] = []
        self.arrived: list[float] = []  # wall time of each packet
        self.seq = 0
        self.fsw = FlightSoftware(port(self.clock), self.clock, self._downlink)

    def _downlink(self, packet: bytes) -> None:
        self.packets.append(CATALOG.decode(packet))
        self.arrived.append(time.monotonic())

    def send(self, name: str, **args: Any) -> int:
        seq, self.seq = self.seq, self.seq + 1
        self.fsw.receive(frame(CATALOG.encode_command(name, args, seq)))
        return seq

    def run_until(self, predicate: Callable[[], Any], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.fsw.run(self.clock.now() + 0.1)
            if predicate():
                return True
        return False

    def events(self, name: str) -> list[Packet]:
        return [p for p in self.packets if p.kind == "event" and p.name == name]

    def final(self, seq: int) -> tuple[str, str] | None:
        for p in reversed(self.packets):
            if p.name != "CMD_VERIFY" or (v := p.shown())["cmd_seq"] != seq:
                continue
            if v["stage"] in ("COMPLETED", "FAILED", "REJECTED"):
                return v["stage"], v["reason"]
        return None

    def last(self, name: str) -> dict[str, Any]:
        return next(p.shown() for p in reversed(self.packets) if p.name == name)

    def when(self, predicate: Callable[[Packet], bool]) -> float:
        """Wall time (time.monotonic()) the first packet passing `predicate` came down."""
        return next(t for p, t in zip(self.packets, self.arrived, strict=True) if predicate(p))

    def run_for(self, seconds: float) -> None:
        """Let `seconds` of real time pass with the flight software running."""
        self.run_until(lambda: False, seconds)

    def assert_unplugging_safes(
        self, unplug: Callable[[], None], distance: float, after: float, said: list[str]
    ) -> None:
        """Drive `distance` m and unplug the board `after` s into it: the rover is SAFE within
        1 s of the unplugging, the drive has failed, and SAFE_RECOVER is refused meanwhile."""
        drive = self.send("DRIVE", distance=distance, radius=0.0, speed=0.0447)
        self.run_for(after)
        driving = (self.fsw.mode.name, self.final(drive))
        assert driving == ("DRIVE", None), (driving, self.events("MONITOR_TRIPPED"), said)
        unplug()
        gone = time.monotonic()
        assert self.run_until(lambda: self.fsw.mode.name == "SAFE", 2.0), said
        safe_at = self.when(lambda p: p.name == "MODE_CHANGED" and p.shown()["to_mode"] == "SAFE")
        assert safe_at >= gone  # after the unplugging, not before
        # within 1 s of the board's last word by the flight software's own account (the silence
        # HARDWARE_LINK saw when it tripped); the wall clock only bounds it loosely, as a busy
        # host may hold the flight thread itself up
        tripped = [e.shown() for e in self.events("MONITOR_TRIPPED")]
        silence = next(t["value"] for t in tripped if t["monitor"] == "HARDWARE_LINK")
        assert silence < 1.0 and safe_at - gone < 3.0, (silence, safe_at - gone)
        assert self.final(drive) == ("FAILED", "FAULT_STOP")
        refused = self.send("SAFE_RECOVER")
        self.run_until(lambda: self.final(refused) is not None, 1.0)
        assert self.final(refused) == ("REJECTED", "FAULT_ACTIVE")
