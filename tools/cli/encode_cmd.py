"""`rover encode`: a command packet from its name and arguments, checked against the dictionary."""

from __future__ import annotations

import argparse

from fsw.packets import ccsds
from fsw.packets.framing import frame
from fsw.packets.reasons import PacketError, Reason
from tools.cli.common import add_dict_option, load_dictionary


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover encode`."""
    p = sub.add_parser(
        "encode",
        help="print a command packet as hex",
        description="Build a command packet and print it as hex. Arguments are name=value; numbers "
        "may be decimal, 0x hex or floats, enum arguments take the member name. Every argument is "
        "checked against its type and range first.",
        epilog="example: rover encode PING token=7 --seq 1",
    )
    p.add_argument("name", help="command name, e.g. PING")
    p.add_argument("args", nargs="*", metavar="ARG=VALUE", help="arguments, e.g. token=7")
    p.add_argument(
        "--seq", type=int, default=0, metavar="N", help="sequence count (0-16383, default 0)"
    )
    p.add_argument(
        "--framed", action="store_true", help="print the COBS frame as sent on a serial or TCP link"
    )
    add_dict_option(p)
    p.set_defaults(run=run)


def parse_value(text: str) -> int | float | str:
    """A command-line value: an int (decimal, 0x, 0b), a float, or else text (an enum name)."""
    try:
        return int(text, 0)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_args(pairs: list[str]) -> dict[str, int | float | str]:
    """name=value pairs as a dict, or a PacketError naming the malformed pair."""
    out: dict[str, int | float | str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name or not value:
            raise PacketError(Reason.INVALID_VALUE, f"{pair!r} is not NAME=VALUE")
        if name in out:
            raise PacketError(Reason.INVALID_VALUE, f"argument {name!r} given twice")
        out[name] = parse_value(value)
    return out


def run(args: argparse.Namespace) -> int:
    """Print the command packet (or frame) as hex."""
    if not 0 <= args.seq < ccsds.SEQ_COUNT_MODULO:
        raise PacketError(
            Reason.OUT_OF_RANGE,
            f"sequence count {args.seq} is outside 0..{ccsds.SEQ_COUNT_MODULO - 1}",
        )
    dictionary = load_dictionary(args)
    packet = dictionary.encode_command(args.name, parse_args(args.args), args.seq)
    print((frame(packet) if args.framed else packet).hex())
    return 0
