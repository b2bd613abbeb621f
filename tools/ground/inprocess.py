"""A session with the flight software and the simulated rover in this process, on the simulated
clock: waiting runs the rover, so an hour's drive takes about a second, the same every time for a
given seed. What tests and rehearsals use when no emulator is running."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from pathlib import Path

from fsw.clock import NS, SimClock, to_ns
from fsw.flight import FlightSoftware
from fsw.packets.framing import frame
from hil.radio.relay_profile import RelayProfile
from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLine
from tools.ground.relayed import SimRelay
from tools.ground.session import Session
from tools.ground.signer import Signer, derived_challenges, derived_key
from tools.ground.verifier import DownlinkVerifier
from tools.runner import EPOCH_NS, build_rover
from tools.scenario import Scenario, TimedFault, load, parse
from tools.tlmlog import LogWriter

STEP = 0.1
"""Mission seconds the flight software runs between looks at what the ground waits for."""


class InProcessSession(Session):
    """The flight software and a simulated rover built from a scenario, driven by the ground.

    The scenario's terrain, start, sun and injected faults apply; its timed commands are sent only
    with `play_commands` (a test usually sends its own). Timeouts are mission seconds. Commands
    are authenticated with a key made from the seed unless `authenticated` is False. With `relay`
    (a profile, e.g. hil.radio.relay_profile.QUEQIAO), every frame both ways goes through the
    relay model: delayed by the light-time and the data rates, lost or corrupted as it says.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        play_commands: bool = False,
        dictionary: Dictionary | None = None,
        record: Path | None = None,
        authenticated: bool = True,
        relay: RelayProfile | None = None,
    ) -> None:
        if scenario is None:
            scenario = parse({"name": "lab", "duration": 1})
        elif not isinstance(scenario, Scenario):
            scenario = load(scenario)
        dictionary = dictionary or Dictionary.from_flight()
        recorder = None
        if record is not None:
            created = EPOCH_NS + round(scenario.start_time * 1e9)
            recorder = LogWriter(record, dictionary.fingerprint, flush_each=False,
                                 created_ns=created)  # fmt: skip
        super().__init__(dictionary, recorder)
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.clock = SimClock(scenario.start_time)
        self.rover = build_rover(scenario, self.clock, self.seed)
        self._timeline: list[tuple[float, int, Callable[[], None]]] = []
        self._uplink: list[bytes] = []
        self._order = order = itertools.count()
        for f in scenario.faults:

            def inject(f: TimedFault = f) -> None:
                self.rover.inject(f.kind, f.wheel, f.value)

            self._timeline.append((scenario.start_time + f.at, next(order), inject))
        if play_commands:
            for c in scenario.commands:
                definition = self.dictionary.command(c.name)
                line = CommandLine(definition, definition.check_args(dict(c.args)))

                def send(line: CommandLine = line) -> None:
                    self.send(line)

                self._timeline.append((scenario.start_time + c.at, next(order), send))
        heapq.heapify(self._timeline)
        self.relay = None if relay is None else SimRelay(relay, self.clock, scenario.start_time,
                                                         self.seed)  # fmt: skip
        key = derived_key(f"seed {self.seed}") if authenticated else None
        contact = None if self.relay is None else self.relay.contact
        challenges = derived_challenges(f"seed {self.seed}")  # reproducible telemetry
        self.flight = FlightSoftware(self.rover, self.clock, self._downlink, key=key,
                                     contact=contact, challenges=challenges)  # fmt: skip
        if key is not None:
            self.signer = Signer(key, lambda: self.ground_time_ns() // 1000)
        self.verifier = DownlinkVerifier(key)  # the relay in between could forge telemetry

    def now(self) -> float:
        """Mission time (s since the epoch)."""
        return self.clock.now()

    def _deadline(self, timeout: float) -> float:
        """On the clock's nanosecond grid, so that running to it reaches it exactly."""
        return to_ns(self.clock.now() + timeout) / NS

    def elapsed(self) -> float:
        """Mission seconds since the scenario started."""
        return self.clock.now() - self.scenario.start_time

    def ground_time_ns(self) -> int:
        """Mission time as ground time (without a relay, received the instant it is sent)."""
        return EPOCH_NS + self.clock.now_ns()

    def _downlink(self, packet: bytes) -> None:
        if self.relay is None:
            self.take(packet)
            return
        d = self.relay.downlink(packet)
        if d.arrival is not None:
            at, data = d.arrival, d.frame
            self._at(at, lambda: self._ground_receive(data, at))

    def _ground_receive(self, data: bytes, at: float) -> None:
        for packet in self.relay.ground_packets(data) if self.relay is not None else ():
            self.take(packet, EPOCH_NS + to_ns(at))

    def _at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._timeline, (when, next(self._order), action))

    def _transmit(self, packet: bytes) -> None:
        if self.relay is None:
            self._uplink.append(frame(packet))  # arrives when time next moves, after it is logged
            return
        d = self.relay.uplink(packet)
        if d.arrival is not None:
            data = d.frame
            self._at(d.arrival, lambda: self.flight.receive(data))

    def _advance(self, deadline: float) -> bool:
        if self._uplink:  # delivered between cycles, as the radio does
            self.flight.receive(self._uplink.pop(0))
            return True
        target = min(deadline, self.clock.now() + STEP)
        while self._timeline and self._timeline[0][0] <= target:
            at, _, action = heapq.heappop(self._timeline)
            self.flight.run(at)
            action()
        self.flight.run(target)
        return True

    def run_for(self, seconds: float) -> None:
        """Let the rover run for `seconds` of mission time."""
        self.wait_for(lambda: False, seconds)
