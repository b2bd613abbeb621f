"""`python -m hil.firmware.pi PORT [--baud 115200] [--driver module:Class]`: serve the board
protocol on PORT until SIGTERM or ^C."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from types import FrameType

from hil.firmware.pi.agent import RETRY, serve
from hil.firmware.pi.driver import load_driver

MAX_RETRY = 3600.0
"""The longest --retry (an hour): longer is a typo, and 1e308 overflowed time.sleep."""


def _seconds(text: str) -> float:
    """argparse type: a positive number of seconds, at most MAX_RETRY."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_RETRY:
        raise argparse.ArgumentTypeError(
            f"must be a positive number of seconds, at most {MAX_RETRY:g}, got {text}"
        )
    return value


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m hil.firmware.pi",
        description="Serve the rover's board protocol on a serial port, as a Raspberry Pi board.",
    )
    parser.add_argument(
        "port", help="device path (/dev/serial0, /dev/ttyGS0) or pyserial URL (socket://, loop://)"
    )
    parser.add_argument("--baud", type=int, default=115200, help="line rate (default 115200)")
    parser.add_argument(
        "--driver",
        metavar="MODULE:CLASS",
        help="motor driver to use instead of the simulated motors (see README.md)",
    )
    parser.add_argument(
        "--retry", type=_seconds, default=RETRY, help="s between reopening an absent port (1)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the agent; 0 when stopped by SIGTERM or ^C, 2 on a bad command line."""
    args = parse(argv)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        print(f"rover board agent: {signal.Signals(signum).name}, stopping", file=sys.stderr)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        motors = load_driver(args.driver)
        agent = serve(args.port, args.baud, motors=motors, stop=stop, retry=args.retry)
    except ValueError as err:
        print(f"rover board agent: {err}", file=sys.stderr)
        return 2
    c = agent.counters
    print(
        f"rover board agent: stopped; {c.received} bytes in, {c.sent} out, {c.dropped} dropped, "
        f"{agent.endpoint.rx_errors} bad frames",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
