"""`rover fsw`: the emulator on the real-time clock with the simulated rover. Until the ground link
exists, it prints what the rover sends: every event, and one status line per housekeeping period."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace

from fsw.clock import RealTimeClock
from fsw.flight import FlightSoftware
from fsw.packets.framing import frame
from fsw.tables import CATALOG
from tools import scenario as scenarios
from tools.runner import build_rover
from tools.scenario import Scenario, parse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover fsw`."""
    p = sub.add_parser(
        "fsw",
        help="run the emulator in real time on the simulated rover",
        description="Run the flight software in real time against the simulated rover and print "
        "its events and a status line per housekeeping packet. With --scenario, the terrain, "
        "start and command script come from a scenario file (commands sent at their times).",
    )
    p.add_argument("--scenario", metavar="FILE", help="terrain, start and commands from here")
    p.add_argument("--seed", type=int, help="random seed of the simulated rover")
    p.add_argument(
        "--duration", type=float, metavar="S", help="stop after S seconds (default: run until ^C)"
    )
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    """Run until the duration has passed or the user interrupts."""
    sc = scenarios.load(args.scenario) if args.scenario else parse({"name": "lab", "duration": 1})
    seed = sc.seed if args.seed is None else args.seed
    clock = RealTimeClock()
    start = clock.now()
    sc = _shifted(sc, start)
    rover = build_rover(sc, clock, seed)  # type: ignore[arg-type]
    flight = FlightSoftware(rover, clock, _printer(start))
    print(f"rover fsw: flight software on the simulated rover, seed {seed}; ^C stops", flush=True)
    end = None if args.duration is None else start + args.duration
    try:
        for seq, c in enumerate(sc.commands):  # sent between cycles, at their times
            if end is not None and start + c.at > end:
                break
            flight.run(start + c.at)
            flight.receive(frame(CATALOG.encode_command(c.name, c.args, seq)))
        flight.run(end)
    except KeyboardInterrupt:
        print("rover fsw: stopped", flush=True)
    return 0


def _shifted(sc: Scenario, start: float) -> Scenario:
    """The scenario starting now instead of at its own start time."""
    return replace(sc, start_time=start)


def _printer(start: float) -> Callable[[bytes], None]:
    def show(packet: bytes) -> None:
        p = CATALOG.decode(packet)
        t = (p.time or start) - start
        if p.kind == "event":
            severity = p.definition.severity.name  # type: ignore[union-attr]
            print(f"t+{t:7.1f}s {severity:<8} {p.text()}", flush=True)
        elif p.name == "HK":
            v = p.shown()
            print(
                f"t+{t:7.1f}s HK       {v['mode']:<9} wheels {v['healthy_wheels']} "
                f"cmds {v['cmd_accepted']}/{v['cmd_rejected']} rejected",
                flush=True,
            )
        elif p.name == "MOBILITY":
            v = p.shown()
            print(
                f"t+{t:7.1f}s MOBILITY x {v['x']:.2f} y {v['y']:.2f} heading {v['heading']:.1f} "
                f"pitch {v['pitch']:.1f} travelled {v['travelled']:.2f} m {v['motion']}",
                flush=True,
            )

    return show
