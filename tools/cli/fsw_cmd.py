"""`rover fsw`: the emulator on the real-time clock with the simulated rover (or a motor board on a
serial port, `--hardware serial://DEVICE`, in the simulated world), and a ground link: COBS frames
over TCP (a console or script connects) or a serial line. It prints every event and a status line
per housekeeping period, and the links' messages (connected, replaced, refused, lost)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from fsw.clock import RealTimeClock
from fsw.flight import FlightSoftware
from fsw.packets import playback, secure
from fsw.packets.framing import frame
from fsw.port import HardwarePort, RadioStatus
from fsw.security import Key
from fsw.store import DEFAULT_SIZE as DEFAULT_STORE_SIZE
from fsw.tables import CATALOG
from hil.board.link import BOOT_WAIT, BoardLink
from hil.board.rover import BoardRover
from hil.radio import Radio, SerialRadio, TcpRadio
from hil.radio.proof import KeyProof
from hil.radio.relay import RelayModel
from hil.radio.relay_link import RelayLink
from hil.radio.relay_profile import RelayProfile
from tools import scenario as scenarios
from tools.cli.common import (
    MAX_SPEED,
    SEED_MAX,
    Terminated,
    baud_rate,
    positive_seconds,
    seed_number,
    sigterm_stops,
    speed_factor,
)
from tools.cli.fsw_memory import replay_memory
from tools.cli.fsw_options import DEFAULT_LISTEN, listen_address, store_bytes
from tools.cli.relay_opts import add_relay_options, relay_profile
from tools.ground.signer import KEY_ENV, Signer, default_key_path, read_key
from tools.runner import build_rover
from tools.scenario import Scenario, parse

SERIAL_SCHEME = "serial://"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover fsw`."""
    p = sub.add_parser(
        "fsw",
        help="run the emulator in real time on the simulated rover, with a ground link",
        description="Run the flight software in real time against the simulated rover, with a "
        "ground link: COBS-framed CCSDS packets over TCP (one ground at a time: the first "
        "connection takes the link, and a later one takes it over only by proving the uplink "
        "key, unless --newest-wins or --insecure) or a serial line. Prints where it listens, "
        "then the rover's events, a status line per housekeeping packet and the link's "
        "messages; on exit, what the link carried and dropped. With --scenario, the terrain, "
        "start and command script come from a scenario file (commands sent at their times).",
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
    p.add_argument(
        "--baud", type=baud_rate, default=115200, metavar="N", help="serial baud rate (115200)"
    )
    p.add_argument(
        "--speed",
        type=speed_factor(),
        default=1.0,
        metavar="X",
        help="mission seconds per wall second (default 1; 10 rehearses ten times faster; at "
        f"most {MAX_SPEED:g}: faster, use `rover run`)",
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
        "--board-baud",
        type=baud_rate,
        default=115200,
        metavar="N",
        help="the board's baud rate (115200)",
    )
    p.add_argument(
        "--key",
        metavar="FILE",
        help="uplink key (made by `rover keygen`): only commands signed with it are executed "
        f"(default ${KEY_ENV}, else ~/.config/rover/uplink.key)",
    )
    p.add_argument(
        "--insecure",
        action="store_true",
        help="execute unauthenticated commands (a lab bench only: said at boot and in every HK)",
    )
    p.add_argument(
        "--newest-wins",
        action="store_true",
        help="TCP: every new connection takes the link from the ground holding it, key or not "
        "(without it, a new connection must first send a command signed with the uplink key; "
        "with --insecure the newest always wins)",
    )
    p.add_argument(
        "--nvram",
        metavar="DIR",
        help="the rover's non-volatile memory, where the uplink's anti-replay counter survives "
        "a restart (default: nvram/ in $ROVER_STATE_DIR or ~/.local/state/rover)",
    )
    p.add_argument("--scenario", metavar="FILE", help="terrain, start and commands from here")
    p.add_argument(
        "--seed", type=seed_number, help=f"random seed of the simulated rover (0..{SEED_MAX})"
    )
    p.add_argument(
        "--duration",
        type=positive_seconds,
        metavar="S",
        help="stop after S mission seconds (default: run until ^C)",
    )
    p.add_argument(
        "--quiet", action="store_true", help="print only the link's messages, not telemetry"
    )
    p.add_argument(
        "--store-size",
        default=str(DEFAULT_STORE_SIZE),
        metavar="BYTES",
        help="onboard telemetry store, in bytes (K and M suffixes: KiB, MiB; default 4M)",
    )
    add_relay_options(p)
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    """Run until the duration has passed, the user interrupts (^C) or SIGTERM: the last two stop
    it the same way, with its summary and exit status 0 (a systemd unit's `systemctl stop`)."""
    with sigterm_stops():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    speed, store_size = args.speed, store_bytes(args.store_size)
    sc = scenarios.load(args.scenario) if args.scenario else parse({"name": "lab", "duration": 1})
    seed = sc.seed if args.seed is None else args.seed
    clock = RealTimeClock(rate=speed)
    key = _key(args)
    board = _board(args)
    profile = relay_profile(args)  # None: a lab link, ground and flight software joined directly
    relay: RelayLink | None = None
    if board is not None and speed != 1:
        raise ValueError(
            f"--speed {args.speed:g}: a board keeps the wall clock's time, so with --hardware "
            "serial://... mission time must too (--speed 1)"
        )

    def uplink(data: bytes) -> object:  # from the radio's thread; `flight` exists by then
        return (flight.post if relay is None else relay.uplink)(data)  # False: inbox full

    def reopened() -> None:  # a relay hands the flight software whole frames only
        (flight.post_link_reset if relay is None else relay.reset_uplink)()

    def downlink(packet: bytes) -> None:
        (radio.send if relay is None else relay.downlink)(packet)  # relay: send_frame on arrival
        show(packet)

    def fresh(sn: int) -> str | None:  # on a connection's reader thread: reads, never changes
        return flight.security.would_admit(sn, int(flight.params["ANTI_REPLAY_WINDOW"]))

    def known() -> bool:  # lost: a proof is judged without the window (hil.radio.proof)
        return flight.security.window.known

    vouch = None if key is None or args.newest_wins else KeyProof(key, fresh, known)
    radio = _radio(args, uplink, reopened, vouch)  # bound first: a port in use fails before boot
    _say(f"ground link on {radio.where}")
    _say_uplink(key)
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
        relay = _relay(profile, start, seed, clock, lambda f: flight.post(f), radio)  # noqa: PLW0108 (flight comes next)
        flight = FlightSoftware(rover, clock, downlink, key=key, store_size=store_size,
                                contact=None if relay is None else relay.contact,
                                radio=radio.status if relay is None else _with(relay, radio),
                                **replay_memory(args.nvram, key, _say))  # fmt: skip
        radio.start()
        _play(sc, flight, start, end, key)
        flight.run(end)
    except KeyboardInterrupt as stop:
        _say("stopped by SIGTERM" if isinstance(stop, Terminated) else "stopped")
    finally:
        radio.close()
        _stop(relay)
        if board is not None:
            board.close()
    _say_carried(radio)
    return 0


def _say_uplink(key: Key | None) -> None:
    """Whether commands must be signed: said before boot, as the operator must know."""
    if key is None:
        _say("uplink NOT authenticated (--insecure): any command that reaches the link runs")
        _say("downlink NOT authenticated (--insecure): telemetry goes plain, a relay can forge it")
    else:
        _say(f"uplink authenticated with key SPI {key.spi}")
        _say(f"downlink authenticated: every packet sealed with a MAC (key SPI {key.spi})")


def _say_carried(radio: Radio) -> None:
    """What the link carried and dropped, and what became of the connections."""
    _say(f"link: {radio.summary()}")


def _relay(
    profile: RelayProfile | None,
    start: float,
    seed: int,
    clock: RealTimeClock,
    to_rover: Callable[[bytes], object],
    radio: Radio,
) -> RelayLink | None:
    """The relay between radio and flight software (started), or None for a lab link."""
    if profile is None:
        return None
    _say(profile.describe())
    return RelayLink(RelayModel(profile, origin=start, seed=seed), clock.now, to_rover,
                     radio.send_frame, rate=clock.rate).start()  # fmt: skip


def _with(relay: RelayLink, radio: Radio) -> Callable[[], RadioStatus]:
    """The radio's status for RADIO telemetry, with the relay's drops."""
    return lambda: relay.counted(radio.status())


def _stop(relay: RelayLink | None) -> None:
    """Stop the relay, saying what it carried and lost each way."""
    if relay is not None:
        relay.close()
        _say(relay.summary())


def _play(
    sc: Scenario, flight: FlightSoftware, start: float, end: float | None, key: Key | None
) -> None:
    """Run the flight software through the scenario's commands, each received between cycles
    at its time (signed when the uplink is authenticated)."""
    signer = None if key is None else Signer(key, lambda: time.time_ns() // 1000)
    for seq, c in enumerate(sc.commands):
        if end is not None and start + c.at > end:
            return
        flight.run(start + c.at)
        packet = CATALOG.encode_command(c.name, c.args, seq)
        flight.receive(frame(packet if signer is None else signer.seal(packet)))


def _key(args: argparse.Namespace) -> Key | None:
    """The uplink key, or None with --insecure."""
    if args.insecure:
        if args.key:
            raise ValueError("--key and --insecure: choose one")
        return None
    return read_key(Path(args.key).expanduser() if args.key else default_key_path())


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
    return BoardLink(url, args.board_baud, say=_say)


def _wait_for(board: BoardLink) -> None:
    """Start the board link and give the board time to boot and answer before the flight
    software boots; without it, boot anyway: fault protection holds the rover in SAFE."""
    _say(f"waiting for the board on {board.url} (up to {BOOT_WAIT + 1:g} s)")
    board.start()  # after saying so: the link's own first words follow it
    if not board.wait_connected(BOOT_WAIT + 1.0):
        _say("no board yet: booting without it; the rover stays SAFE until the board answers")


def _radio(
    args: argparse.Namespace,
    post: Callable[[bytes], object],
    reset: Callable[[], None],
    vouch: KeyProof | None,
) -> Radio:
    """The radio the options ask for (not started); `vouch` judges a TCP takeover's proof."""
    if args.link:
        if args.newest_wins:
            raise ValueError("--newest-wins is for a TCP link; a serial line has one ground")
        return SerialRadio(args.link, args.baud, post, reset, _say)
    host, port = listen_address(args.listen)
    return TcpRadio(host, port, post, reset, _say, vouch=vouch)


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
    """What `rover fsw` prints of each packet going down: events, and a status line per HK and
    MOBILITY; of a playback from the store, only its events, marked (their time is when they
    happened), since old status lines would read as the present."""

    def show(packet: bytes) -> None:
        if secure.is_telemetry_envelope(packet):  # our own seal: the packet inside is shown
            packet = secure.unseal(packet).command
        played = playback.is_envelope(packet)
        p = CATALOG.decode(playback.unwrap(packet).packet if played else packet)
        t = (p.time or start) - start
        if p.kind == "event":
            severity = p.definition.severity.name  # type: ignore[union-attr]
            mark = " (played back)" if played else ""
            _line(f"t+{t:7.1f}s {severity:<8} {p.text()}{mark}")
        elif played:
            return
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
