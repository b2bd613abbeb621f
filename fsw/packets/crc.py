"""Packet error control: CRC-16/CCITT-FALSE over the whole packet, appended big-endian.

Poly 0x1021, init 0xFFFF, no reflection, no final XOR; check value 0x29B1 for b"123456789".
Run over a whole packet including its CRC it gives 0, which is how packets are verified.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import crcmod.crcmod
import crcmod.predefined

CRC_NAME = "crc-ccitt-false"
CRC_SIZE = 2
CRC_FIELD = "crc"  # the name the CRC goes by where a packet is laid out as named fields
CHECK_VALUE = 0x29B1

_CRC = crcmod.predefined.Crc(CRC_NAME)
POLY = 0x1021
INIT = 0xFFFF
XOR_OUT = 0x0000

crc16: Callable[[bytes], int] = crcmod.predefined.mkCrcFun(CRC_NAME)
"""The CRC of `data` (bytes-like), as an int."""

TABLE: tuple[int, ...] = tuple(_CRC.table)
"""crcmod's byte-at-a-time table, for vectorised CRCs over many packets at once."""


def extension_in_use() -> bool:
    """Whether crcmod runs its C extension (the pure-Python fallback is 24-36x slower)."""
    # `crcmod.crcmod` as an attribute is the package itself (its __init__ star-imports over the
    # name), so the implementation module has to be taken from sys.modules.
    return bool(getattr(sys.modules["crcmod.crcmod"], "_usingExtension", False))


SLOW_CRC_WARNING = (
    "warning: crcmod's C extension is not in use, so every CRC check runs 24-36x slower; "
    "reinstall crcmod where a C compiler and the Python headers are available"
)

_warned = False


def warn_if_slow(write: Callable[[str], object] = sys.stderr.write) -> bool:
    """Say once per process, at start-up, that CRCs run in pure Python; True if it said so."""
    global _warned  # noqa: PLW0603 - once per process is the point
    if _warned or extension_in_use():
        return False
    _warned = True
    write(SLOW_CRC_WARNING + "\n")
    return True


def append_crc(body: bytes) -> bytes:
    """The packet: `body` followed by its CRC, big-endian."""
    return body + crc16(body).to_bytes(CRC_SIZE, "big")


def crc_ok(packet: bytes) -> bool:
    """Whether the CRC at the end of `packet` matches the bytes before it."""
    return crc16(packet) == 0
