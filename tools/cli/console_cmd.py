"""`rover console`: the operator console on a live link, interactive or running a script."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fsw.security import Key
from tools.cli.common import add_dict_option
from tools.cli.relay_opts import add_relay_options, relay_profile
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
    parser.add_argument("--baud", type=int, default=115200, help="serial baud rate (115200)")


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
        type=float,
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
    script = Path(args.script) if args.script else None
    if script is not None and not script.is_file():
        raise ValueError(f"{script}: no such script")
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
    )


def _key(args: argparse.Namespace) -> Key | None:
    """The key to sign with: --key, else the default key file if there is one; None unsigned."""
    if args.unsigned:
        if args.key:
            raise ValueError("--key and --unsigned: choose one")
        return None
    if args.key:
        return read_key(Path(args.key).expanduser())
    path = default_key_path()
    if not path.exists():
        print(
            f"rover console: no uplink key at {path}: commands go unsigned, and an "
            "authenticated rover refuses them (make one with `rover keygen`, or give --key)",
            file=sys.stderr,
        )
        return None
    return read_key(path)
