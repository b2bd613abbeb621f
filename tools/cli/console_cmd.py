"""`rover console`: the operator console on a live link, interactive or running a script."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from fsw.security import Key
from tools.cli.common import add_dict_option, baud_rate, positive_seconds
from tools.cli.relay_opts import add_relay_options, relay_profile
from tools.console.losqueue import DEFAULT_TIMEOUT, POLICIES
from tools.ground.signer import default_key_path, read_key
from tools.statedir import state_dir

DEFAULT_LINK = "socket://127.0.0.1:50200"


def add_link_options(parser: argparse.ArgumentParser) -> None:
    """--link URL and --baud N, shared with `rover record`."""
    parser.add_argument(
        "--link",
        metavar="URL",
        default=DEFAULT_LINK,
        help="pyserial URL of the rover: socket://HOST:PORT (`rover fsw`'s ground link), "
        f"a serial device such as /dev/ttyUSB0, or loop:// (default {DEFAULT_LINK})",
    )
    parser.add_argument(
        "--baud", type=baud_rate, default=115200, metavar="N", help="serial baud rate (115200)"
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover console`."""
    p = sub.add_parser(
        "console",
        help="operate the rover: commands, verification, events, telemetry, scripts",
        description="The operator console. Commands are checked against the dictionary before "
        "they are sent and their verification is shown as it comes back; events are printed as "
        "they arrive; `tlm` shows the latest telemetry against its limits. TAB completes; `help` "
        "lists everything. Every packet received is recorded to a telemetry log, every command "
        "and its outcome to commands.log in the state directory.",
    )
    add_link_options(p)
    p.add_argument(
        "--script",
        metavar="FILE",
        help="run the console lines in FILE without a prompt, then exit: status 0 only if every "
        "command completed and every wait was met",
    )
    p.add_argument("--record", metavar="LOG", help="record to this log (default: a new log "
                   "under the state directory's logs/)")  # fmt: skip
    p.add_argument("--no-record", action="store_true", help="do not record telemetry")
    p.add_argument(
        "--state-dir",
        metavar="DIR",
        help="history, command log and recordings (default $ROVER_STATE_DIR, else "
        "$XDG_STATE_HOME/rover or ~/.local/state/rover)",
    )
    p.add_argument(
        "--connect-timeout",
        type=positive_seconds,
        default=10.0,
        metavar="S",
        help="with --script, how long to wait for the link (default 10 s)",
    )
    p.add_argument(
        "--key",
        metavar="FILE",
        help="sign every command with this uplink key (default: $ROVER_KEY, else "
        "~/.config/rover/uplink.key, when it exists)",
    )
    p.add_argument(
        "--unsigned",
        action="store_true",
        help="send commands without authentication (only a `rover fsw --insecure` executes them)",
    )
    add_relay_options(p)  # the pass schedule and light-time, known in advance
    p.add_argument(
        "--los-commands",
        choices=POLICIES,
        default="queue",
        help="with --relay, a command typed while the relay is in LOS (it would be lost): "
        "queue holds it and sends it at AOS, in order (default); refuse refuses it at once",
    )
    p.add_argument(
        "--los-timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"how long a held command waits for AOS before it EXPIRES unsent (default "
        f"{DEFAULT_TIMEOUT:g} s)",
    )
    add_dict_option(p)
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    """Run the console."""
    from tools.console.app import recording_path, run_console  # noqa: PLC0415 (prompt_toolkit)

    directory = state_dir(args.state_dir)
    record = None
    if not args.no_record:
        record = Path(args.record) if args.record else recording_path(directory)
        record.parent.mkdir(parents=True, exist_ok=True)
    if not (math.isfinite(args.los_timeout) and args.los_timeout > 0):
        raise ValueError(f"--los-timeout {args.los_timeout:g}: a number of seconds above 0")
    script = Path(args.script) if args.script else None
    if script is not None:
        check_script(script)
    return run_console(
        args.link,
        baudrate=args.baud,
        script=script,
        record=record,
        directory=directory,
        dictionary_path=args.dictionary,
        connect_timeout=args.connect_timeout,
        key=_key(args),
        relay=relay_profile(args),
        los_policy=args.los_commands,
        los_timeout=args.los_timeout,
    )


def check_script(path: Path) -> None:
    """A ValueError, in one line, unless `path` is a readable text file of console lines."""
    if path.is_dir():
        raise ValueError(f"--script {path}: a directory, not a script file")
    if not path.exists():
        raise ValueError(f"--script {path}: no such file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ValueError(f"--script {path}: cannot read ({err.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"--script {path}: not a text file (byte {err.start} is not UTF-8); a script is "
            "console lines"
        ) from None
    if "\0" in text:
        raise ValueError(f"--script {path}: not a text file (it holds NUL bytes)")


def _key(args: argparse.Namespace) -> Key | None:
    """The key to sign with and verify telemetry by: --key, else the default key file if there
    is one; None unsigned."""
    return ground_key(args.key, args.unsigned, "--unsigned", "console")


def ground_key(given: str | None, without: bool, flag: str, tool: str) -> Key | None:
    """A ground tool's key: `given`, else the default key file if there is one; None when
    `without` (its option `flag`) or there is none (said on stderr)."""
    if without:
        if given:
            raise ValueError(f"--key and {flag}: choose one")
        return None
    if given:
        return read_key(Path(given).expanduser())
    path = default_key_path()
    if not path.exists():
        print(
            f"rover {tool}: no uplink key at {path}: commands go unsigned and telemetry is not "
            "verified; an authenticated rover refuses such commands (make one with "
            "`rover keygen`, or give --key)",
            file=sys.stderr,
        )
        return None
    return read_key(path)
