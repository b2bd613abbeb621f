"""`rover fsw`: the emulator on the real-time clock with the simulated rover (or a motor board on a
serial port, `--hardware serial://DEVICE`, in the simulated world), and a ground link: COBS frames
over TCP (a console or script connects) or a serial line. It prints every event and a status line
per housekeeping period, and the links' messages (connected, replaced, lost)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace

from fsw.clock import RealTimeClock
from fsw.flight import FlightSoftware
from fsw.packets.framing import frame
from fsw.port import HardwarePort
from fsw.tables import CATALOG
from hil.board.link import BOOT_WAIT, BoardLink
from hil.board.rover import BoardRover
from hil.radio import Radio, SerialRadio, TcpRadio
from tools import scenario as scenarios
from tools.runner import build_rover
from tools.scenario import Scenario, parse

DEFAULT_LISTEN = "127.0.0.1:50200"
SERIAL_SCHEME = "serial://"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover fsw`."""
    p = sub.add_parser(
        "fsw",
        help="run the emulator in real time on the simulated rover, with a ground link",
        description="Run the flight software in real time against the simulated rover, with a "
        "ground link: COBS-framed CCSDS packets over TCP (one ground at a time; the newest "
        "connection wins) or a serial line. Prints where it listens, then the rover's events, a "
        "status line per housekeeping packet and the link's messages; on exit, what the link "
        "carried and dropped. With --scenario, the terrain, start and command script come from a "
        "scenario file (commands sent at their times).",
    )
    p.add_argument(
        "--listen",
        metavar="HOST:PORT",
        default=DEFAULT_LISTEN,
        help=f"TCP address the ground connects to (default {DEFAULT_LISTEN}; port 0: any free "
        "port, the one chosen is printed)",
    )
    p.add_argument(
        "--link",
        metavar="DEVICE",
        help="serial device or pyserial URL for the ground link instead of TCP "
        "(e.g. /dev/ttyUSB0; opened again every second while absent)",
    )
    p.add_argument("--baud", default="115200", metavar="N", help="serial baud rate (115200)")
    p.add_argument(
        "--speed",
        default="1",
        metavar="X",
        help="mission seconds per wall second (default 1; 10 rehearses ten times faster)",
    )
    p.add_argument(
        "--hardware",
        default="sim",
        metavar="WHAT",
        help="sim: the simulated rover (default); serial://DEVICE: a motor board on a serial "
        "port or pyserial URL (serial:///dev/ttyACM0, serial://socket://HOST:PORT), its wheels "
        "in the simulated world",
    )
    p.add_argument(
        "--board-baud", default="115200", metavar="N", help="the board's baud rate (115200)"
    )
    p.add_argument("--scenario", metavar="FILE", help="terrain, start and commands from here")
    p.add_argument("--seed", type=int, help="random seed of the simulated rover")
    p.add_argument(
        "--duration",
        type=float,
        metavar="S",
        help="stop after S mission seconds (default: run until ^C)",
    )
    p.add_argument(
        "--quiet", action="store_true", help="print only the link's messages, not telemetry"
    )
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    """Run until the duration has passed or the user interrupts."""
    speed = _positive(args.speed, "--speed")
    sc = scenarios.load(args.scenario) if args.scenario else parse({"name": "lab", "duration": 1})
    seed = sc.seed if args.seed is None else args.seed
    clock = RealTimeClock(rate=speed)
    board = _board(args)
    if board is not None and speed != 1:
        raise ValueError(
            f"--speed {args.speed}: a board keeps the wall clock's time, so with --hardware "
            "serial://... mission time must too (--speed 1)"
        )

    def uplink(data: bytes) -> None:  # from the radio's thread; `flight` exists by then
        flight.post(data)

    def reopened() -> None:
        flight.post_link_reset()

    def downlink(packet: bytes) -> None:
        radio.send(packet)
        show(packet)

    radio = _radio(args, uplink, reopened)  # bound first: a port in use fails before boot
    _say(f"ground link on {radio.where}")
    try:
        if board is not None:
            _wait_for(board)  # before mission time starts: the wait is not the scenario's
        start = clock.now()
        sc = _shifted(sc, start)
        world = build_rover(sc, clock, seed)  # type: ignore[arg-type]
        rover: HardwarePort = world if board is None else BoardRover(board, world)
        show = (lambda _: None) if args.quiet else _printer(start)
        end = None if args.duration is None else start + args.duration
        pace = "" if speed == 1 else f", {speed:g}x real time"
        where = "the simulated rover" if board is None else f"the board on {board.url}"
        _say(f"flight software on {where}, seed {seed}{pace}; ^C stops")
        flight = FlightSoftware(rover, clock, downlink)
        radio.start()
        for seq, c in enumerate(sc.commands):  # sent between cycles, at their times
            if end is not None and start + c.at > end:
                break
            flight.run(start + c.at)
            flight.receive(frame(CATALOG.encode_command(c.name, c.args, seq)))
        flight.run(end)
    except KeyboardInterrupt:
        _say("stopped")
    finally:
        radio.close()
        if board is not None:
            board.close()
    n = radio.counters
    _say(
        f"link: {n.sent} frames down, {n.dropped} dropped ({n.no_ground} with no ground, "
        f"{n.queue_full} queue full, {n.lost} lost in writing); {n.received} bytes up, "
        f"{n.connections} connection{'s' * (n.connections != 1)}"
    )
    return 0


def _board(args: argparse.Namespace) -> BoardLink | None:
    """The board link `--hardware` asks for (not started), or None for the simulated rover."""
    text = args.hardware
    if text == "sim":
        return None
    url = text.removeprefix(SERIAL_SCHEME)
    if not text.startswith(SERIAL_SCHEME) or not url:
        raise ValueError(
            f"--hardware {text!r}: give sim, or serial://DEVICE for a board "
            "(e.g. serial:///dev/ttyACM0)"
        )
    baud = _positive(args.board_baud, "--board-baud", whole=True)
    return BoardLink(url, int(baud), say=_say)


def _wait_for(board: BoardLink) -> None:
    """Start the board link and give the board time to boot and answer before the flight
    software boots; without it, boot anyway: fault protection holds the rover in SAFE."""
    _say(f"waiting for the board on {board.url} (up to {BOOT_WAIT + 1:g} s)")
    board.start()  # after saying so: the link's own first words follow it
    if not board.wait_connected(BOOT_WAIT + 1.0):
        _say("no board yet: booting without it; the rover stays SAFE until the board answers")


def _radio(
    args: argparse.Namespace, post: Callable[[bytes], None], reset: Callable[[], None]
) -> Radio:
    """The radio the options ask for (not started)."""
    if args.link:
        baud = _positive(args.baud, "--baud", whole=True)
        return SerialRadio(args.link, int(baud), post, reset, _say)
    host, port = _address(args.listen)
    return TcpRadio(host, port, post, reset, _say)


def _address(text: str) -> tuple[str, int]:
    """HOST:PORT (or [IPv6]:PORT) as a host and a port number."""
    host, colon, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"--listen {text!r}: give HOST:PORT, e.g. {DEFAULT_LISTEN}")
    return host, int(port)


def _positive(text: str, option: str, *, whole: bool = False) -> float:
    """A positive (whole) number from an option, or a ValueError naming the option."""
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = 0
    if not 0 < value < float("inf"):
        raise ValueError(f"{option} {text!r}: give a positive {'whole ' * whole}number")
    return value


def _line(text: str) -> None:
    """One line from any thread (written whole, so threads do not interleave within a line)."""
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def _say(text: str) -> None:
    """One of `rover fsw`'s own lines (link messages, start and stop)."""
    _line(f"rover fsw: {text}")


def _shifted(sc: Scenario, start: float) -> Scenario:
    """The scenario starting now instead of at its own start time."""
    return replace(sc, start_time=start)


def _printer(start: float) -> Callable[[bytes], None]:
    def show(packet: bytes) -> None:
        p = CATALOG.decode(packet)
        t = (p.time or start) - start
        if p.kind == "event":
            severity = p.definition.severity.name  # type: ignore[union-attr]
            _line(f"t+{t:7.1f}s {severity:<8} {p.text()}")
        elif p.name == "HK":
            v = p.shown()
            _line(
                f"t+{t:7.1f}s HK       {v['mode']:<9} wheels {v['healthy_wheels']} "
                f"cmds {v['cmd_accepted']}/{v['cmd_rejected']} rejected"
            )
        elif p.name == "MOBILITY":
            v = p.shown()
            _line(
                f"t+{t:7.1f}s MOBILITY x {v['x']:.2f} y {v['y']:.2f} heading {v['heading']:.1f} "
                f"pitch {v['pitch']:.1f} travelled {v['travelled']:.2f} m {v['motion']}"
            )

    return show
