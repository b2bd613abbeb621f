"""`rover run SCENARIO`: flight software and simulated rover as fast as possible, a telemetry log,
and the summary an operator would read."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from tools import scenario as scenarios
from tools.cli.common import SEED_MAX, seed_number
from tools.runner import RunResult, run
from tools.story import Story

LONG_RUN = 3600.0
"""Runs longer than this (simulated s) show a progress bar on a terminal."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover run`."""
    p = sub.add_parser(
        "run",
        help="run a scenario on the simulated rover and check its expectations",
        description="Run a scenario (TOML, see scenarios/) with the flight software on the "
        "simulated rover as fast as possible; print the summary; exit 1 if an expectation "
        "did not hold.",
    )
    p.add_argument("scenario", help="scenario file, e.g. scenarios/flat-20m.toml")
    p.add_argument("--out", metavar="LOG", help="write the telemetry log here")
    p.add_argument(
        "--seed", type=seed_number, help=f"random seed, 0..{SEED_MAX} (default: the scenario's)"
    )
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    """Run the scenario and print its summary."""
    sc = scenarios.load(args.scenario)
    out = Path(args.out) if args.out else None
    if sc.duration > LONG_RUN and sys.stderr.isatty():
        with Progress(
            TextColumn(f"[bold]{sc.name}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f} / {task.total:,.0f} s simulated"),
            TimeRemainingColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task("run", total=sc.duration)
            result = run(sc, seed=args.seed, out=out,
                         progress=lambda done, _: bar.update(task, completed=done))  # fmt: skip
    else:
        result = run(sc, seed=args.seed, out=out)
    print(summary(result))
    return 0 if result.passed else 1


def summary(r: RunResult) -> str:
    """What the run's telemetry says, and whether the scenario's expectations held."""
    s: Story = r.story
    mob = s.last.get("MOBILITY", {})
    hk = s.last.get("HK", {})
    lines = [
        f"scenario   {r.scenario.name} (seed {r.seed})",
        f"simulated  {r.simulated:,.0f} s in {r.wall:.2f} s wall "
        f"({r.simulated / max(r.wall, 1e-9):,.0f}x real time), {r.packets} packets",
    ]
    if r.log is not None:
        lines.append(f"log        {r.log}")
    lines += [
        f"distance   {mob.get('travelled', 0.0):.2f} m over the ground",
        f"modes      {' -> '.join(s.modes)}",
        f"final pose x {mob.get('x', 0.0):.2f} m, y {mob.get('y', 0.0):.2f} m, "
        f"heading {mob.get('heading', 0.0):.1f} deg, pitch {mob.get('pitch', 0.0):.1f} deg; "
        f"mode {hk.get('mode')}, {hk.get('healthy_wheels')} healthy wheels",
    ]
    faults = [(t, text) for t, name, _, text in s.events
              if name in ("MONITOR_TRIPPED", "WHEEL_ISOLATED", "MOTION_STOPPED")]  # fmt: skip
    lines.append(f"faults     {len(faults) or 'none'}")
    start = s.start or 0.0
    lines += [f"  t+{t - start:8.1f} s  {text}" for t, text in faults]
    if r.results:
        held = sum(ok for _, ok, _ in r.results)
        lines.append(f"expected   {held} of {len(r.results)} held")
        for text, ok, seen in r.results:
            lines.append(f"  {'ok  ' if ok else 'FAIL'} {text}  ({seen})")
    lines.append("PASSED" if r.passed else "FAILED")
    return "\n".join(lines)
