"""`rover decode`: every field of every packet in hex, a stream or a log, as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from cobs import cobs

from fsw.packets import secure
from fsw.packets.integrity import verify
from fsw.packets.reasons import PacketError, Reason
from tools.cli.common import add_dict_option, load_dictionary, packet_json
from tools.dictionary import Dictionary
from tools.tlmlog import MAGIC, LogReader

FORMATS = ("auto", "raw", "cobs", "log")
DETECT_FRAMES = 8


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover decode`."""
    p = sub.add_parser(
        "decode",
        help="print packets as JSON, one object per line",
        description="Decode packets and print one JSON object per packet with every field named. "
        "Input is hex (one packet or several back to back, or a COBS stream starting with 00; "
        "'-' reads hex from standard input) or --file: a telemetry log, a COBS-framed capture, "
        "or concatenated raw packets. Bad packets are reported on standard error, one line "
        "each, and the exit status is then 2. Idle packets (link fill) are skipped.",
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


class Session:
    """What one decode printed, skipped and refused; refusals go to stderr, one line each."""

    def __init__(self, dictionary: Dictionary) -> None:
        self.dictionary = dictionary
        self.problems = 0
        self.printed = 0
        self.idle = 0

    def report(self, where: str, message: str) -> None:
        """A bad packet or bad bytes: one line on stderr."""
        self.problems += 1
        print(f"rover decode: {where}{message}", file=sys.stderr)

    def emit(self, where: str, packet: bytes, extra: dict | None = None) -> None:
        """Print one packet as JSON, or report why it cannot be decoded. A telemetry envelope
        is opened and its packet printed with the envelope's SPI and SN (its MAC is not judged:
        this tool has no key; the console and recorder verify)."""
        if secure.is_telemetry_envelope(packet):
            try:
                envelope = secure.unseal(packet)
            except PacketError as err:
                self.report(where, err.message)
                return
            sealed = {"sealed": {"spi": envelope.spi, "sn": envelope.sn, "verified": False}}
            self.emit(where, envelope.command, {**(extra or {}), **sealed})
            return
        try:
            decoded = self.dictionary.decode(packet)
        except PacketError as err:
            if err.reason == Reason.IDLE_PACKET:
                self.idle += 1
            else:
                self.report(where, err.message)
            return
        out = packet_json(decoded)
        if extra:
            out.update(extra)
        print(json.dumps(out))
        self.printed += 1


def note(text: str) -> None:
    """Something worth knowing that is not an error."""
    print(f"rover decode: note: {text}", file=sys.stderr)


def parse_hex(texts: list[str]) -> bytes:
    """Bytes from hex text, ignoring spaces, colons and an 0x prefix."""
    text = "".join("".join(texts).split()).replace(":", "")
    text = text.removeprefix("0x").removeprefix("0X")
    try:
        return bytes.fromhex(text)
    except ValueError:
        bad = next((c for c in text if c not in "0123456789abcdefABCDEF"), None)
        why = f"{bad!r} is not a hex digit" if bad else "an odd number of hex digits"
        raise PacketError(Reason.BAD_FRAME, f"not hex: {why}") from None


def split_raw(data: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """Back-to-back packets split by their length fields, and where splitting stopped."""
    found, pos = [], 0
    while len(data) - pos >= 6:
        size = int.from_bytes(data[pos + 4 : pos + 6], "big") + 7
        if pos + size > len(data):
            break
        found.append((pos, data[pos : pos + size]))
        pos += size
    return found, pos


def decode_raw(data: bytes, session: Session) -> None:
    """Back-to-back packets; a lone packet is reported without a byte offset."""
    found, stop = split_raw(data)
    lone = len(found) == 1 and stop == len(data)
    if not found or lone or (len(found) == 1 and not _decodes(session, found[0][1])):
        session.emit("", data)  # one packet, or bytes that are none: the decoder says why
        return
    for offset, packet in found:
        session.emit(f"byte {offset}: ", packet)
    if stop != len(data):
        left = len(data) - stop
        session.report(f"byte {stop}: ", f"{left} bytes left that are not a whole packet")


def _decodes(session: Session, packet: bytes) -> bool:
    try:
        session.dictionary.decode(packet)
    except PacketError:
        return False
    return True


def cobs_packets(data: bytes, session: Session) -> Iterator[tuple[str, bytes]]:
    """The packets of a COBS-framed stream (frames delimited by 0x00)."""
    pos = 0
    for chunk in data.split(b"\x00"):
        if chunk:
            try:
                yield f"frame at byte {pos}: ", cobs.decode(chunk)
            except cobs.DecodeError:
                session.report(f"frame at byte {pos}: ", "bad COBS encoding")
        pos += len(chunk) + 1


def detect(data: bytes) -> str:
    """'log', 'cobs' or 'raw': what a file most likely holds."""
    if data.startswith(MAGIC):
        return "log"
    if data[:1] == b"\x00":
        return "cobs"
    chunks = data.split(b"\x00")
    # frames with trailing delimiters only, as other tools send, or a capture that starts
    # mid-frame: COBS if any of the first few whole frames holds a packet
    for chunk in chunks[:-1][:DETECT_FRAMES]:
        try:
            verify(cobs.decode(chunk))
        except cobs.DecodeError:
            continue
        except PacketError as err:
            if err.reason != Reason.IDLE_PACKET:
                continue
        return "cobs"
    return "raw"


def run(args: argparse.Namespace) -> int:
    """Decode what the user gave and print it."""
    if bool(args.hex) == bool(args.file):
        raise PacketError(Reason.BAD_FRAME, "give packet hex or --file F (one of the two)")
    session = Session(load_dictionary(args))
    if args.file:
        path = Path(args.file)
        data = path.read_bytes()
        if not data:
            raise PacketError(Reason.BAD_LENGTH, f"{path} is empty: no packets to decode")
        kind = detect(data) if args.format == "auto" else args.format
        source = str(path)
    else:
        data = parse_hex(sys.stdin.read().split() if args.hex == ["-"] else args.hex)
        if not data:
            raise PacketError(Reason.BAD_LENGTH, "no bytes to decode")
        kind, source = ("cobs" if data[:1] == b"\x00" else "raw"), "the input"
    if kind == "log":
        decode_log(Path(args.file), session)
    elif kind == "cobs":
        for where, packet in cobs_packets(data, session):
            session.emit(where, packet)
    else:
        decode_raw(data, session)
    if session.idle:
        note(f"skipped {session.idle} idle packets (link fill)")
    if kind != "log" and not session.printed and not session.problems and not session.idle:
        raise PacketError(Reason.BAD_FRAME, f"no packets in {source}")
    return 2 if session.problems else 0


def decode_log(path: Path, session: Session) -> None:
    """Every record of a telemetry log, with its ground receive time."""
    reader = LogReader(path)
    fingerprint = session.dictionary.fingerprint
    if reader.header.dictionary != fingerprint:
        note(
            f"{path} was recorded with dictionary {reader.header.dictionary.hex()}, "
            f"decoding with {fingerprint.hex()}"
        )
    for record in reader:
        received = datetime.fromtimestamp(record.received_ns / 1e9, UTC)
        extra = {
            "received": received.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "direction": record.type.name.lower(),
        }
        session.emit(f"record at byte {record.offset}: ", record.packet, extra)
    stats = reader.stats
    if stats.corrupt_records or stats.skipped_bytes:
        session.report(
            "",
            f"log damage: {stats.corrupt_records} corrupt records skipped, "
            f"{stats.skipped_bytes} bytes with no record passed over",
        )
    if stats.unknown_records:
        note(f"skipped {stats.unknown_records} records of a type this version does not know")
    if stats.torn_tail_bytes:
        note(f"skipped a torn last record ({stats.torn_tail_bytes} bytes), as a crash leaves")
    if not stats.records:
        note(f"{path} holds no records")
