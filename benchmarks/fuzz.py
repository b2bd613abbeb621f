"""Fuzzing campaign: the uplink deframer, the command dispatcher (plain and authenticated uplink)
and the board protocol (both ends) against generated and mutated inputs.

    python benchmarks/fuzz.py [--inputs 1000000] [--seed 1] [--targets uplink,dispatcher,...]

Three sources per target: a fast mutation loop seeded from a corpus of valid inputs (bit flips,
byte sets, insertions, deletions, duplications, splices, delimiter injection, truncation, noise
tails) for volume; hypothesis strategies that build near-valid packets and messages (one field
changed, cut short, run long, the CRC fixed up after); and atheris, coverage-guided, where it is
installed (run in a child process per target; the campaign runs without it).
Checked for every input (benchmarks/fuzz_targets.py says exactly what): no exception escapes, and
every bad input is counted and reported with a reason. After every batch, and at the end, a valid
exchange still works: a PING with a fresh token gets its PING_REPLY (a board answers a SETPOINT).
Target: at least 1,000,000 inputs in all, none escaping, no property broken, every health check
passed. Figures: inputs per target and source, inputs/s, reasons, health checks passed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import FunctionType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402

from benchmarks.fuzz_targets import (  # noqa: E402
    BoardBoard,
    BoardStream,
    FlightDispatcher,
    FlightUplink,
    SecuredUplink,
    Target,
    Violation,
)

TARGETS: tuple[tuple[type[Target], float], ...] = (
    (FlightUplink, 0.25),
    (FlightDispatcher, 0.25),
    (SecuredUplink, 0.15),
    (BoardStream, 0.15),
    (BoardBoard, 0.20),
)
"""Each target and its share of the inputs: a new target is one more row."""
BY_NAME = {cls.name: cls for cls, _ in TARGETS}
SHOWN = 3  # examples of each failure kept for the report


def atheris_version() -> str | None:
    """atheris's version when it can be imported here, else None."""
    try:
        import atheris  # noqa: F401, PLC0415  (optional: the campaign runs without it)
    except ImportError:
        return None
    try:
        return metadata.version("atheris")
    except metadata.PackageNotFoundError:
        return "installed"


@dataclass
class Campaign:
    """One target's run: inputs fed by source, failures, health checks."""

    target: Target
    batch: int
    inputs: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)
    escaped: list[str] = field(default_factory=list)
    failures: int = 0
    health: list[bool] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""  # what went wrong running atheris, if anything

    @property
    def total(self) -> int:
        """Inputs fed so far."""
        return sum(self.inputs.values())

    def feed(self, data: bytes, source: str) -> None:
        """Feed one input, keep what went wrong, check health at every batch boundary."""
        try:
            self.target.run_one(data)
        except Violation as err:
            self.failures += 1
            self._keep(self.violations, f"{err} <- {data[:64].hex()}")
        except Exception as err:  # what the campaign looks for: nothing may escape
            self.failures += 1
            where = traceback.extract_tb(err.__traceback__)[-1]
            self._keep(self.escaped, f"{type(err).__name__}: {err} at {where.filename}:"
                                     f"{where.lineno} <- {data[:64].hex()}")  # fmt: skip
        self.inputs[source] += 1
        if self.total % self.batch == 0:
            self.check_health()

    def _keep(self, kept: list[str], text: str) -> None:
        if len(kept) < SHOWN:
            kept.append(text)

    def check_health(self) -> None:
        """A valid exchange right now must work."""
        try:
            self.health.append(self.target.healthy())
        except Exception as err:
            self.health.append(False)
            self._keep(self.escaped, f"health check: {type(err).__name__}: {err}")

    def stats(self) -> dict:
        """What a child process hands back to the campaign."""
        return {"inputs": dict(self.inputs), "violations": self.violations,
                "escaped": self.escaped, "failures": self.failures, "health": self.health,
                "reasons": dict(self.target.reasons)}  # fmt: skip

    def merge(self, stats: dict) -> None:
        """Add a child's figures."""
        self.inputs.update(stats["inputs"])
        self.violations += stats["violations"][: SHOWN - len(self.violations)]
        self.escaped += stats["escaped"][: SHOWN - len(self.escaped)]
        self.failures += stats["failures"]
        self.health += stats["health"]
        self.target.reasons.update(stats["reasons"])


def run_mutation(c: Campaign, n: int, seed: int) -> None:
    """`n` mutated inputs."""
    import random  # noqa: PLC0415

    rng = random.Random(seed)
    for _ in range(n):
        c.feed(c.target.generate(rng), "mutation")


def run_hypothesis(c: Campaign, n: int, seed: int) -> None:
    """`n` inputs from the target's hypothesis strategy (generation only: failures are kept,
    not raised, so nothing is shrunk and the run goes on)."""
    if n <= 0:
        return

    @hypothesis_seed(seed)
    @settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(c.target.strategy())
    def fuzz(data: bytes) -> None:
        c.feed(data, "hypothesis")

    before = c.total
    while c.total - before < n:  # hypothesis may stop early when it has seen enough
        done = c.total
        fuzz()
        if c.total == done:
            break


def run_atheris(c: Campaign, n: int, seed: int) -> str:
    """`n` coverage-guided inputs in a child process; what went wrong running it, if anything."""
    if n <= 0:
        return ""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for i, data in enumerate(c.target.corpus[:256]):
            (corpus / f"seed{i}").write_bytes(data)
        stats = Path(tmp) / "stats.json"
        command = [sys.executable, __file__, "--atheris-child", c.target.name, "--runs", str(n),
                   "--seed", str(seed), "--batch", str(c.batch), "--stats", str(stats),
                   str(corpus)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if not stats.exists():
            return f"atheris child failed ({done.returncode}): {done.stderr[-500:]}"
        c.merge(json.loads(stats.read_text()))
    return ""


def atheris_child(args: argparse.Namespace) -> int:
    """Run one target under atheris for --runs inputs and write its figures to --stats."""
    import atheris  # noqa: PLC0415

    c = Campaign(BY_NAME[args.atheris_child](args.seed), args.batch)
    stats = Path(args.stats)

    def one(data: bytes) -> None:
        c.feed(c.target.from_fuzzer(data), "atheris")
        if c.total % c.batch == 0 or c.total >= args.runs:
            if c.total == args.runs:
                c.check_health()
            stats.write_text(json.dumps(c.stats()))

    instrument(atheris.instrument_func, ("fsw", "hil", "cobs", "benchmarks"))
    atheris.Setup([sys.argv[0], f"-runs={args.runs}", f"-seed={args.seed}", "-max_len=2048",
                   "-print_final_stats=0", *args.corpus], one)  # fmt: skip
    atheris.Fuzz()
    return 0


def instrument(patch: Callable[[Any], Any], packages: tuple[str, ...]) -> int:
    """Give atheris coverage of the code under test: every function and method of the loaded
    modules of `packages` (atheris.instrument_all would take a minute over numpy and the rest);
    how many were instrumented."""
    done = 0
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in packages:
            continue
        for obj in list(vars(module).values()):
            members = vars(obj).values() if isinstance(obj, type) else (obj,)
            for member in members:
                func = getattr(member, "__func__", getattr(member, "fget", member))
                if isinstance(func, FunctionType) and func.__module__ == name:
                    with contextlib.suppress(Exception):  # a builtin or an odd code object
                        patch(func)
                        done += 1
    return done


def run_target(cls: type[Target], n: int, args: argparse.Namespace, atheris: bool) -> Campaign:
    """One target's share of the campaign, from all three sources."""
    c = Campaign(cls(args.seed), args.batch)
    started = time.perf_counter()
    n_hyp = round(n * args.hypothesis_share)
    n_ath = round(n * args.atheris_share) if atheris else 0
    c.note = run_atheris(c, n_ath, args.seed)
    run_hypothesis(c, n_hyp, args.seed)
    run_mutation(c, n - c.total, args.seed)
    c.check_health()  # and at the very end
    c.seconds = time.perf_counter() - started
    return c


def report(campaigns: list[Campaign], requested: int, wall: float, reasons: int) -> bool:
    """Print the figures; whether every target was met."""
    print(f"{'target':<16}{'inputs':>10}{'mutation':>10}{'hypoth.':>9}{'atheris':>9}"
          f"{'inputs/s':>10}{'health':>12}{'failures':>9}")  # fmt: skip
    for c in campaigns:
        i = c.inputs
        health, rate = f"{sum(c.health)}/{len(c.health)}", c.total / c.seconds
        print(f"{c.target.name:<16}{c.total:>10,}{i['mutation']:>10,}{i['hypothesis']:>9,}"
              f"{i['atheris']:>9,}{rate:>10,.0f}{health:>12}{c.failures:>9}")  # fmt: skip
    total = sum(c.total for c in campaigns)
    checks = sum(len(c.health) for c in campaigns)
    passed = sum(sum(c.health) for c in campaigns)
    failures = sum(c.failures for c in campaigns)
    print(f"{'all':<16}{total:>10,}{'':>28}{total / wall:>10,.0f}{f'{passed}/{checks}':>12}"
          f"{failures:>9}")  # fmt: skip
    for c in campaigns:
        print(f"\nreasons, {c.target.name} (top {reasons}):")
        for reason, count in c.target.reasons.most_common(reasons):
            print(f"  {count:>9,}  {reason}")
        if c.note:
            print(f"  atheris: {c.note}")
        for text in c.violations:
            print(f"  PROPERTY BROKEN: {text}")
        for text in c.escaped:
            print(f"  EXCEPTION ESCAPED: {text}")
    ok = total >= requested and failures == 0 and passed == checks
    print(f"\n{total:,} inputs (target >= {requested:,}) in {wall:.1f} s; {failures} failures "
          f"(target 0); health checks {passed}/{checks} (target all)")  # fmt: skip
    print("targets met" if ok else "TARGETS NOT MET")
    return ok


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="in all (1,000,000)")
    parser.add_argument("--seed", type=int, default=1, help="of every generator (1)")
    parser.add_argument("--batch", type=int, default=1000, help="inputs between health checks")
    parser.add_argument("--targets", default=",".join(BY_NAME), help="comma-separated subset")
    parser.add_argument("--hypothesis-share", type=float, default=0.05, metavar="F")
    parser.add_argument(
        "--atheris-share",
        type=float,
        default=0.2,
        metavar="F",
        help="of each target's inputs, when atheris is installed (0: none)",
    )
    parser.add_argument("--reasons", type=int, default=12, help="reasons shown per target")
    parser.add_argument("--atheris-child", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stats", help=argparse.SUPPRESS)
    parser.add_argument("corpus", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [t for t in args.targets.split(",") if t not in BY_NAME]
    if unknown:
        parser.error(f"unknown target {unknown[0]!r}: one of {', '.join(BY_NAME)}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the campaign; 0 when every target was met."""
    args = parse_args(argv)
    if args.atheris_child:
        return atheris_child(args)
    chosen = [(cls, share) for cls, share in TARGETS if cls.name in args.targets.split(",")]
    version = atheris_version()
    shares = sum(share for _, share in chosen)
    print(f"fuzzing {args.inputs:,} inputs, seed {args.seed}, health check every "
          f"{args.batch:,}; atheris {version or 'not installed: skipped'}")  # fmt: skip
    started = time.perf_counter()
    campaigns = []
    for cls, share in chosen:
        n = round(args.inputs * share / shares)
        campaigns.append(run_target(cls, n, args, version is not None))
        print(f"  {cls.name}: {campaigns[-1].total:,} inputs, {campaigns[-1].seconds:.1f} s",
              flush=True)  # fmt: skip
    return 0 if report(campaigns, args.inputs, time.perf_counter() - started, args.reasons) else 1


if __name__ == "__main__":
    raise SystemExit(main())
