"""What the subcommands share: the --dict option, the checks of numeric options, and turning
packets into JSON a person can read."""

from __future__ import annotations

import argparse
import contextlib
import math
import signal
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import serial

from fsw.packets.catalog import Packet
from fsw.packets.crc import CRC_SIZE
from fsw.packets.timecode import utc_iso
from fsw.packets.types import shortest_f32
from hil.sim.rover import SEED_MAX
from tools.dictionary import Dictionary

MAX_SPEED = 100.0
"""The fastest real-time pace (`rover fsw --speed`): the 10 Hz control loop then runs every 1 ms
of wall time, about a quarter of a core on the 2-core reference machine, which leaves the
executive its margin; much faster and cycles run late, so mission time would no longer be what
the rover experiences. A faster rehearsal is what `rover run` is for (as fast as the CPU allows)."""

MAX_FOLLOW_SPEED = 10_000.0
"""The fastest `rover replay --follow` (a recorded day in 9 s): faster, nothing can be read."""


MAX_SECONDS = 10 * 365 * 86400
"""The longest duration or timeout an option takes (ten years, 315,360,000 s): longer is a typo,
and 1e308 s overflowed the clock's nanoseconds with a traceback."""

MIN_SPEED = 0.01
"""The slowest pace (a hundredth of real time, a 10 Hz control cycle every 10 s of wall time):
slower is no rehearsal, and --speed 1e-300 overflowed the wait for the next cycle."""


def positive_seconds(text: str) -> float:
    """argparse type: a positive number of seconds, at most MAX_SECONDS."""
    value = _float(text)
    if value is None or not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"must be a positive number of seconds, at most {MAX_SECONDS} (ten years), got {text}"
        )
    return value


def speed_factor(top: float = MAX_SPEED) -> Callable[[str], float]:
    """argparse type: a pace factor from MIN_SPEED to `top`."""

    def check(text: str) -> float:
        value = _float(text)
        if value is None or not MIN_SPEED <= value <= top:
            raise argparse.ArgumentTypeError(
                f"must be a number from {MIN_SPEED:g} to {top:g} (times real time), got {text}"
            )
        return value

    return check


def baud_rate(text: str) -> int:
    """argparse type: one of the standard serial baud rates pyserial knows."""
    value = _int(text)
    if value is None or value not in serial.Serial.BAUDRATES:
        common = ", ".join(str(b) for b in (9600, 19200, 38400, 57600, 115200, 230400, 1000000))
        raise argparse.ArgumentTypeError(f"not a standard baud rate: {text} (e.g. {common})")
    return value


def seed_number(text: str) -> int:
    """argparse type: a random seed, a whole number 0..SEED_MAX."""
    value = _int(text)
    if value is None or not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to {SEED_MAX}, got {text}")
    return value


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as on ^C (a KeyboardInterrupt, so every ^C path handles it)."""


@contextlib.contextmanager
def sigterm_stops() -> Iterator[None]:
    """Within: SIGTERM (systemd's stop, `kill PID`) raises Terminated in the main thread, so a
    long-running command stops as on ^C: its summary, exit status 0 (systemd reads a clean stop
    as success with no SuccessExitStatus= line). A second SIGTERM during that stop kills at once.
    The previous handler is back afterwards (tests call main() in-process)."""

    def stop(_signum: int, _frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def add_dict_option(parser: argparse.ArgumentParser) -> None:
    """--dict FILE: use a dictionary JSON instead of this checkout's flight software."""
    parser.add_argument(
        "--dict",
        metavar="FILE",
        dest="dictionary",
        help="dictionary JSON written by `rover dict` (default: this checkout's flight software)",
    )


def load_dictionary(args: argparse.Namespace) -> Dictionary:
    """The dictionary the user chose."""
    return Dictionary.load(args.dictionary) if args.dictionary else Dictionary.from_flight()


def json_number(value: Any, type_name: str) -> Any:
    """A wire value as JSON can hold it: f32 at its shortest, non-finite floats as strings."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return shortest_f32(value) if type_name == "f32" else value
    return value


def packet_json(packet: Packet) -> dict[str, Any]:
    """Every field of a decoded packet, named, with enums by name and times in UTC."""
    out: dict[str, Any] = {
        "kind": packet.kind,
        "name": packet.name,
        "apid": packet.apid,
        "seq_count": packet.seq_count,
    }
    if packet.kind == "command":
        out["code"] = packet.definition.code  # type: ignore[union-attr]
    if packet.time is not None:
        out["time"] = packet.time
        out["utc"] = utc_iso(packet.time)
    if packet.kind == "event":
        out["severity"] = packet.definition.severity.name  # type: ignore[union-attr]
        out["text"] = packet.text()
    key = "args" if packet.kind in ("command", "event") else "fields"
    out[key] = {f.name: json_number(f.show(packet.values[f.name]), f.type) for f in packet.fields}
    out["crc"] = f"0x{int.from_bytes(packet.raw[-CRC_SIZE:], 'big'):04X}"
    return out
