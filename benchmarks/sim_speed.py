"""Simulation speed: the reference traverse (100 m with a 20 deg climb and a wheel failure, 10 Hz
control, 1 Hz housekeeping, every packet encoded and logged) in simulated seconds per wall second.

    python benchmarks/sim_speed.py [--runs N] [--profile]

Target: at least 10,000x real time. The figure covers the flight software, the simulated rover and
the log writer; the ground's reading of the log afterwards is not counted.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import scenario  # noqa: E402
from tools.runner import run  # noqa: E402

TARGET = 10_000.0


def main(argv: list[str] | None = None) -> int:
    """Run the traverse and print the figure (and a profile with --profile); 0 when the target
    is met, 1 when it is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    args = parser.parse_args(argv)
    sc = scenario.load(ROOT / "scenarios" / "reference-traverse.toml")
    speeds = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            result = run(sc, out=Path(tmp) / f"run{i}.tlm")
            if not result.passed:
                raise SystemExit("the reference traverse did not meet its expectations")
            speeds.append(result.simulated / result.wall)
        median = statistics.median(speeds)
        print(f"reference traverse: {sc.duration:,.0f} s simulated, {result.packets} packets")
        print(f"  {median:,.0f} simulated s per wall s (median of {args.runs}; "
              f"target {TARGET:,.0f}: {median / TARGET:.2f}x of it)")  # fmt: skip
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            run(sc, out=Path(tmp) / "profiled.tlm")
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
    ok = median >= TARGET
    print("target met" if ok else "TARGET NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
