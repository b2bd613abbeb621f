"""The `rover` command: one entry point, one module per subcommand."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from fsw import __version__
from fsw.packets import crc
from fsw.packets.reasons import PacketError
from tools.cli import (
    console_cmd,
    decode_cmd,
    dict_cmd,
    encode_cmd,
    fsw_cmd,
    keygen_cmd,
    record_cmd,
    replay_cmd,
    run_cmd,
)
from tools.cli.common import Terminated
from tools.dictionary import DictionaryError
from tools.scenario import ScenarioError
from tools.tlmlog import LogError

SUBCOMMANDS = (
    fsw_cmd,
    console_cmd,
    record_cmd,
    run_cmd,
    dict_cmd,
    encode_cmd,
    decode_cmd,
    replay_cmd,
    keygen_cmd,
)

DESCRIPTION = """\
Flight-software emulator of a six-wheeled lunar rover modelled on Yutu-2: CCSDS packets,
dictionary, encoder and decoder, scenarios, and the emulator itself (`rover fsw`)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `rover` with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="rover", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"rover {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `rover` with `argv`; the exit status (2 for bad input, with a one-line reason)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    crc.warn_if_slow()
    try:
        return args.run(args)
    except BrokenPipeError:
        # the reader went away (| head): stop quietly, as other Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (PacketError, DictionaryError, LogError, ScenarioError, OSError, ValueError) as err:
        text = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        where = f" {err.filename}:" if isinstance(err, OSError) and err.filename else ""
        print(f"rover {args.command}:{where} {text}", file=sys.stderr)
        return 2
    except Terminated:  # before the command's own stop could take over
        return 143
    except KeyboardInterrupt:
        return 130
