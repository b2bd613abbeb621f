"""Soak: 30 simulated days of the flight software on the simulated rover, lunar night included,
under random valid commands; no crash, and memory that does not grow.

    python benchmarks/soak.py [--days 30] [--seed 1] [--every 300] [--fault-share 0.01]

The flight software runs in this process on the simulated clock (hours in seconds) against the
simulated rover, with the sun of hil/sim/sun.py (a 29.53-day synodic month, 45 deg at noon): the
run starts --before-sunset hours before sunset, so 30 days hold one whole lunar night and the
lunar day after it. The ground sends a random command every --every mission seconds on average
(uniform between 0.2x and 1.8x): any command of the table with random valid arguments (ARM first
for a hazardous one, as an operator would; SIM_INJECT_FAULT at --fault-share of the commands; a
SET_PARAM never re-tunes WAKE_ELEVATION or WAKE_BATTERY, which the night plan relies on). While
the sun is down the ground only checks on the rover (PING, NOOP, GET_PARAM). From an hour before
sunset it sends STOP and HIBERNATE every ten minutes until the rover sleeps, as the lunar-night
scenario's ground does; the rover wakes by itself.
Figures: packets, commands accepted/rejected/completed/failed (rejection reasons), monitors
tripped (COMMAND_LOSS among them: a dead-man stop is behaviour, not a fault), modes visited,
resident set size per simulated day and at the end (and the peak), wall time.
Targets: no exception escapes; the rover sleeps through the night and wakes after sunrise;
resident size at the end at most --rss-growth MB (5) above its size at the end of the first
simulated day on which the onboard store (fsw/store.py: 4 MB of packets by default, some 60,000
packets held as Python objects) was full; until then memory grows as the store fills, by design
(slowly at night: 4,000 packets a day). Five MB: after that a leak of one 33-byte object per
packet adds over 200 MB in the weeks of a 30-day run, one per control cycle as much again, and
one 600-byte object per command over 5 MB, while allocator noise stays near 1 MB.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.valid_commands import random_args  # noqa: E402
from fsw.clock import SimClock  # noqa: E402
from fsw.flight import FlightSoftware  # noqa: E402
from fsw.packets import ccsds  # noqa: E402
from fsw.packets.framing import frame  # noqa: E402
from fsw.packets.reasons import Reason  # noqa: E402
from fsw.packets.schema import CommandDef  # noqa: E402
from fsw.tables import CATALOG  # noqa: E402
from fsw.tables.enums import Mode, Stage, Trigger  # noqa: E402
from fsw.tables.monitors import MONITORS  # noqa: E402
from hil.sim import SimRover, Terrain  # noqa: E402
from hil.sim.sun import SYNODIC_PERIOD, SunModel  # noqa: E402

DAY = 86400.0
START = 10 * DAY
MAX_PACKET = CATALOG.max_packet_size
VERIFY_APID = CATALOG.telemetry_packet("CMD_VERIFY").apid
EVENT_APID = CATALOG.event_apid
KEPT_PARAMS = ("WAKE_ELEVATION", "WAKE_BATTERY")
"""Parameters the soak never sets: the night plan needs the rover to wake at sunrise."""
NIGHT_COMMANDS = ("PING", "NOOP", "GET_PARAM")
"""What the ground sends while the sun is down: checks that do not wake the rover."""
DUSK = 3600.0
"""From this long before sunset the ground puts the rover to sleep."""
WAKE_WITHIN = 1.5 * DAY
"""The rover must wake this soon after sunrise (the sun reaches 5 deg after about 0.52 days)."""


def rss_mb() -> float:
    """Resident set size now (MB), from /proc; the peak so far where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """The largest resident set size so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Figures:
    """What the soak counted."""

    packets: int = 0
    stages: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    tripped: Counter[str] = field(default_factory=Counter)
    modes: list[str] = field(default_factory=list)  # in the order first visited
    sent: int = 0
    wakes: list[tuple[float, str]] = field(default_factory=list)  # left HIBERNATE: when, why
    asleep_at_midnight: list[bool] = field(default_factory=list)  # one per night
    days: list[str] = field(default_factory=list)


class Soak:
    """The flight software, the simulated rover and a random but valid ground."""

    def __init__(self, seed: int, before_sunset: float, every: float, fault_share: float) -> None:
        self.rng = random.Random(seed)
        self.every, self.fault_share = every, fault_share
        self.clock = SimClock(START)
        sunset = START + before_sunset
        self.sun = SunModel(sunset - SYNODIC_PERIOD / 2, 45.0)
        rover = SimRover(self.clock.now, Terrain(), seed=seed, sun=self.sun)
        self.f = Figures()
        self.flight = FlightSoftware(rover, self.clock, self.downlink)
        self.seq = 0
        self.baseline_day = 0  # the day whose resident size growth is measured from
        self.store_filled = True  # whether that day is the one the onboard store filled on
        self.commands = [c for c in CATALOG.commands if c.name not in ("ARM", "SIM_INJECT_FAULT")]
        self.night = [CATALOG.command(name) for name in NIGHT_COMMANDS]
        self.fault = CATALOG.command("SIM_INJECT_FAULT")
        self._visit(self.flight.mode)

    # ---- what comes down --------------------------------------------------------------------

    def downlink(self, packet: bytes) -> None:
        """Count every packet; read verification reports and events."""
        self.f.packets += 1
        apid = ccsds.apid_of(packet)
        if apid == VERIFY_APID:
            values = CATALOG.decode(packet).values
            stage = Stage(values["stage"])
            self.f.stages[stage.name] += 1
            if stage is Stage.REJECTED:
                self.f.rejected[Reason(values["reason"]).name] += 1
        elif apid == EVENT_APID:
            event = CATALOG.decode(packet)
            self.f.events[event.name] += 1
            if event.name == "MONITOR_TRIPPED":
                self.f.tripped[MONITORS[event.values["monitor"]].name] += 1
            elif event.name == "MODE_CHANGED":
                self._visit(Mode(event.values["to_mode"]))
                if event.values["from_mode"] == Mode.HIBERNATE:
                    trigger = Trigger(event.values["trigger"]).name
                    self.f.wakes.append((self.clock.now(), trigger))

    def _visit(self, mode: Mode) -> None:
        if mode.name not in self.f.modes:
            self.f.modes.append(mode.name)

    # ---- the sun ----------------------------------------------------------------------------

    def sun_up(self) -> bool:
        """Whether the sun is above the horizon now."""
        return self.sun.elevation(self.clock.now()) > 0

    def waking(self) -> bool:
        """Whether the rover is still asleep after a sunrise: the ground waits for it to wake by
        itself (and only checks on it), as it would."""
        now = self.clock.now()
        return self.flight.mode is Mode.HIBERNATE and any(
            sunset < now <= sunrise + WAKE_WITHIN for sunset, sunrise in self.nights(now + 1.0)
        )

    def nights(self, end: float) -> list[tuple[float, float]]:
        """(sunset, sunrise) of every night under way at the start or beginning before `end`."""
        out, sunset = [], self.sun.next_sunset(START)
        if self.sun.elevation(START) <= 0:
            sunset -= SYNODIC_PERIOD
        while sunset < end:
            out.append((sunset, sunset + SYNODIC_PERIOD / 2))
            sunset += SYNODIC_PERIOD
        return out

    # ---- what goes up -----------------------------------------------------------------------

    def send(self, command: CommandDef, args: dict) -> None:
        """One command packet, framed, into the flight software's uplink."""
        self.seq += 1
        packet = CATALOG.encode_command(command, args, self.seq & 0x3FFF)
        self.flight.receive(frame(packet))
        self.f.sent += 1

    def random_command(self) -> None:
        """A random valid command (a check only, at night), ARMed first when hazardous."""
        rng = self.rng
        if not self.sun_up() or self.waking():
            command = rng.choice(self.night)
        elif rng.random() < self.fault_share:
            command = self.fault
        else:
            command = rng.choice(self.commands)
        if command.hazardous:
            self.send(CATALOG.command("ARM"), {"command": command.apid << 8 | command.code})
        self.send(command, random_args(command, rng, KEPT_PARAMS))

    def dusk(self) -> None:
        """Put the rover to sleep for the night, as the ground does at dusk."""
        if self.flight.mode is not Mode.HIBERNATE:
            self.send(CATALOG.command("STOP"), {})
            self.send(CATALOG.command("HIBERNATE"), {})

    # ---- the run ----------------------------------------------------------------------------

    def run(self, days: float, progress: bool = True) -> float:
        """Run for `days` simulated days; the resident size (MB) at the end of the first day
        on which the onboard store was full (else of the first day), the baseline of growth."""
        end = START + days * DAY
        midnights = [t for s, _ in self.nights(end) if START < (t := s + SYNODIC_PERIOD / 4) < end]
        next_command = START + self.rng.uniform(0.2, 1.8) * self.every
        sunset = self.sun.next_sunset(START)  # of the night to come, or of this one
        if not self.sun_up():
            sunset -= SYNODIC_PERIOD
        next_dusk = max(START, sunset - DUSK)
        next_day = START + DAY
        baseline = first_day = math.nan
        while True:
            midnight = midnights[0] if midnights else math.inf
            now = min(next_command, next_dusk, next_day, midnight, end)
            self.flight.run(now)
            if now == next_day:
                gc.collect()
                rss = rss_mb()
                store = self.flight.forward.store
                if math.isnan(first_day):
                    first_day = rss
                if math.isnan(baseline) and store.used > store.size - MAX_PACKET:
                    baseline, self.baseline_day = rss, round((now - START) / DAY)
                self.day_line(round((now - START) / DAY), rss, progress)
                next_day += DAY
            if now >= end:
                break
            if now == midnight:
                self.f.asleep_at_midnight.append(self.flight.mode is Mode.HIBERNATE)
                midnights.pop(0)
            elif now == next_dusk:
                self.dusk()
                next_dusk = now + 600.0  # until it sleeps, or an hour after sunset
                if self.flight.mode is Mode.HIBERNATE or next_dusk > max(sunset, START) + DUSK:
                    sunset += SYNODIC_PERIOD
                    next_dusk = sunset - DUSK
            elif now == next_command:
                self.random_command()
                next_command = now + self.rng.uniform(0.2, 1.8) * self.every
        if math.isnan(baseline):  # the store never filled: from the first day
            baseline, self.baseline_day, self.store_filled = first_day, 1, False
        return baseline

    def day_line(self, day: int, rss: float, progress: bool) -> None:
        """One line per simulated day: how the rover and the memory are doing."""
        s, store = self.flight.sensors, self.flight.forward.store
        line = (f"  day {day:>2}: {self.flight.mode.name:<9} sun {s.sun_elevation:6.1f} deg  "
                f"battery {s.battery_soc:5.1f} %  packets {self.f.packets:>11,}  "
                f"store {store.used / 2**20:4.2f} MB  RSS {rss:6.1f} MB")  # fmt: skip
        self.f.days.append(line)
        if progress:
            print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the soak and print its figures; 0 when every target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30.0, help="simulated days (30)")
    parser.add_argument("--seed", type=int, default=1, help="of the commands and the rover (1)")
    parser.add_argument("--every", type=float, default=300.0, metavar="S",
                        help="mean mission seconds between random commands (300)")  # fmt: skip
    parser.add_argument("--fault-share", type=float, default=0.01, metavar="F",
                        help="share of daytime commands: SIM_INJECT_FAULT (0.01)")  # fmt: skip
    parser.add_argument("--before-sunset", type=float, default=12.0, metavar="H",
                        help="hours from the start to sunset (12; < 0: night)")  # fmt: skip
    parser.add_argument("--rss-growth", type=float, default=5.0, metavar="MB",
                        help="largest growth allowed once the store is full (5 MB)")  # fmt: skip
    args = parser.parse_args(argv)
    gc.collect()
    rss_start = rss_mb()
    started = time.perf_counter()
    soak = Soak(args.seed, args.before_sunset * 3600, args.every, args.fault_share)
    crash = ""
    try:
        baseline = soak.run(args.days)
    except Exception as err:  # the soak's first target: nothing escapes
        crash = f"{type(err).__name__}: {err}"
        baseline = math.nan
    wall = time.perf_counter() - started
    gc.collect()
    return report(soak, args, rss_start, baseline, rss_mb(), wall, crash)


def report(soak: Soak, args: argparse.Namespace, rss_start: float, baseline: float,
           rss_end: float, wall: float, crash: str) -> int:  # fmt: skip
    """Print the figures; 0 when the targets are met."""
    f = soak.f
    simulated = soak.clock.now() - START
    print(f"soak: {simulated / DAY:.2f} simulated days in {wall:.1f} s of wall time "
          f"({simulated / wall:,.0f}x real time), seed {args.seed}")  # fmt: skip
    print(f"packets produced: {f.packets:,}; commands sent: {f.sent:,}")
    print("commands: " + ", ".join(f"{s.name.lower()} {f.stages[s.name]:,}" for s in
          (Stage.ACCEPTED, Stage.REJECTED, Stage.COMPLETED, Stage.FAILED)))  # fmt: skip
    print("  rejected for: " + ", ".join(f"{r} {n:,}" for r, n in f.rejected.most_common()))
    print("monitors tripped: " + (", ".join(f"{m} {n}" for m, n in f.tripped.most_common())
                                  or "none"))  # fmt: skip
    print(f"modes visited: {', '.join(f.modes)}")
    ok_night = True
    end = START + args.days * DAY
    checks = iter(f.asleep_at_midnight)
    for n, (sunset, sunrise) in enumerate(soak.nights(end)):
        midnight = sunset + SYNODIC_PERIOD / 4
        checked = START < midnight < end
        asleep = next(checks, False) if checked else True
        woke = [(t, why) for t, why in f.wakes if sunset < t <= sunrise + WAKE_WITHIN]
        if woke:
            wake = f"woke {(woke[0][0] - sunrise) / 3600:+.1f} h from sunrise ({woke[0][1]})"
            ok_night = ok_night and woke[0][0] >= sunrise
        elif sunrise + WAKE_WITHIN > end:
            wake = "the run ends before the wake is due"
        else:
            wake, ok_night = "NO WAKE", False
        ok_night = ok_night and asleep
        midnight_text = ("yes" if asleep else "NO") if checked else "not in the run"
        print(f"night {n + 1}: sunset at day {(sunset - START) / DAY:.2f}, sunrise at day "
              f"{(sunrise - START) / DAY:.2f}; asleep at midnight: {midnight_text}; "
              f"{wake}")  # fmt: skip
    growth = rss_end - baseline
    why = "store full" if soak.store_filled else "store never full"
    print(f"resident size: start {rss_start:.1f} MB, day {soak.baseline_day} ({why}) "
          f"{baseline:.1f} MB, end {rss_end:.1f} MB (growth {growth:+.1f} MB, target <= "
          f"{args.rss_growth:g}), "
          f"peak {max(peak_rss_mb(), rss_end, baseline):.1f} MB")  # fmt: skip
    if crash:
        print(f"CRASH: {crash}")
    ok_memory = (math.isnan(growth) and args.days < 1) or growth <= args.rss_growth
    ok = not crash and ok_night and ok_memory
    print("targets met" if ok else "TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
