"""The `rover` command: one entry point, one module per subcommand."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from fsw import __version__
from fsw.packets import crc
from fsw.packets.reasons import PacketError
from tools.cli.common import Terminated
from tools.dictionary import DictionaryError
from tools.scenario import ScenarioError
from tools.tlmlog import LogError

SUBCOMMANDS = ("fsw", "console", "record", "run", "dict", "encode", "decode", "replay", "keygen")
"""Each is a module tools.cli.NAME_cmd with add_parser(); only the one run is imported, so that
`rover fsw` does not spend a second importing numpy, matplotlib and prompt_toolkit it never uses
(every test that starts a `rover` pays that)."""


def subcommand(name: str) -> ModuleType:
    """The module of subcommand `name` (imported now)."""
    return importlib.import_module(f"tools.cli.{name}_cmd")


DESCRIPTION = """\
Flight-software emulator of a six-wheeled lunar rover modelled on Yutu-2: CCSDS packets,
dictionary, encoder and decoder, scenarios, and the emulator itself (`rover fsw`)."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of `rover` with every subcommand, or with `only` that one."""
    parser = argparse.ArgumentParser(
        prog="rover", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"rover {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        if only is None or name == only:
            subcommand(name).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `rover` with `argv`; the exit status (2 for bad input, with a one-line reason)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((word for word in argv if not word.startswith("-")), None)
    parser = build_parser(chosen if chosen in SUBCOMMANDS else None)  # else: rover's own help
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
