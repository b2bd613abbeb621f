"""`rover record`: only the recorder: every packet from the link into a telemetry log."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from tools.cli.common import (
    Terminated,
    add_dict_option,
    load_dictionary,
    positive_seconds,
    sigterm_stops,
)
from tools.cli.console_cmd import add_link_options, ground_key
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
    p.add_argument("--duration", type=positive_seconds, metavar="S", help="stop after S seconds")
    p.add_argument(
        "--key",
        metavar="FILE",
        help="verify telemetry with this key and record only what passes (default: $ROVER_KEY, "
        "else ~/.config/rover/uplink.key, when it exists)",
    )
    p.add_argument(
        "--insecure",
        action="store_true",
        help="record without verifying (the rover runs `rover fsw --insecure`)",
    )
    add_dict_option(p)
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    """Record until the duration is over or ^C; 1 if the log could not take every packet."""
    dictionary = load_dictionary(args)

    def status(text: str) -> None:
        print(f"rover record: {text}", file=sys.stderr, flush=True)

    key = ground_key(args.key, args.insecure, "--insecure", "record")
    session = LinkSession(dictionary, args.link, baudrate=args.baud, record=Path(args.out),
                          on_status=status, key=key)  # fmt: skip
    recorder = session.recorder
    assert recorder is not None
    stopped = threading.Event()  # set when the log cannot take more (disk full, file too big)
    session.on_recording_stopped.append(lambda _why: stopped.set())
    status(f"recording {args.link} to {args.out}; ^C or SIGTERM stops")
    if key is None:
        status("telemetry NOT verified (no key): recorded as it comes, a relay could forge it")
    else:
        status(f"telemetry verified with key SPI {key.spi}: forged or plain packets not recorded")
    session.start()
    try:
        with sigterm_stops():
            stopped.wait(args.duration)  # None: until ^C, SIGTERM or the log fails
    except KeyboardInterrupt as stop:
        if isinstance(stop, Terminated):
            status("stopped by SIGTERM")
    finally:
        session.close()
    if session.not_recording is not None:
        status(f"stopped: {session.not_recording}")
        return 1
    verifier = session.verifier
    said = f"; {verifier.summary()}" if verifier is not None and verifier.refused else ""
    status(f"{recorder.records} packets recorded{said}")
    return 0
