"""Codec speed: the project's decoder and encoder next to plain struct + binascii.crc_hqx (the
floor), and bulk decoding of 100,000 housekeeping packets next to ccsdspy. Ratios are measured side
by side in one run (interleaved repeats, medians), since these machines are noisy.

    python benchmarks/codec.py [--packets 100000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import binascii
import logging
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ccsdspy  # test-only dependency: the floor of bulk decoding

from fsw.downlink_auth import DownlinkAuth
from fsw.packets.crc import extension_in_use
from fsw.packets.types import TYPES
from fsw.security import Key
from fsw.tables import CATALOG
from tools import bulk
from tools.ground.verifier import DownlinkVerifier

HK = CATALOG.telemetry_packet("HK")
LAYOUT = CATALOG.layout(HK)


def hk_packet(i: int) -> bytes:
    values = {f.name: (i + j) % 200 if f.enum is None else 1 for j, f in enumerate(HK.fields)}
    values["cpu_load"] = 12.5
    return CATALOG.encode_telemetry(HK, values, i, 1000.0 + i)


# The floor: the same layout with a plain struct.Struct, CRC-16/CCITT-FALSE by binascii.crc_hqx.
FLOOR = struct.Struct(">" + "".join(TYPES[s.type].struct_code for s in LAYOUT.slots))
NAMES = [s.name for s in LAYOUT.slots]


def floor_decode(packet: bytes) -> dict:
    if binascii.crc_hqx(packet, 0xFFFF):
        raise ValueError("CRC")
    return dict(zip(NAMES, FLOOR.unpack_from(packet), strict=True))


def floor_decode_tuple(packet: bytes) -> tuple:
    if binascii.crc_hqx(packet, 0xFFFF):
        raise ValueError("CRC")
    return FLOOR.unpack_from(packet)


def floor_encode(values: tuple) -> bytes:
    body = FLOOR.pack(*values)
    return body + binascii.crc_hqx(body, 0xFFFF).to_bytes(2, "big")


def per_call(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def side_by_side(
    cases: dict[str, Callable[[], object]], number: int, repeats: int
) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            samples[name].append(per_call(fn, number))
    return {name: statistics.median(s) for name, s in samples.items()}


def row(label: str, seconds: float) -> None:
    """One line of per-packet time and rate."""
    print(f"  {label:38s} {seconds * 1e6:7.2f} us/packet  {1 / seconds:10,.0f} packets/s")


TARGET_DECODE = 5.0
"""The codec decodes a packet in at most this many times the hand-written struct floor's time."""
TARGET_BULK = 1.0
"""Bulk decoding, every CRC checked, is at most this many times ccsdspy's time (none checked)."""


def main(argv: list[str] | None = None) -> int:
    """Measure and print the figures; 0 when the targets are met, 1 when one is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packets", type=int, default=100_000, help="packets in the bulk file")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    logging.getLogger("ccsdspy").setLevel(logging.ERROR)

    packet = hk_packet(1)
    decoded = CATALOG.decode(packet)
    values = dict(decoded.values)
    tuple_values = FLOOR.unpack_from(packet)
    assert floor_decode(packet) == {
        **values,
        **{n: v for n, v in zip(NAMES, tuple_values, strict=True) if n not in values},
    }
    assert (
        floor_encode(tuple_values[: len(NAMES)])
        == packet
        == CATALOG.encode_telemetry(HK, values, 1, decoded.time)
    )

    print(f"crcmod C extension in use: {extension_in_use()}")
    print(f"housekeeping packet: {len(packet)} bytes, {len(HK.fields)} fields")
    n = 20_000
    dec = side_by_side(
        {
            "floor": lambda: floor_decode(packet),
            "floor_tuple": lambda: floor_decode_tuple(packet),
            "codec": lambda: CATALOG.decode(packet),
        },
        n,
        args.repeats,
    )
    enc = side_by_side(
        {
            "floor": lambda: floor_encode(tuple_values),
            "codec": lambda: CATALOG.encode_telemetry(HK, values, 1, 1001.0),
        },
        n,
        args.repeats,
    )
    print("\ndecode, CRC checked (median of interleaved repeats)")
    print(f"  floor  struct + crc_hqx -> named dict   {dec['floor'] * 1e6:7.2f} us/packet")
    print(f"  floor  struct + crc_hqx -> tuple        {dec['floor_tuple'] * 1e6:7.2f} us/packet")
    row("codec  compiled construct + crcmod", dec["codec"])
    ratio = dec["codec"] / dec["floor"]
    print(
        f"  ratio  codec / named floor              {ratio:7.2f}x  (target <= {TARGET_DECODE:g}x)"
    )
    print(f"  ratio  codec / tuple floor              {dec['codec'] / dec['floor_tuple']:7.2f}x")
    print("\nencode, CRC appended")
    print(f"  floor  struct + crc_hqx                 {enc['floor'] * 1e6:7.2f} us/packet")
    row("codec  compiled construct + crcmod", enc["codec"])
    print(f"  ratio  codec / floor                    {enc['codec'] / enc['floor']:7.2f}x")
    auth_ok = downlink_auth(packet, dec["codec"] + enc["codec"], n, args.repeats)

    fields = [
        ccsdspy.PacketField(
            name=s.name,
            data_type={"uint": "uint", "int": "int", "float": "float"}[TYPES[s.type].kind],
            bit_length=TYPES[s.type].bits,
        )
        for s in LAYOUT.slots[3:]
    ]
    fields.append(ccsdspy.PacketField(name="crc", data_type="uint", bit_length=16))
    reader = ccsdspy.FixedLength(fields)
    data = b"".join(hk_packet(i) for i in range(args.packets))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hk.bin"
        path.write_bytes(data)
        samples: dict[str, list[float]] = {"ccsdspy": [], "bulk": []}
        for _ in range(args.repeats):
            t = time.perf_counter()
            theirs = reader.load(str(path))
            samples["ccsdspy"].append(time.perf_counter() - t)
            t = time.perf_counter()
            result = bulk.decode_stream(path.read_bytes(), CATALOG)
            samples["bulk"].append(time.perf_counter() - t)
    ours = result.packets["HK"]
    assert len(ours) == args.packets and result.crc_errors == 0
    assert (ours["uptime"] == theirs["uptime"]).all()
    c, b = statistics.median(samples["ccsdspy"]), statistics.median(samples["bulk"])
    print(f"\nbulk: a file of {args.packets:,} housekeeping packets ({len(data):,} bytes)")
    per = 1e6 / args.packets
    print(
        f"  ccsdspy FixedLength.load, nothing verified  {c * 1e3:8.1f} ms  {c * per:6.3f} us/packet"
    )
    print(
        f"  bulk.decode_stream, every CRC verified      {b * 1e3:8.1f} ms  {b * per:6.3f} us/packet"
    )
    target = f"(target <= {TARGET_BULK:g}x)"
    print(f"  ratio  bulk / ccsdspy                       {b / c:8.2f}x   {target}")

    event = CATALOG.encode_event("PING_REPLY", {"token": 1}, 0, 1.0)
    mixed = b"".join(hk_packet(i) + (event if i % 10 == 3 else b"") for i in range(args.packets))
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        bulk.decode_stream(mixed, CATALOG)
        times.append(time.perf_counter() - t)
    m = statistics.median(times)
    print("\nbulk: the same with an event after every tenth packet (ccsdspy's FixedLength cannot)")
    print(
        f"  bulk.decode_stream                          {m * 1e3:8.1f} ms  {m * per:6.3f} us/packet"
    )
    ok = ratio <= TARGET_DECODE and b / c <= TARGET_BULK and auth_ok
    print("\ntargets met" if ok else "\nTARGETS NOT MET")
    return 0 if ok else 1


def downlink_auth(packet: bytes, codec: float, number: int, repeats: int) -> bool:
    """Sealing a packet on board and verifying it on the ground, next to encoding and decoding
    it (target: authentication costs no more than the codec, so a MAC per packet never
    dominates); whether the target is met."""
    key = Key(1, bytes(range(32)))
    clock = iter(range(10**6, 10**12, 1000))
    auth = DownlinkAuth(key, lambda: next(clock))
    sealed = [auth.seal(packet) for _ in range(number * repeats * 2)]
    verifier, envelopes = DownlinkVerifier(key), iter(sealed)
    took = side_by_side(
        {"seal": lambda: auth.seal(packet), "verify": lambda: verifier.check(next(envelopes))},
        number,
        repeats,
    )
    assert not verifier.refused
    both = took["seal"] + took["verify"]
    print(f"\ndownlink authentication: {len(packet)}-byte HK sealed into {len(sealed[0])} bytes")
    row("seal   HMAC-SHA256/128 + envelope", took["seal"])
    row("verify MAC + anti-replay window", took["verify"])
    met = both <= codec
    print(f"  ratio  (seal + verify) / (encode + decode) {both / codec:5.2f}x  (target <= 1x)"
          f"{'' if met else '  MISSED'}")  # fmt: skip
    return met


if __name__ == "__main__":
    sys.exit(main())
