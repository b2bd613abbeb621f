"""`rover replay LOG`: what a telemetry log holds, and its telemetry as CSV, raw packets or a plot.

The log is read once, whole (tools.replay.load); the summary and each export work from that.
`--follow` instead feeds the log to the operator console's display at its recorded pace.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from tools import replay
from tools.cli.common import MAX_FOLLOW_SPEED, add_dict_option, load_dictionary, speed_factor
from tools.dictionary import Dictionary

LARGE_LOG = 16_000_000
"""Logs of at least this many bytes (about 250,000 packets) show a progress bar on a terminal."""

EXAMPLES = """\
examples:
  rover replay run.tlm                      what the log holds: time span, packets, gaps, errors
  rover replay run.tlm --csv csv/           csv/HK.csv, csv/MOBILITY.csv, ..., events.csv
  rover replay run.tlm --raw down.bin       bare CCSDS packets, for ccsdspy and friends
  rover replay run.tlm --plot run.png       traverse, wheel currents, attitude, battery, modes"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover replay`."""
    p = sub.add_parser(
        "replay",
        help="summarise a telemetry log; export it as CSV, raw packets or a plot",
        description="Read a telemetry log (rover run --out, the recorder) and print what it "
        "holds: its time span by packet time codes and by ground receive times, the packets "
        "of each type, events by name, uplinked commands by name, sequence-count gaps per "
        "APID, packets received with a bad CRC, packets that could not be decoded and why, "
        "and what the log reader had to skip. Exit status 2 if the file cannot be read as a "
        "log or an output cannot be written.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("log", metavar="LOG", help="telemetry log (.tlm, or .tlm.gz)")
    add_dict_option(p)
    add_output_options(p)
    p.add_argument(
        "--follow",
        action="store_true",
        help="show the log as the operator console would show it live: events and command "
        "verification at their recorded pace (with a prompt for tlm, events, status on a "
        "terminal)",
    )
    p.add_argument(
        "--speed",
        type=speed_factor(MAX_FOLLOW_SPEED),
        metavar="N",
        help=f"with --follow, play N times faster than recorded (default 1, at most "
        f"{MAX_FOLLOW_SPEED:g})",
    )
    p.set_defaults(run=main)


def add_output_options(p: argparse.ArgumentParser) -> None:
    """The exports of a whole log."""
    p.add_argument(
        "--csv",
        metavar="DIR",
        help="write one CSV per telemetry packet type (HK.csv, ...; time, utc, received, "
        "seq_count, then every field, headed with its unit), events.csv and commands.csv",
    )
    p.add_argument(
        "--raw",
        metavar="FILE",
        help="write the bare CCSDS packets, concatenated in log order: downlink only (see "
        "--raw-uplink), and only packets whose length field and CRC hold",
    )
    p.add_argument(
        "--raw-uplink", action="store_true", help="with --raw, the uplinked commands too"
    )
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw the traverse, wheel currents, pitch and roll, battery and modes in one image",
    )


def main(args: argparse.Namespace) -> int:
    """Replay the log the user named: followed as if live, or whole."""
    if args.speed is not None and not args.follow:
        raise ValueError("--speed needs --follow (the whole log is read at once otherwise)")
    dictionary = load_dictionary(args)
    if args.follow:
        if args.csv or args.raw or args.plot:
            raise ValueError("--follow shows the log; export with --csv, --raw or --plot apart")
        from tools.console.follow import follow  # noqa: PLC0415 - the console only when asked

        speed = 1.0 if args.speed is None else args.speed
        return follow(Path(args.log), speed=speed, dictionary=dictionary)
    return whole_log(args, dictionary)


def whole_log(args: argparse.Namespace, dictionary: Dictionary) -> int:
    """Read the whole log, write what was asked for, and print the summary."""
    path = Path(args.log)
    check_outputs(args)
    size = path.stat().st_size if path.is_file() else 0
    with progress_bar(size) as tell:
        r = replay.load(path, dictionary, tell)
        wrote = export(r, args, tell)
    if not r.dictionary_matches:
        print(
            f"rover replay: warning: {path} was recorded with dictionary "
            f"{r.header.dictionary.hex()}, decoding with {dictionary.fingerprint.hex()}",
            file=sys.stderr,
        )
    show(replay.summary(r))
    for line in wrote:
        print(line)
    return 0


def export(r: replay.Replay, args: argparse.Namespace, tell: replay.ProgressFn | None) -> list[str]:
    """Write the exports asked for; a line saying what was written for each file."""
    wrote: list[str] = []
    if args.csv:
        for file, count in replay.write_csv(r, args.csv, tell):
            wrote.append(f"wrote {file} ({count:,} row{'' if count == 1 else 's'})")
    if args.raw:
        written, left = replay.write_raw(r, args.raw, uplink=args.raw_uplink)
        note = f", {left:,} damaged packets left out" if left else ""
        wrote.append(f"wrote {args.raw} ({written:,} packets{note})")
    if args.plot:
        wrote.append(f"wrote {replay.plot(r, args.plot)}")
    return wrote


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse outputs that cannot be written before reading a long log (OSError, one line)."""
    if args.raw_uplink and not args.raw:
        raise ValueError("--raw-uplink goes with --raw FILE")
    if args.csv:
        existing = next(p for p in (Path(args.csv), *Path(args.csv).parents) if p.exists())
        if not existing.is_dir():
            raise NotADirectoryError(20, "Not a directory", str(existing))
        _writable(existing)
    if args.plot:
        from tools.replay.figure import check_path  # noqa: PLC0415 - matplotlib only when asked

        check_path(args.plot)
    for name in (args.raw, args.plot):
        if name:
            folder = Path(name).parent
            if not folder.is_dir():
                raise FileNotFoundError(2, "No such directory", str(folder))
            _writable(folder)


def _writable(folder: Path) -> None:
    if not os.access(folder, os.W_OK):
        raise PermissionError(13, "Permission denied", str(folder))


def show(summary: replay.Summary) -> None:
    """The summary: with colour on a terminal, plain text otherwise."""
    if sys.stdout.isatty():
        replay.render_rich(summary, Console(highlight=False))
    else:
        print(replay.render_plain(summary))


@contextlib.contextmanager
def progress_bar(size: int) -> Iterator[replay.ProgressFn | None]:
    """A rich progress bar on standard error for a large log on a terminal, else nothing."""
    if size < LARGE_LOG or not sys.stderr.isatty():
        yield None
        return
    with Progress(
        TextColumn("[bold]{task.description:<12}"),
        BarColumn(),
        TextColumn("{task.completed:>12,.0f} / {task.total:,.0f}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def tell(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield tell
