"""The ground recorder killed with SIGKILL mid-write, again and again: nothing it reported flushed
may be lost or damaged, and the log must always open.

    python benchmarks/recorder_kill.py [--kills 50] [--seed 1] [--append-runs 5]

A child process records a known stream of packets (packet i is the same in every process: a
telemetry packet of the catalog with values drawn from seed i, receive time i ms) into a log with
the recorder's own writer (tools.tlmlog.LogWriter), reporting on a pipe, after each flush, how
many records it has flushed. Half the children flush every record (the `rover record` policy,
flush_each=True), half flush every 64 records (flush_each=False, as `rover run` and in-process
sessions write), so that a kill often lands in the middle of a record handed to the OS in part.
The parent SIGKILLs the child at a random moment, then reads the log with the recorder's reader
(tools.tlmlog.LogReader) and with replay's loader (tools.replay.load), and checks: it opens, a
torn last record is reported and skipped, every record up to the last reported flush is there and
byte-identical, and every record after it is a correct one (nothing corrupted). The next child
appends to the same log (the writer cuts the torn tail off first), so recovery is exercised too;
a fresh log is started every --append-runs kills. A last child closes cleanly: the whole log
then reads back with no torn tail, nothing skipped.
Target: 0 records lost before the last flush, 0 damaged, every log opened. Records written after
the last flush may be lost (that is what flushing means); their count is shown.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fsw.packets.crc import append_crc  # noqa: E402
from tools.dictionary import Dictionary  # noqa: E402
from tools.replay.load import load  # noqa: E402
from tools.runner import EPOCH_NS  # noqa: E402
from tools.tlmlog import LogReader, LogWriter, Record, RecordType, encode_record  # noqa: E402

BATCH_FLUSH = 64
"""Records between flushes in the batched policy."""
FINGERPRINT = b"killtest"
"""The log's dictionary fingerprint: fixed, as the packets do not come from the tables."""
CLEAN_RECORDS = 1000
"""Records the last child appends before it closes the log cleanly."""


def packet(i: int) -> bytes:
    """Packet number `i` of the stream: the same bytes in every process, whatever the tables
    say (others edit them while this runs): a CCSDS telemetry packet with a secondary header,
    a payload of 8 to 247 bytes drawn from seed `i`, and its CRC."""
    rng = random.Random(i)
    body = rng.randbytes(8 + rng.randrange(240))
    head = struct.pack(">HHH", 0x0800 | 0x100 | (i % 16), 0xC000 | (i & 0x3FFF), len(body) + 1)
    return append_crc(head + body)


def received_ns(i: int) -> int:
    """Receive time of record `i`."""
    return EPOCH_NS + i * 1_000_000


def record_type(i: int) -> RecordType:
    """Most records are downlink; every 10th is logged as an uplink, as the recorder logs both."""
    return RecordType.UPLINK if i % 10 == 9 else RecordType.DOWNLINK


def child(log: Path, start: int, flush_every: int, count: int) -> None:
    """Record packets `start`, `start` + 1, ... (`count` of them, then close), reporting on
    stdout each record written (w) and each flush (f) with the records it covers."""
    writer = LogWriter(log, FINGERPRINT, flush_each=flush_every == 1)
    os.write(1, f"ready {writer.recovered_bytes}\n".encode())
    for i in range(start, start + count):
        writer.write(packet(i), received_ns(i), record_type(i))
        if flush_every == 1 or (i + 1 - start) % flush_every == 0:
            writer.flush()  # a no-op after flush_each's own: then the report
            os.write(1, f"f {i + 1}\n".encode())
        else:
            os.write(1, f"w {i + 1}\n".encode())
    writer.close()
    os.write(1, f"f {start + count}\n".encode())


@dataclass
class Watched:
    """What the parent heard from a child."""

    ready: threading.Event = field(default_factory=threading.Event)
    started: bool = False
    recovered: int = 0
    flushed: int = 0
    written: int = 0


def listen(proc: subprocess.Popen, watched: Watched) -> None:
    """Read the child's reports until its pipe closes."""
    assert proc.stdout is not None
    for line in proc.stdout:
        word, _, value = line.decode().partition(" ")
        if word == "ready":
            watched.recovered = int(value)
            watched.started = True
            watched.ready.set()
        elif word == "f":
            watched.flushed = watched.written = int(value)
        elif word == "w":
            watched.written = int(value)
    watched.ready.set()  # it died before it was ready: do not wait for ever


@dataclass
class Totals:
    """The campaign's figures."""

    kills: int = 0
    checked: int = 0  # records compared byte for byte, over every read-back
    lost_after_flush: int = 0  # written, not reported flushed, not in the log
    lost_before_flush: int = 0  # reported flushed, not in the log: must stay 0
    damaged: int = 0  # a record that is not the one written there: must stay 0
    torn_tails: int = 0
    torn_bytes: int = 0
    recovered_bytes: int = 0  # torn tails cut off by the next writer
    torn_made: int = 0  # records cut short by hand (a power cut), to be reported torn
    clean_ok: bool = False  # the last, cleanly closed log read back whole
    unreadable: list[str] = field(default_factory=list)


def check_log(
    log: Path, flushed: int, attempted: int, totals: Totals, dictionary: Dictionary
) -> int:
    """Read the log back as the recorder's reader and replay do; records in it."""
    try:
        reader = LogReader(log)
        records: list[Record] = list(reader)
        replay = load(log, dictionary)
    except Exception as err:  # the point: a killed recorder's log must always open
        totals.unreadable.append(f"{log.name}: {type(err).__name__}: {err}")
        return 0
    stats = reader.stats
    totals.damaged += stats.corrupt_records + stats.unknown_records + (stats.skipped_bytes > 0)
    if stats.torn_tail_bytes:
        totals.torn_tails += 1
        totals.torn_bytes += stats.torn_tail_bytes
    for i, r in enumerate(records):
        if (r.packet, r.received_ns, r.type) != (packet(i), received_ns(i), record_type(i)):
            totals.damaged += 1
    if len(replay.records) != len(records) or replay.records.stats != stats:
        totals.damaged += 1
    totals.checked += len(records)
    totals.lost_before_flush += max(0, flushed - len(records))
    totals.lost_after_flush += max(0, attempted - max(flushed, len(records)))
    return len(records)


def tear(
    log: Path, present: int, rng: random.Random, totals: Totals, dictionary: Dictionary
) -> None:
    """Append the first part of record `present` to the log, as a write cut short by a power
    cut leaves it, and check that the reader reports it as a torn tail and still reads every
    record before it. A SIGKILL can leave a torn tail too (a batching writer's buffer goes out
    in 8 KiB pieces, not whole records): the writer that records next cuts it off first, so
    one is opened and closed here before the power cut, as the recorder would be."""
    writer = LogWriter(log, FINGERPRINT, flush_each=False)
    totals.recovered_bytes += writer.recovered_bytes
    writer.close()
    whole = encode_record(packet(present), received_ns(present), record_type(present))
    cut = rng.randrange(1, len(whole))
    with log.open("ab") as f:
        f.write(whole[:cut])
    torn_before = totals.torn_tails
    if check_log(log, present, present, totals, dictionary) != present:
        totals.damaged += 1
    if totals.torn_tails != torn_before + 1:
        totals.unreadable.append(f"{log.name}: a torn tail of {cut} bytes was not reported")
    totals.torn_made += 1


def run_child(
    log: Path, start: int, flush_every: int, delay: float | None, count: int = 2_000_000
) -> Watched:
    """A recording child, SIGKILLed `delay` s after it is ready (None: let it finish)."""
    command = [sys.executable, __file__, "--child", str(log), "--start", str(start),
               "--flush-every", str(flush_every), "--count", str(count)]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE)
    watched = Watched()
    reader = threading.Thread(target=listen, args=(proc, watched), daemon=True)
    reader.start()
    watched.ready.wait(60)
    if delay is not None:
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join()
    return watched


def main(argv: list[str] | None = None) -> int:
    """Run the campaign (or, with --child, be the recorder); 0 when the targets are met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50, help="children killed (50)")
    parser.add_argument("--seed", type=int, default=1, help="of the kill moments (1)")
    parser.add_argument("--append-runs", type=int, default=5, help="kills per log (5)")
    parser.add_argument("--max-delay", type=float, default=0.3, help="latest kill, s after ready")
    parser.add_argument("--keep", type=Path, help="keep the logs in this directory")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--flush-every", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=2_000_000, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child, args.start, args.flush_every, args.count)
        return 0
    return campaign(args)


def campaign(args: argparse.Namespace) -> int:
    """Kill, read back, check; print the figures."""
    rng = random.Random(args.seed)
    totals = Totals()
    dictionary = Dictionary.from_flight()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        present, log = 0, folder / "kill-0.tlm"
        for kill in range(args.kills):
            if kill % args.append_runs == 0:
                present, log = 0, folder / f"kill-{kill}.tlm"
            flush_every = 1 if kill % 2 == 0 else BATCH_FLUSH
            watched = run_child(log, present, flush_every, rng.uniform(0.0, args.max_delay))
            totals.kills += 1
            if not watched.started:
                totals.unreadable.append(f"{log.name}: the recorder did not start")
            totals.recovered_bytes += watched.recovered
            present = check_log(log, watched.flushed, watched.written, totals, dictionary)
            if kill % 3 == 2:  # as a power cut leaves it: the next record, cut short
                tear(log, present, rng, totals, dictionary)
        clean = run_child(log, present, BATCH_FLUSH, None, count=CLEAN_RECORDS)
        before = totals.torn_tails
        closed = check_log(log, clean.flushed, clean.written, totals, dictionary)
        totals.clean_ok = closed == present + CLEAN_RECORDS and totals.torn_tails == before
    wall = time.perf_counter() - started
    return report(totals, wall)


def report(totals: Totals, wall: float) -> int:
    """Print the figures; 0 when the targets are met."""
    print(f"kills: {totals.kills} (SIGKILL at random moments, {wall:.1f} s)")
    print(f"records checked byte for byte: {totals.checked:,}")
    print(f"torn tails reported and skipped: {totals.torn_tails} ({totals.torn_bytes:,} bytes; "
          f"{totals.torn_made} of them records cut short by hand, as a power cut leaves them); "
          f"cut off by the next writer: {totals.recovered_bytes:,} bytes")  # fmt: skip
    print(f"records lost after the last flush (allowed): {totals.lost_after_flush:,}")
    print(f"records lost before the last flush: {totals.lost_before_flush} (target 0)")
    print(f"records damaged or skipped: {totals.damaged} (target 0)")
    print(f"after a clean close, the whole log reads back with no torn tail: "
          f"{'yes' if totals.clean_ok else 'NO'}")  # fmt: skip
    for text in totals.unreadable:
        print(f"  LOG DID NOT OPEN: {text}")
    ok = totals.clean_ok and not (totals.lost_before_flush or totals.damaged or totals.unreadable)
    print("targets met" if ok else "TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
