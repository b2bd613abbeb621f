"""A flight software on the simulated rover, driven and read the way the ground would: commands
in as COBS frames, every packet out decoded."""

from __future__ import annotations

from typing import Any

from fsw.clock import NS, SimClock
from fsw.flight import FlightSoftware
from fsw.packets.catalog import Packet
from fsw.packets.framing import frame
from fsw.security import Key
from fsw.tables import CATALOG
from hil.sim import SimRover, Terrain
from tools.ground.verifier import DownlinkVerifier

START = 86400.0


class SteppedClock(SimClock):
    """A simulated clock read the way a real one is (the executive measures lateness on it): a
    test stalls the flight thread by advancing mission time from inside a call on that thread."""

    measures_load = True

    def stall(self, seconds: float) -> None:
        """Mission time passes with nothing run, as while a thread is held."""
        self._ns += round(seconds * NS)


class Rover:
    """Flight software + simulated rover + a ground that keeps everything it hears."""

    def __init__(
        self,
        terrain: Terrain | None = None,
        *,
        hardware: Any = None,
        key: Key | None = None,
        flight: dict[str, Any] | None = None,
        clock: SimClock | None = None,
        **sim: Any,
    ) -> None:
        """`hardware`: a hardware port, or a function of the clock that makes one; `key`: the
        uplink key (None: insecure, bare commands run); `flight`: more FlightSoftware options;
        `clock`: another simulated clock (a SteppedClock), started at START."""
        self.clock = clock or SimClock(START)
        if callable(hardware):  # a factory of a port that needs the clock
            hardware = hardware(self.clock)
        self.sim = hardware or SimRover(self.clock.now, terrain or Terrain(), **sim)
        self.packets: list[Packet] = []
        self.verifier = DownlinkVerifier(key)  # with a key, telemetry comes down sealed
        self.flight = FlightSoftware(
            self.sim,
            self.clock,
            self._heard,
            key=key,
            **(flight or {}),
        )
        self.seq = 0

    def _heard(self, packet: bytes) -> None:
        verdict = self.verifier.check(packet)
        assert verdict.packet is not None, verdict.why  # nothing between them forges
        self.packets.append(CATALOG.decode(verdict.packet))

    def send(self, name: str, check: bool = True, **args: Any) -> int:
        """Send a command; its sequence count."""
        seq, self.seq = self.seq, self.seq + 1
        self.flight.receive(frame(CATALOG.encode_command(name, args, seq, check=check)))
        return seq

    def send_armed(self, name: str, **args: Any) -> int:
        """ARM a hazardous command, then send it; its sequence count."""
        self.send("ARM", command=name)
        return self.send(name, **args)

    def run(self, seconds: float) -> None:
        """Let simulated time pass."""
        self.flight.run(self.clock.now() + seconds)

    def stages(self, seq: int) -> list[tuple[str, str, int]]:
        """Every verification report of command `seq`: (stage, reason, arg_index)."""
        return [
            (v["stage"], v["reason"], v["arg_index"])
            for p in self.packets
            if p.name == "CMD_VERIFY" and (v := p.shown())["cmd_seq"] == seq
        ]

    def events(self, name: str | None = None) -> list[Packet]:
        """Events raised (of one name)."""
        return [p for p in self.packets if p.kind == "event" and name in (None, p.name)]

    def texts(self) -> list[str]:
        """Every event's text."""
        return [p.text() or "" for p in self.events()]

    def last(self, packet: str) -> dict[str, Any]:
        """The latest values of a telemetry packet."""
        return next(p.shown() for p in reversed(self.packets) if p.name == packet)
