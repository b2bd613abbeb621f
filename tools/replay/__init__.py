"""Replay of recorded telemetry: read a whole telemetry log at numpy speed, summarise it, export it.

    >>> from tools import replay
    >>> r = replay.load("run.tlm")                  # or load(path, Dictionary.load("d.json"))
    >>> r.telemetry["POWER"].column("battery_soc")  # numpy arrays per packet type and field
    >>> print(replay.render_plain(replay.summary(r)))
    >>> replay.write_csv(r, "csv/"); replay.write_raw(r, "down.bin"); replay.plot(r, "run.png")

`rover replay LOG` is the command-line face of this package.
"""

from __future__ import annotations

from pathlib import Path

from tools.replay.export import write_csv, write_raw
from tools.replay.gaps import ApidSequence, Gap, sequences
from tools.replay.load import ProgressFn, load
from tools.replay.model import BadPacket, Command, Event, PacketTable, Replay
from tools.replay.summary import Summary, render_plain, render_rich, summary


def plot(replay: Replay, path: str | Path) -> Path:
    """One figure of the log (traverse, wheel currents, attitude, battery, modes) as an image."""
    from tools.replay.figure import plot as draw  # noqa: PLC0415 - matplotlib is slow to import

    return draw(replay, path)


__all__ = [
    "ApidSequence",
    "BadPacket",
    "Command",
    "Event",
    "Gap",
    "PacketTable",
    "ProgressFn",
    "Replay",
    "Summary",
    "load",
    "plot",
    "render_plain",
    "render_rich",
    "sequences",
    "summary",
    "write_csv",
    "write_raw",
]
