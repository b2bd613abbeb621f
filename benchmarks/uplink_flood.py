"""Uplink flood: a real-time `rover fsw` flooded over TCP while a signed DRIVE runs.

    python benchmarks/uplink_flood.py [--seconds 10] [--distance 0.6] [--speed 1]

Starts `rover fsw` (real-time clock, simulated rover, an uplink key) on a free port, connects as
the ground, sends one signed DRIVE, then for `--seconds` floods the same connection (the relay
attacker's place) at full loopback speed with garbage, unsigned commands and commands signed with
the wrong key, interleaved. From the rover's own telemetry it reports control-cycle lateness (p50
from HK's last-cycle samples; p99 from the share of cycles HK counts as over 20 ms late, the
executive's own threshold; max from each HK's worst since the one before), housekeeping gaps, the
distance driven against the commanded one, the growth of the fsw process's memory (VmRSS), and the
bytes sent against the bytes the rover's counters account for (taken in + dropped + waiting).

Goals: lateness p99 <= 20 ms and max <= 100 ms, no HK gap, RSS growth <= 20 MB, the distance
within the DRIVE's own tolerance (one control cycle of travel at the commanded speed), every byte
accounted for. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fsw.packets.catalog import Packet  # noqa: E402
from fsw.packets.framing import Deframer, frame  # noqa: E402
from fsw.security import Key  # noqa: E402
from fsw.tables import CATALOG  # noqa: E402
from tools.ground.link import telemetry_only  # noqa: E402
from tools.ground.signer import Signer, new_key, write_key  # noqa: E402
from tools.ground.verifier import DownlinkVerifier  # noqa: E402

GOAL_P99_MS, GOAL_MAX_MS, GOAL_RSS_MB = 20.0, 100.0, 20.0
CONTROL_PERIOD = 0.1
SPEED = 0.0447  # m/s, the DRIVE's speed (the top speed)
CHUNK = 64 * 1024


@dataclass
class Heard:
    """What the ground heard, kept by the reader thread."""

    hk: list[Packet] = field(default_factory=list)
    mobility: list[Packet] = field(default_factory=list)
    verify: list[Packet] = field(default_factory=list)
    events: list[Packet] = field(default_factory=list)
    refused: int = 0  # downlink packets whose seal did not verify (none expected)
    lock: threading.Lock = field(default_factory=threading.Lock)


def start_fsw(key: Path, speed: float) -> tuple[subprocess.Popen[str], int]:
    """`rover fsw` on a free port with uplink key `key`, and the port it listens on."""
    command = [sys.executable, "-m", "tools", "fsw", "--listen", "127.0.0.1:0", "--quiet"]
    proc = subprocess.Popen(
        [*command, "--key", str(key), "--speed", str(speed)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        found = re.search(r"ground link on tcp [\d.]+:(\d+)", line)
        if found:
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # never blocks it
            return proc, int(found.group(1))
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("rover fsw did not say where it listens")


def rss_mb(pid: int) -> float:
    """The process's resident memory now (MB), from /proc."""
    text = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(found.group(1)) / 1024 if found else float("nan")


def listen(sock: socket.socket, heard: Heard, key: Key) -> None:
    """Read the downlink until the connection ends, keeping the packets the figures need (each
    verified with the key, as every ground tool does: telemetry goes down sealed)."""
    deframer, verifier = Deframer(accepts=telemetry_only), DownlinkVerifier(key)
    while True:
        try:
            data = sock.recv(CHUNK)
        except OSError:
            return
        if not data:
            return
        for sealed in deframer.feed(data).packets:
            raw = verifier.check(sealed).packet
            if raw is None:
                heard.refused += 1
                continue
            try:
                p = CATALOG.decode(raw)
            except Exception:
                continue
            with heard.lock:
                if p.name == "HK":
                    heard.hk.append(p)
                elif p.name == "MOBILITY":
                    heard.mobility.append(p)
                elif p.name == "CMD_VERIFY":
                    heard.verify.append(p)
                elif p.kind == "event":
                    heard.events.append(p)


def wait_for(what: str, test: Any, timeout: float, heard: Heard) -> None:
    """Poll `test()` until true, or stop the benchmark saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            with heard.lock:
                told = [e.text() for e in heard.events[-5:]]
                hk = heard.hk[-1].shown() if heard.hk else {}
            raise SystemExit(
                f"uplink_flood: {what} did not happen within {timeout:g} s (NOT met); heard "
                f"{len(heard.hk)} HK, mode {hk.get('mode')}, last events {told}"
            )
        time.sleep(0.05)


def flood_batches(signer: Signer) -> list[bytes]:
    """One 64 KiB batch each of garbage, unsigned DRIVEs and DRIVEs signed with another key."""
    wrong = Signer(new_key(), signer.clock)
    drive = {"distance": 100.0, "radius": 0.0, "speed": SPEED}
    bare = [CATALOG.encode_command("DRIVE", drive, 1000 + s) for s in range(4096)]  # not seq 1
    unsigned = b"".join(frame(p) for p in bare)[:CHUNK]
    forged = b"".join(frame(wrong.seal(p)) for p in bare[:1500])[:CHUNK]
    return [os.urandom(CHUNK), unsigned, forged]


def flood(sock: socket.socket, batches: list[bytes], seconds: float) -> int:
    """Send the batches in turn for `seconds` at full speed; the bytes sent."""
    sent, end, i = 0, time.monotonic() + seconds, 0
    while time.monotonic() < end:
        batch = batches[i % len(batches)]
        sock.sendall(batch)
        sent += len(batch)
        i += 1
    return sent


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (nearest rank), 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def hk_gaps(hk: list[Packet]) -> int:
    """Housekeeping packets missing (by their time codes, 1 s apart)."""
    times = [p.time for p in hk if p.time is not None]
    return sum(max(0, round(b - a) - 1) for a, b in itertools.pairwise(times))


def main() -> int:
    """Run the flood, print the figures and the verdict; 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="flood length (10 s)")
    parser.add_argument("--distance", type=float, default=0.6, help="DRIVE distance (0.6 m)")
    parser.add_argument("--speed", type=float, default=1.0, help="rover fsw --speed (1)")
    args = parser.parse_args()
    key = new_key()
    path = Path(tempfile.mkdtemp()) / "uplink.key"
    write_key(path, key)
    proc, port = start_fsw(path, args.speed)
    heard = Heard()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.settimeout(None)
    threading.Thread(target=listen, args=(sock, heard, key), daemon=True).start()
    signer = Signer(key, lambda: time.time_ns() // 1000)
    try:
        wait_for("two HK packets", lambda: len(heard.hk) >= 2, 20 / args.speed, heard)
        load: tuple[float, ...] = os.getloadavg()
        rss_before = rss_mb(proc.pid)
        start_hk = len(heard.hk)
        travelled0 = heard.mobility[-1].values["travelled"]
        drive = {"distance": args.distance, "radius": 0.0, "speed": SPEED}
        seq = 1
        drive_frame = frame(signer.seal(CATALOG.encode_command("DRIVE", drive, seq)))
        sock.sendall(drive_frame)
        wait_for("DRIVE accepted", lambda: _stage(heard, seq) is not None, 10, heard)
        batches = flood_batches(signer)
        rss_peak = [rss_before]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(0.1):
                rss_peak.append(rss_mb(proc.pid))

        threading.Thread(target=sample, daemon=True).start()
        flooded = time.monotonic()
        sent = flood(sock, batches, args.seconds)
        rate = sent / (time.monotonic() - flooded) / 1e6
        wait_for(
            "the DRIVE's end",
            lambda: _stage(heard, seq) in ("COMPLETED", "FAILED", "REJECTED"),
            120 / args.speed,
            heard,
        )
        last = len(heard.hk)
        wait_for(
            "the inbox to drain",
            lambda: len(heard.hk) > last + 2 and heard.hk[-1].values["uplink_waiting"] == 0,
            60 / args.speed,
            heard,
        )
        sampling.set()
        rss_peak.append(rss_mb(proc.pid))
        load = (*load, *os.getloadavg())
    finally:
        sock.close()
        proc.terminate()
        proc.wait(10)
    print(f"flood sent at {rate:,.1f} MB/s on average (TCP flow control sets the pace)")
    sent += len(drive_frame)
    return report(args, heard, start_hk, travelled0, sent, rss_before, max(rss_peak), load, seq)


def _stage(heard: Heard, seq: int) -> str | None:
    with heard.lock:
        stages = [p.shown()["stage"] for p in heard.verify if p.values["cmd_seq"] == seq]
    return stages[-1] if stages else None


def report(
    args: argparse.Namespace,
    heard: Heard,
    start_hk: int,
    travelled0: float,
    sent: int,
    rss_before: float,
    rss_peak: float,
    load: tuple[float, ...],
    seq: int,
) -> int:
    """Print the figures against the goals; 1 when one is missed."""
    hk = heard.hk[start_hk:]
    worst = [p.values["cycle_late_max"] for p in hk]
    last = [p.values["cycle_late_last"] for p in hk]
    final = hk[-1].values
    base = heard.hk[start_hk - 1].values
    counted = sum(final[f] - base[f] for f in ("uplink_bytes", "uplink_dropped_bytes"))
    driven = heard.mobility[-1].values["travelled"] - travelled0
    tolerance = SPEED * CONTROL_PERIOD
    stage = _stage(heard, seq)
    worst_ms = max(worst)
    span = (hk[-1].time or 0.0) - (heard.hk[start_hk - 1].time or 0.0)  # HK is always timed
    cycles = round(span / CONTROL_PERIOD)
    late = final["cycles_late"] - base["cycles_late"]
    share = late / cycles if cycles else 1.0  # of cycles started over 20 ms late
    p50 = statistics.median(last)
    gaps = hk_gaps(hk)
    growth = rss_peak - rss_before
    overruns = final["cycle_overruns"] - base["cycle_overruns"]
    print(f"uplink flood: {args.seconds:g} s of garbage, unsigned and wrong-key DRIVEs on the "
          f"ground's own TCP connection, during a signed {args.distance:g} m DRIVE "
          f"(--speed {args.speed:g}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          f"before, {load[3]:.1f} after, on {os.cpu_count()} cores)")  # fmt: skip
    print(f"  control-cycle lateness over {cycles} cycles: p50 {p50:.1f} ms (HK's last-cycle "
          f"samples), {late} cycles ({100 * share:.2f}%) over 20 ms, so p99 "
          f"{'<=' if share <= 0.01 else '>'} 20 ms; max {worst_ms:.1f} ms; overruns "
          f"+{overruns}")  # fmt: skip
    print(f"  HK gaps: {gaps}; per-HK worst (ms): {' '.join(f'{w:.0f}' for w in worst)}")
    print(f"  downlink packets whose seal did not verify: {heard.refused}")
    print(f"  fsw RSS: {rss_before:.1f} MB before, {rss_peak:.1f} MB peak (+{growth:.1f} MB)")
    print(f"  DRIVE: {stage}, driven {driven:.4f} m of {args.distance:g} m "
          f"(tolerance {tolerance:.4f} m)")  # fmt: skip
    print(f"  bytes: sent {sent:,} (the DRIVE and the flood); rover took in "
          f"{final['uplink_bytes'] - base['uplink_bytes']:,}, dropped "
          f"{final['uplink_dropped_bytes'] - base['uplink_dropped_bytes']:,} "
          f"({final['uplink_dropped_chunks'] - base['uplink_dropped_chunks']:,} reads), waiting "
          f"{final['uplink_waiting']:,}; deferred cycles "
          f"{final['uplink_deferred'] - base['uplink_deferred']:,}; discard reports held back "
          f"{final['discards_unreported'] - base['discards_unreported']:,}")  # fmt: skip
    goals = [
        (f"lateness p99 <= {GOAL_P99_MS:g} ms", share <= 0.01),
        (f"lateness max <= {GOAL_MAX_MS:g} ms", worst_ms <= GOAL_MAX_MS),
        ("no HK gap", gaps == 0),
        ("every downlink seal verified", heard.refused == 0),
        (f"RSS growth <= {GOAL_RSS_MB:g} MB", growth <= GOAL_RSS_MB),
        ("DRIVE completed", stage == "COMPLETED"),
        ("distance within tolerance", abs(driven - args.distance) <= tolerance),
        ("every byte accounted for", counted == sent and final["uplink_waiting"] == 0),
    ]
    for name, met in goals:
        print(f"  goal {name}: {'met' if met else 'NOT met'}")
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
