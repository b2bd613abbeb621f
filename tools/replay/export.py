"""Write a replayed log out: one CSV per telemetry packet type plus events and commands, and the
bare CCSDS packets for other tools (ccsdspy, spacepackets, a ground system of your own)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from fsw.packets.schema import Field
from fsw.packets.types import number_text
from tools.replay.load import ProgressFn
from tools.replay.model import PacketTable, Replay
from tools.replay.text import (
    field_text,
    mission_time_text,
    mission_us,
    received_us,
    utc_text,
)
from tools.tlmlog import RecordType

CHUNK = 65536
"""Rows formatted at a time: bounds memory, and paces the progress bar."""

LEADING = ["time [s]", "utc", "received", "seq_count"]
"""The first columns of every telemetry and event CSV."""


def column_name(field: Field) -> str:
    """A CSV header cell: the field's name with its unit, e.g. `battery_soc [%]`."""
    return f"{field.name} [{field.unit}]" if field.unit else field.name


def header(table: PacketTable) -> list[str]:
    """The header row of a telemetry CSV."""
    return [*LEADING, *(column_name(f) for f in table.fields)]


def table_rows(table: PacketTable, part: slice) -> Iterable[tuple[str, ...]]:
    """Rows of a telemetry CSV, as text, for the packets in `part`."""
    packets = table.packets[part]
    times = table.time[part]
    columns = [
        mission_time_text(times),
        utc_text(mission_us(times)),
        utc_text(received_us(table.received_ns[part])),
        table.seq_count[part].astype(str).tolist(),
    ]
    columns += [field_text(packets[f.name], f) for f in table.fields]
    return zip(*columns, strict=True)


def write_table(table: PacketTable, path: Path, tell: Callable[[int], None] | None = None) -> None:
    """One telemetry packet type as CSV; `tell(rows)` after each chunk of rows."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(header(table)) + "\n")
        for start in range(0, len(table), CHUNK):
            rows = table_rows(table, slice(start, start + CHUNK))
            out.write("\n".join(map(",".join, rows)) + "\n")
            if tell is not None:
                tell(min(start + CHUNK, len(table)))


def args_text(args: dict[str, Any]) -> str:
    """Arguments as `name=value` words."""
    return " ".join(f"{k}={number_text(v) if _is_number(v) else v}" for k, v in args.items())


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def write_events(replay: Replay, path: Path) -> None:
    """events.csv: time, UTC, receive time, sequence count, name, severity, text, arguments."""
    events = replay.events
    times = np.array([e.time for e in events], dtype=np.float64)
    received = np.array([e.received_ns for e in events], dtype=np.int64)
    stamps = zip(
        mission_time_text(times),
        utc_text(mission_us(times)),
        utc_text(received_us(received)),
        strict=True,
    )
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*LEADING, "name", "severity", "text", "args"])
        for e, (t, utc, rx) in zip(events, stamps, strict=True):
            writer.writerow(
                [t, utc, rx, e.seq_count, e.name, e.severity, e.text, args_text(e.args)]
            )


def write_commands(replay: Replay, path: Path) -> None:
    """commands.csv: every uplinked command with its receive time, sequence count and args."""
    received = np.array([c.received_ns for c in replay.commands], dtype=np.int64)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["received", "seq_count", "name", "apid", "code", "args"])
        for c, rx in zip(replay.commands, utc_text(received_us(received)), strict=True):
            writer.writerow([rx, c.seq_count, c.name, c.apid, c.code, args_text(c.args)])


def write_csv(
    replay: Replay, directory: str | Path, progress: ProgressFn | None = None
) -> list[tuple[Path, int]]:
    """One CSV per telemetry packet type (HK.csv, ...), events.csv and commands.csv in
    `directory` (made if need be); returns each file written with its row count."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    total = sum(len(t) for t in replay.telemetry.values())
    written: list[tuple[Path, int]] = []
    done = 0
    for table in replay.telemetry.values():
        path = out / f"{table.name}.csv"

        def tell(rows: int, before: int = done) -> None:
            if progress is not None:
                progress("writing CSV", before + rows, total)

        write_table(table, path, tell)
        done += len(table)
        written.append((path, len(table)))
    write_events(replay, out / "events.csv")
    written.append((out / "events.csv", len(replay.events)))
    write_commands(replay, out / "commands.csv")
    written.append((out / "commands.csv", len(replay.commands)))
    return written


def write_raw(replay: Replay, path: str | Path, uplink: bool = False) -> tuple[int, int]:
    """The intact packets (length field and CRC hold; no link fill) as bare CCSDS packets,
    concatenated in log order: downlink (live and played back) only, or uplinked commands too.
    Returns (written, left out): a packet with a damaged length field would throw a reader of the
    stream out of step."""
    records = replay.records
    wanted = (records.types == RecordType.DOWNLINK) | (records.types == RecordType.PLAYBACK)
    if uplink:
        wanted |= records.types == RecordType.UPLINK
    chosen = np.flatnonzero(wanted & replay.intact)
    starts = records.packet_offsets[chosen].tolist()
    stops = (records.packet_offsets[chosen] + records.lengths[chosen]).tolist()
    view = memoryview(replay.data)
    with Path(path).open("wb") as out:
        for i in range(0, len(starts), CHUNK):
            part = zip(starts[i : i + CHUNK], stops[i : i + CHUNK], strict=True)
            out.write(b"".join(view[a:b] for a, b in part))
    return len(chosen), int(wanted.sum()) - len(chosen)
