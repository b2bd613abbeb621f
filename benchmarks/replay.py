"""Replay speed: build a telemetry log of 1,000,000 packets, then time `rover replay LOG` (the
summary) and `rover replay LOG --csv DIR`, in process, and print packets per second.

The log is a real run (scenarios/wheel-stall-50m.toml: a 50 m traverse with a wheel stall) with an
event added after every 40th packet (about 2.5 % events), repeated with sequence counts, time
codes, receive times and CRCs rewritten as one long mission, and every f32 field that varies in
the run scaled a little per repetition so that it stays as varied as a real long traverse.

    python benchmarks/replay.py [--packets 1000000] [--keep DIR] [--profile]

Targets: the summary at least 500,000 packets/s and the CSV export at least 150,000 packets/s
(a million packets, some eleven days of 1 Hz housekeeping, summarised in 2 s, exported in 7 s).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from fsw.packets import ccsds
from fsw.tables import CATALOG
from tools import bulk, replay, runner, scenario
from tools.cli import main as rover
from tools.dictionary import Dictionary
from tools.replay.index import index_records, read_log
from tools.tlmlog import HEAD_SIZE, HEADER_SIZE, SYNC, TAIL, RecordType, encode_header

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "wheel-stall-50m.toml"
EXTRA_EVENTS = (
    ("MONITOR_CLEARED", {"monitor": "SLIP", "wheel": "NONE", "value": 0.125}),
    ("PING_REPLY", {"token": 42}),
    ("PARAM_VALUE", {"param": 1, "value": 2.5}),
)


def template(tmp: Path) -> list[tuple[int, int, bytes]]:
    """(record type, receive ns, packet) of one real run, with extra events mixed in."""
    log = tmp / "template.tlm"
    runner.run(scenario.load(SCENARIO), out=log)
    data, header = read_log(log)
    index = index_records(data, header.size)
    out = []
    for n, (start, length, rtype, ns) in enumerate(
        zip(
            index.packet_offsets.tolist(),
            index.lengths.tolist(),
            index.types.tolist(),
            index.received_ns.tolist(),
            strict=True,
        )
    ):
        packet = data[start : start + length]
        out.append((rtype, ns, packet))
        if n % 40 == 39:
            name, args = EXTRA_EVENTS[n // 40 % len(EXTRA_EVENTS)]
            time_code = CATALOG.decode(packet).time if rtype == RecordType.DOWNLINK else None
            event = CATALOG.encode_event(name, args, 0, time_code or 0.0)
            out.append((RecordType.DOWNLINK, ns, event))
    return out


def build(path: Path, packets: int, tmp: Path) -> None:
    """A log of `packets` records: the template repeated as one continuous mission."""
    items = template(tmp)
    m = len(items)
    reps = -(-packets // m)
    span = (max(ns for _, ns, _ in items) - min(ns for _, ns, _ in items)) // 10**9 + 1
    sizes = np.array([HEAD_SIZE + len(p) + TAIL.size for _, _, p in items], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    block = int(sizes.sum())
    out = np.zeros(HEADER_SIZE + block * reps, dtype=np.uint8)
    header = encode_header(Dictionary.from_flight().fingerprint, items[0][1])
    out[:HEADER_SIZE] = np.frombuffer(header, dtype=np.uint8)
    apids = [(p[0] << 8 | p[1]) & ccsds.APID_MASK | (t << 12) for t, _, p in items]
    per_apid: dict[int, int] = {}  # packets of each APID (and direction) in the template
    within = []  # each packet's place among its APID's: its sequence count in repetition 0
    for a in apids:
        within.append(per_apid.get(a, 0))
        per_apid[a] = within[-1] + 1
    r = np.arange(reps, dtype=np.int64)[:, None]
    groups: dict[tuple, list[int]] = {}  # packets alike but for counts, times and values
    for k, (t, _, p) in enumerate(items):
        event_id = p[12:14] if t == RecordType.DOWNLINK else b""
        groups.setdefault((t, len(p), p[:2], event_id), []).append(k)
    for keys in groups.values():
        ks = np.array(keys)
        rtype = items[keys[0]][0]
        size = len(items[keys[0]][2])
        pk = np.stack([np.frombuffer(items[k][2], dtype=np.uint8) for k in keys])
        rows = np.repeat(pk[None], reps, axis=0)  # reps x len(keys) x size
        seq = (np.array([within[k] for k in keys])[None] + r * per_apid[apids[keys[0]]]) % 16384
        rows[:, :, 2] = (rows[:, :, 2] & 0xC0) | (seq >> 8)
        rows[:, :, 3] = seq & 0xFF
        if rtype == RecordType.DOWNLINK:
            coarse = pk[:, 6:10].copy().view(">u4")[:, 0][None].astype(np.int64) + r * span
            rows[:, :, 6:10] = coarse.astype(">u4")[..., None].view(np.uint8)
            _vary(rows, pk, r)
        rows = rows.reshape(-1, size)
        rows[:, -2:] = bulk.crc16_rows(rows[:, :-2]).astype(">u2")[:, None].view(np.uint8)
        ns = np.array([items[k][1] for k in keys], dtype=np.int64)[None] + r * span * 10**9
        head = np.zeros((len(rows), HEAD_SIZE), dtype=np.uint8)
        head[:, 0:2] = np.frombuffer(SYNC.to_bytes(2, "big"), dtype=np.uint8)
        head[:, 2] = rtype
        head[:, 4:12] = ns.reshape(-1).astype(">i8")[:, None].view(np.uint8)
        head[:, 12:14] = np.frombuffer(size.to_bytes(2, "big"), dtype=np.uint8)
        head[:, 14:16] = bulk.crc16_rows(head[:, :14]).astype(">u2")[:, None].view(np.uint8)
        where = (HEADER_SIZE + r * block + starts[ks][None]).reshape(-1)
        width = HEAD_SIZE + size
        out[where[:, None] + np.arange(width)] = np.concatenate([head, rows], axis=1)
    ends = HEADER_SIZE + (r * block + (starts + sizes)[None]).reshape(-1)[:packets]
    data = out[: ends[-1]].tobytes()
    view = memoryview(data)
    firsts = (ends - np.tile(sizes, reps)[:packets]).tolist()
    crcs = [zlib.crc32(view[a : b - TAIL.size]) for a, b in zip(firsts, ends.tolist(), strict=True)]
    tail_at = ends - TAIL.size
    buf = np.frombuffer(data, dtype=np.uint8).copy()
    buf[tail_at[:, None] + np.arange(4)] = np.array(crcs, dtype=">u4")[:, None].view(np.uint8)
    path.write_bytes(buf.tobytes())


def _vary(rows: np.ndarray, template_rows: np.ndarray, r: np.ndarray) -> None:
    """Scale each f32 field that varies within the run a little per repetition."""
    word0 = int(template_rows[0, 0]) << 8 | int(template_rows[0, 1])
    tm = next((t for t in CATALOG.telemetry if CATALOG.layout(t).packet_id == word0), None)
    if tm is None:
        return
    layout = CATALOG.layout(tm)
    for f in tm.fields:
        if f.type != "f32":
            continue
        at = layout.offsets[f.name]
        column = template_rows[:, at : at + 4].copy().view(">f4")[:, 0]
        if len(np.unique(column)) * 2 <= len(column):
            continue
        scaled = column[None].astype(np.float32) * (1 + r.astype(np.float32) * 1e-6)
        rows[:, :, at : at + 4] = scaled.astype(">f4")[..., None].view(np.uint8)


def timed(argv: list[str], repeats: int) -> float:
    """Median wall time of `rover ARGV` in process, its output thrown away."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            status = rover(argv)
        samples.append(time.perf_counter() - start)
        assert status == 0, argv
    return statistics.median(samples)


TARGET_SUMMARY, TARGET_CSV = 500_000, 150_000
"""packets/s of `rover replay LOG` and `rover replay LOG --csv DIR`."""


def main(argv: list[str] | None = None) -> int:
    """Build the log, time both, print the figures; 0 when both targets are met, else 1."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="build the log and CSVs here and keep them")
    parser.add_argument("--profile", action="store_true", help="profile one --csv run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(args.keep or scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        log = tmp / "big.tlm"
        start = time.perf_counter()
        build(log, args.packets, tmp)
        print(f"built {log.name}: {args.packets:,} packets, {log.stat().st_size:,} bytes "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
        r = replay.load(log)
        s = replay.summary(r)
        assert s.records == args.packets and not s.missing and not s.crc_errors, s
        counts = {**s.telemetry, "events": sum(s.events.values()), "commands": len(r.commands)}
        print("mix       " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        n = args.packets
        plain = timed(["replay", str(log)], args.repeats)
        csv = timed(["replay", str(log), "--csv", str(tmp / "csv")], args.repeats)
        size = sum(p.stat().st_size for p in (tmp / "csv").iterdir())
        print(f"summary   rover replay LOG            {plain:6.2f} s  {n / plain:11,.0f} packets/s"
              f"  (target >= {TARGET_SUMMARY:,})")  # fmt: skip
        print(f"csv       rover replay LOG --csv DIR  {csv:6.2f} s  {n / csv:11,.0f} packets/s"
              f"  ({size / 1e6:,.0f} MB of CSV; target >= {TARGET_CSV:,})")  # fmt: skip
        if args.profile:
            profile = cProfile.Profile()
            with contextlib.redirect_stdout(io.StringIO()):
                profile.runcall(rover, ["replay", str(log), "--csv", str(tmp / "csv")])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    ok = n / plain >= TARGET_SUMMARY and n / csv >= TARGET_CSV
    print("targets met" if ok else "TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
