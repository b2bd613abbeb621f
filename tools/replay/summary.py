"""What a log holds, in a form a person reads: time span, packets per type, sequence gaps, CRC
errors, undecodable packets and what the log reader skipped; as plain text or with rich."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from fsw.packets.timecode import utc_iso
from tools.replay.gaps import ApidSequence, apid_names, sequences
from tools.replay.model import BadPacket, Replay
from tools.tlmlog import ScanStats

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EXAMPLES = 5
"""Bad packets listed one by one (the rest are counted)."""


@dataclass
class Summary:
    """The figures `rover replay` prints, as data."""

    path: Path
    size: int
    records: int
    log_dictionary: str  # fingerprints, hex
    dictionary: str
    packet_span: tuple[float, float] | None  # mission seconds, from the time codes
    received_span: tuple[int, int] | None  # ns since 1970, from the ground receive times
    telemetry: dict[str, int]
    events: dict[str, int]
    commands: dict[str, int]
    sequences: list[ApidSequence]
    crc_errors: int
    crc_by_name: dict[str, int]
    undecodable: dict[str, int]  # by reason
    examples: list[BadPacket] = field(default_factory=list)
    idle: int = 0
    stats: ScanStats = field(default_factory=ScanStats)

    @property
    def dictionary_matches(self) -> bool:
        """Whether the log was recorded with the dictionary used to read it."""
        return self.log_dictionary == self.dictionary

    @property
    def missing(self) -> int:
        """Downlink packets missing by their sequence counts, over every APID."""
        return sum(s.missing for s in self.sequences)


def summary(replay: Replay) -> Summary:
    """The summary of a replayed log."""
    times = replay.seq_counts.time[np.isfinite(replay.seq_counts.time)]
    received = replay.records.received_ns
    names = apid_names(replay)
    return Summary(
        path=replay.path,
        size=replay.size,
        records=len(replay.records),
        log_dictionary=replay.header.dictionary.hex(),
        dictionary=replay.dictionary.fingerprint.hex(),
        packet_span=(float(times.min()), float(times.max())) if len(times) else None,
        received_span=(int(received.min()), int(received.max())) if len(received) else None,
        telemetry={name: len(table) for name, table in replay.telemetry.items()},
        events=dict(Counter(e.name for e in replay.events)),
        commands=dict(Counter(c.name for c in replay.commands)),
        sequences=sequences(replay),
        crc_errors=len(replay.crc_errors),
        crc_by_name=dict(
            Counter(names.get(b.apid, f"APID {b.apid}") for b in replay.crc_errors)  # type: ignore[arg-type]
        ),
        undecodable=dict(Counter(b.reason for b in replay.undecodable)),
        examples=(replay.crc_errors + replay.undecodable)[:EXAMPLES],
        idle=replay.idle,
        stats=replay.records.stats,
    )


def duration(seconds: float) -> str:
    """A duration as a person says it: 45.2 s, 31 min 40 s, 5 h 02 min, 3 d 4 h."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    if whole < 86400:
        return f"{whole // 3600} h {whole % 3600 // 60:02d} min"
    return f"{whole // 86400} d {whole % 86400 // 3600} h"


def received_utc(ns: int) -> str:
    """A ground receive time as ISO 8601 UTC, to the nearest microsecond."""
    when = UNIX_EPOCH + timedelta(microseconds=(ns + 500) // 1000)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


Row = tuple[str, str, str]
"""(label, text, level): level is '', 'ok', 'warn' or 'bad'."""


def rows(s: Summary) -> list[Row]:
    """The summary as labelled lines, each marked with how much it matters."""
    out: list[Row] = [("log", f"{s.path} ({s.size:,} bytes, {s.records:,} records)", "")]
    if s.dictionary_matches:
        out.append(("dictionary", f"{s.dictionary}, as the log's", ""))
    else:
        text = f"log recorded with {s.log_dictionary}, decoded with {s.dictionary}"
        out.append(("dictionary", text, "warn"))
    if s.packet_span is not None:
        a, b = s.packet_span
        out.append(("packets", f"{utc_iso(a)} .. {utc_iso(b)}  ({duration(b - a)})", ""))
    if s.received_span is not None:
        a2, b2 = s.received_span
        span = f"{received_utc(a2)} .. {received_utc(b2)}  ({duration((b2 - a2) / 1e9)})"
        out.append(("received", span, ""))
    total = sum(s.telemetry.values())
    out.append(("telemetry", _many(total, "packet"), ""))
    out += _counts(s.telemetry)
    out.append(("events", f"{sum(s.events.values()):,}", ""))
    out += _counts(s.events)
    out.append(("uplinked", _many(sum(s.commands.values()), "command"), ""))
    out += _counts(s.commands)
    out += _gap_rows(s.sequences)
    crc = f"{s.crc_errors:,}" + _by(s.crc_by_name)
    out.append(("CRC errors", crc, "bad" if s.crc_errors else "ok"))
    bad = sum(s.undecodable.values())
    out.append(("undecodable", f"{bad:,}" + _by(s.undecodable), "bad" if bad else "ok"))
    for example in s.examples:
        where = f"record at byte {example.offset:,} ({example.direction.name.lower()}"
        where += f", {received_utc(example.received_ns)})"
        out.append(("", f"{where}: {example.reason}: {example.message}", ""))
    if s.idle:
        out.append(("idle", f"{s.idle:,} idle packets (link fill) skipped", ""))
    out.append(_reader_row(s.stats))
    return out


def _many(n: int, thing: str) -> str:
    return f"{n:,} {thing}" + ("" if n == 1 else "s")


def _counts(counts: dict[str, int]) -> list[Row]:
    width = max((len(name) for name in counts), default=0)
    return [("", f"  {name:<{width}} {n:>9,}", "") for name, n in sorted(counts.items())]


def _by(counts: dict[str, int]) -> str:
    return f" ({', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))})" if counts else ""


def _gap_rows(seqs: list[ApidSequence]) -> list[Row]:
    missing = sum(s.missing for s in seqs)
    gaps = sum(s.gap_count for s in seqs)
    text = f"{_many(missing, 'packet')} missing in {_many(gaps, 'gap')}" if gaps else "no gaps"
    out: list[Row] = [("sequence", f"{text} over {len(seqs)} APIDs", "bad" if gaps else "ok")]
    for s in seqs:
        notes = [f"{_many(s.gap_count, 'gap')}, {s.missing:,} missing"] if s.gap_count else []
        if s.restarts:
            notes.append(f"counter restarted {s.restarts}x (reboot)")
        if s.repeats:
            notes.append(f"{s.repeats:,} repeated")
        if not notes:
            continue
        out.append(("", f"  {s.name} (APID {s.apid:#05x}): {'; '.join(notes)}", ""))
        for g in s.gaps:
            when = utc_iso(g.after_time) if math.isfinite(g.after_time) else "no time code"
            out.append(
                (
                    "",
                    f"    after seq {g.after_seq} ({when}), next {g.next_seq}: "
                    f"{g.missing:,} missing",
                    "",
                )
            )
        if s.gap_count > len(s.gaps):
            out.append(("", f"    ... and {_many(s.gap_count - len(s.gaps), 'more gap')}", ""))
    return out


def _reader_row(st: ScanStats) -> Row:
    problems = []
    if st.corrupt_records:
        problems.append(_many(st.corrupt_records, "corrupt record"))
    if st.skipped_bytes:
        problems.append(f"{_many(st.skipped_bytes, 'byte')} with no record passed over")
    if st.unknown_records:
        problems.append(f"{_many(st.unknown_records, 'record')} of an unknown type")
    if st.torn_tail_bytes:
        problems.append(f"a torn last record ({st.torn_tail_bytes:,} bytes)")
    if not problems:
        return ("log reader", "every record whole", "ok")
    damage = st.corrupt_records or st.skipped_bytes
    return ("log reader", "skipped " + ", ".join(problems), "bad" if damage else "warn")


def render_plain(s: Summary) -> str:
    """The summary as plain aligned text (for pipes, files and tests)."""
    return "\n".join(f"{label:<12}{text}".rstrip() for label, text, _ in rows(s))


STYLES = {"": "", "ok": "green", "warn": "yellow", "bad": "bold red"}


def render_rich(s: Summary, console: Console) -> None:
    """The summary on a terminal, problems in colour."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    for label, text, level in rows(s):
        grid.add_row(Text(label), Text(text, style=STYLES[level]))
    console.print(grid)
