"""`rover record`: only the recorder: every packet from the link into a telemetry log."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from tools.cli.common import add_dict_option, load_dictionary
from tools.cli.console_cmd import add_link_options
from tools.ground.session import LinkSession


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover record`."""
    p = sub.add_parser(
        "record",
        help="record every packet from the rover to a telemetry log",
        description="Record every packet received on the link to a telemetry log, each handed "
        "to the operating system as it arrives (kill -9 loses nothing already received). An "
        "existing log is appended to (a torn tail from a crash is cut off first). The link is "
        "reopened whenever it drops.",
    )
    add_link_options(p)
    p.add_argument("--out", metavar="LOG", required=True, help="telemetry log to write")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    add_dict_option(p)
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    """Record until the duration is over or ^C; 1 if the log could not take every packet."""
    dictionary = load_dictionary(args)

    def status(text: str) -> None:
        print(f"rover record: {text}", file=sys.stderr, flush=True)

    session = LinkSession(dictionary, args.link, baudrate=args.baud, record=Path(args.out),
                          on_status=status)  # fmt: skip
    recorder = session.recorder
    assert recorder is not None
    stopped = threading.Event()  # set when the log cannot take more (disk full, file too big)
    session.on_recording_stopped.append(lambda _why: stopped.set())
    status(f"recording {args.link} to {args.out}; ^C stops")
    session.start()
    try:
        stopped.wait(args.duration)  # None: until ^C or the log fails
    except KeyboardInterrupt:
        pass
    finally:
        session.close()
    if session.not_recording is not None:
        status(f"stopped: {session.not_recording}")
        return 1
    status(f"{recorder.records} packets recorded")
    return 0
