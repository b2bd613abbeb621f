"""`rover decode`: every field of every packet in hex, a stream or a log, as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from cobs import cobs

from fsw.packets.reasons import PacketError, Reason
from tools.cli.common import add_dict_option, load_dictionary, packet_json
from tools.dictionary import Dictionary
from tools.tlmlog import MAGIC, LogReader

FORMATS = ("auto", "raw", "cobs", "log")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover decode`."""
    p = sub.add_parser(
        "decode",
        help="print packets as JSON, one object per line",
        description="Decode packets and print one JSON object per packet with every field named. "
        "Input is hex (a packet, or a COBS stream starting with 00; '-' reads hex from standard "
        "input) or --file: a telemetry log, a COBS-framed capture, or concatenated raw packets. "
        "Bad packets are reported on standard error, one line each; the exit status is then 2.",
        epilog="example: rover encode PING token=7 | rover decode -",
    )
    p.add_argument(
        "hex", nargs="*", help="packet bytes as hex (spaces and colons allowed), or - for stdin"
    )
    p.add_argument("--file", metavar="F", help="decode a binary file instead")
    p.add_argument(
        "--format", choices=FORMATS, default="auto", help="what --file holds (default: auto-detect)"
    )
    add_dict_option(p)
    p.set_defaults(run=run)


class Problems:
    """Counts and reports bad input on standard error."""

    def __init__(self) -> None:
        self.count = 0

    def report(self, where: str, message: str) -> None:
        """One line on stderr."""
        self.count += 1
        print(f"rover decode: {where}{message}", file=sys.stderr)


def parse_hex(texts: list[str]) -> bytes:
    """Bytes from hex text, ignoring spaces, colons and an 0x prefix."""
    text = "".join(texts).replace(":", "").replace(" ", "").replace("\n", "").replace("\t", "")
    text = text.removeprefix("0x").removeprefix("0X")
    try:
        return bytes.fromhex(text)
    except ValueError:
        bad = next((c for c in text if c not in "0123456789abcdefABCDEF"), None)
        why = f"{bad!r} is not a hex digit" if bad else "an odd number of hex digits"
        raise PacketError(Reason.BAD_FRAME, f"not hex: {why}") from None


def raw_packets(data: bytes, problems: Problems) -> Iterator[tuple[str, bytes]]:
    """Concatenated packets, split by their length fields."""
    pos = 0
    while pos < len(data):
        if len(data) - pos < 6:
            problems.report(
                f"byte {pos}: ", f"{len(data) - pos} bytes left, shorter than a primary header"
            )
            return
        size = int.from_bytes(data[pos + 4 : pos + 6], "big") + 7
        if pos + size > len(data):
            problems.report(
                f"byte {pos}: ", f"length field says {size} bytes, only {len(data) - pos} left"
            )
            return
        yield f"byte {pos}: ", data[pos : pos + size]
        pos += size


def cobs_packets(data: bytes, problems: Problems) -> Iterator[tuple[str, bytes]]:
    """The packets of a COBS-framed stream."""
    pos = 0
    for chunk in data.split(b"\x00"):
        if chunk:
            try:
                yield f"frame at byte {pos}: ", cobs.decode(chunk)
            except cobs.DecodeError:
                problems.report(f"frame at byte {pos}: ", "bad COBS encoding")
        pos += len(chunk) + 1


def emit(
    dictionary: Dictionary, where: str, packet: bytes, problems: Problems, extra: dict | None = None
) -> None:
    """Print one packet as JSON, or report why it cannot be decoded."""
    try:
        decoded = dictionary.decode(packet)
    except PacketError as err:
        problems.report(where, err.message)
        return
    out = packet_json(decoded)
    if extra:
        out.update(extra)
    print(json.dumps(out))


def run(args: argparse.Namespace) -> int:
    """Decode what the user gave and print it."""
    if bool(args.hex) == bool(args.file):
        raise PacketError(Reason.BAD_FRAME, "give packet hex or --file F (one of the two)")
    dictionary = load_dictionary(args)
    problems = Problems()
    if args.file:
        path = Path(args.file)
        data = path.read_bytes()
        if not data:
            raise PacketError(Reason.BAD_LENGTH, f"{path} is empty: no packets to decode")
        kind = args.format
        if kind == "auto":
            kind = "log" if data.startswith(MAGIC) else "cobs" if data[:1] == b"\x00" else "raw"
        if kind == "log":
            decode_log(path, dictionary, problems)
        else:
            split = cobs_packets if kind == "cobs" else raw_packets
            for where, packet in split(data, problems):
                emit(dictionary, where, packet, problems)
    else:
        text = sys.stdin.read().split() if args.hex == ["-"] else args.hex
        data = parse_hex(text)
        if not data:
            raise PacketError(Reason.BAD_LENGTH, "no bytes to decode")
        if data[:1] == b"\x00":
            for where, packet in cobs_packets(data, problems):
                emit(dictionary, where, packet, problems)
        else:
            emit(dictionary, "", data, problems)
    return 2 if problems.count else 0


def decode_log(path: Path, dictionary: Dictionary, problems: Problems) -> None:
    """Every record of a telemetry log, with its ground receive time."""
    reader = LogReader(path)
    if reader.header.dictionary != dictionary.fingerprint:
        print(
            f"rover decode: note: {path} was recorded with dictionary "
            f"{reader.header.dictionary.hex()}, "
            f"decoding with {dictionary.fingerprint.hex()}",
            file=sys.stderr,
        )
    for record in reader:
        received = datetime.fromtimestamp(record.received_ns / 1e9, UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
        emit(
            dictionary,
            f"record at byte {record.offset}: ",
            record.packet,
            problems,
            {"received": received, "direction": record.type.name.lower()},
        )
    stats = reader.stats
    if stats.corrupt_records:
        problems.report(
            "", f"{stats.corrupt_records} corrupt records skipped ({stats.skipped_bytes} bytes)"
        )
    if stats.torn_tail_bytes:
        print(
            f"rover decode: note: skipped a torn last record ({stats.torn_tail_bytes} bytes), "
            "as a crash leaves",
            file=sys.stderr,
        )
