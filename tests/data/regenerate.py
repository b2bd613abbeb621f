"""Regenerate the golden telemetry logs from the shipped scenarios:

    python tests/data/regenerate.py

Run it when the flight software or the log format changes on purpose (tests/tools/test_golden.py
says when the goldens are stale). Each golden is the log `rover run` writes for the scenario at its
own seed, gzip-compressed with no name and mtime 0, so the same code gives the same bytes; a golden
whose content has not changed is left as it is.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from tools import scenario  # noqa: E402
from tools.runner import run  # noqa: E402

HERE = Path(__file__).resolve().parent
GOLDENS = ("wheel-stall-50m", "rock-0.25m-stops", "second-failure-safes")
"""Shipped scenarios kept as golden logs (tests/data/NAME.tlm.gz)."""
COMMAND = "python tests/data/regenerate.py"


def golden(name: str) -> Path:
    """Where the golden log of scenario `name` lives."""
    return HERE / f"{name}.tlm.gz"


def record(name: str, workdir: Path) -> bytes:
    """The log the runner writes today for scenario `name` (uncompressed)."""
    out = workdir / f"{name}.tlm"
    out.unlink(missing_ok=True)  # a log writer appends to an existing log
    result = run(scenario.load(ROOT / "scenarios" / f"{name}.toml"), out=out)
    if not result.passed:
        failed = "; ".join(f"{what} ({seen})" for what, ok, seen in result.results if not ok)
        raise SystemExit(f"{name}: the scenario no longer holds, so no golden: {failed}")
    return out.read_bytes()


def compress(raw: bytes) -> bytes:
    """gzip with no file name and mtime 0: the same bytes for the same log."""
    return gzip.compress(raw, compresslevel=9, mtime=0)


def main() -> int:
    """Record every golden; write those whose content changed."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in GOLDENS:
            raw = record(name, Path(tmp))
            path = golden(name)
            old = gzip.decompress(path.read_bytes()) if path.exists() else None
            if old == raw:
                print(f"{path.name:32} unchanged")
                continue
            path.write_bytes(compress(raw))
            print(
                f"{path.name:32} {'written' if old is None else 'REWRITTEN'}: "
                f"{len(raw):,} bytes, {path.stat().st_size:,} gzipped"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
