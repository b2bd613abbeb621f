"""Run a scenario: the flight software and the simulated rover on the simulated clock, as fast as
the CPU allows, with the ground's commands sent at their times and every packet logged."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fsw.clock import SimClock
from fsw.flight import FlightSoftware
from fsw.packets.catalog import Packet
from fsw.packets.framing import frame
from fsw.packets.timecode import MISSION_EPOCH
from fsw.tables import CATALOG
from hil.sim.rover import SimRover
from hil.sim.sun import FixedSun, SunModel
from hil.sim.terrain import Terrain
from tools.dictionary import Dictionary
from tools.ground.signer import Signer, derived_challenges, derived_key
from tools.ground.verifier import DownlinkVerifier
from tools.scenario import Scenario, ScenarioError, TimedFault
from tools.story import Story, check, tell
from tools.tlmlog import LogWriter, RecordType

EPOCH_NS = int(MISSION_EPOCH.timestamp()) * 1_000_000_000
CHUNK = 60.0
"""Simulated seconds between progress reports."""


@dataclass
class RunResult:
    """What a run produced."""

    scenario: Scenario
    seed: int
    story: Story
    results: list[tuple[str, bool, str]]
    packets: int
    simulated: float
    wall: float
    log: Path | None = None
    sent: dict[int, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return all(ok for _, ok, _ in self.results)


def build_rover(scenario: Scenario, clock: SimClock, seed: int) -> SimRover:
    """The simulated rover a scenario describes."""
    try:
        terrain = Terrain.from_dict(scenario.terrain)
    except ValueError as err:
        raise ScenarioError(str(err)) from None
    r, s = scenario.rover, scenario.sun
    sun: SunModel | FixedSun | None = None
    if "elevation" in s:
        sun = FixedSun(s["elevation"])
    elif s:
        sun = SunModel(scenario.start_time + s.get("sunrise", 0.0), s.get("max_elevation", 45.0))
    return SimRover(
        clock.now,
        terrain,
        x=r.get("x", 0.0),
        y=r.get("y", 0.0),
        heading_deg=r.get("heading", 0.0),
        seed=seed,
        sun=sun,
        battery_soc=r.get("battery_soc", 90.0),
        imu_noise_deg=r.get("imu_noise", 0.0),
        exterior_temp=r.get("exterior_temp"),
    )


def run(
    scenario: Scenario,
    *,
    seed: int | None = None,
    out: Path | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> RunResult:
    """Run `scenario` to its end; `progress(done, total)` is told every simulated minute."""
    seed = scenario.seed if seed is None else seed
    clock = SimClock(scenario.start_time)
    rover = build_rover(scenario, clock, seed)
    packets: list[bytes] = []
    writer = None
    if out is not None:
        fingerprint = Dictionary.from_flight().fingerprint
        created = EPOCH_NS + round(scenario.start_time * 1e9)
        writer = LogWriter(out, fingerprint, flush_each=False, created_ns=created)

    key = derived_key(f"seed {seed}")  # ground and rover share it: both ways authenticated
    verifier = DownlinkVerifier(key)

    def downlink(packet: bytes) -> None:
        inner = verifier.check(packet).packet
        if inner is None:  # nothing stands between them: a refusal is a flight software bug
            raise RuntimeError(verifier.last_refusal)
        packets.append(inner)
        if writer is not None:
            writer.receive(inner, EPOCH_NS + clock.now_ns())  # playbacks merged

    started = time.perf_counter()
    flight = FlightSoftware(
        rover, clock, downlink, key=key, challenges=derived_challenges(f"seed {seed}")
    )
    signer = Signer(key, lambda: (EPOCH_NS + clock.now_ns()) // 1000)
    sent: dict[int, str] = {}
    timeline: list[tuple[float, int, Callable[[], None]]] = []
    for seq, c in enumerate(scenario.commands):
        packet = CATALOG.encode_command(c.name, c.args, seq)
        sent[seq] = c.name

        def send(packet: bytes = packet) -> None:
            if writer is not None:
                writer.write(packet, EPOCH_NS + clock.now_ns(), RecordType.UPLINK)
            flight.receive(frame(signer.seal(packet)))

        timeline.append((c.at, 1, send))
    for fault in scenario.faults:
        assert rover.faults is not None

        def inject(f: TimedFault = fault) -> None:
            rover.inject(f.kind, f.wheel, f.value)

        timeline.append((fault.at, 0, inject))
    timeline.sort(key=lambda item: (item[0], item[1]))
    end = scenario.start_time + scenario.duration
    try:
        for at, _, action in timeline:
            _run_until(flight, scenario.start_time + at, end, progress, scenario)
            action()
        _run_until(flight, end, end, progress, scenario)
    finally:
        if writer is not None:
            writer.close()
    wall = time.perf_counter() - started
    decoded: list[Packet] = [CATALOG.decode(p) for p in packets]
    story = tell(decoded, sent)
    return RunResult(
        scenario, seed, story, check(story, scenario.expect), len(packets),
        scenario.duration, wall, out, sent,
    )  # fmt: skip


def _run_until(
    flight: FlightSoftware,
    until: float,
    end: float,
    progress: Callable[[float, float], None] | None,
    scenario: Scenario,
) -> None:
    if progress is None:
        flight.run(until)
        return
    now = flight.clock.now()
    while now < until:
        now = min(until, now + CHUNK)
        flight.run(now)
        progress(now - scenario.start_time, end - scenario.start_time)
