"""Downlink authentication: every telemetry packet leaves the rover sealed in a telemetry envelope
(fsw.packets.secure, APID TLM_SECURE) with its own key and its own sequence numbers, so a relay in
the middle can neither forge a verification report nor replay old telemetry as new.

- Key: derived from the uplink key file's secret with a distinct label, HKDF-Expand (RFC 5869)
  with the secret as the pseudo-random key: HMAC-SHA256(secret, LABEL || 0x01). One key file
  serves both directions (old key files keep working, `rover keygen` is unchanged), a MAC made
  for one direction never passes in the other, and a ground with only `hmac` can derive it.
  The security association keeps the key file's SPI: the direction is told by the APID.
- Sequence number (64 bits): microseconds of mission time when the packet is sealed, or one more
  than the last when two fall in the same microsecond. Mission time is the spacecraft clock and
  keeps counting across a restart, so numbers rise across reboots without a write to non-volatile
  memory per packet, and a seeded simulated run seals the same bytes every time. Where mission
  time can restart lower (a run at --speed 10, then one at 1), a lease kept in non-volatile memory
  (`floor`, `keep`: written once per LEASE of numbers) makes the numbers start above every number
  the last boot may have used.
- Sealed at the edge (where a packet goes to the radio): the onboard store keeps plain packets
  (no overhead in its bytes), and a playback envelope is sealed as a whole when it goes down, so a
  forged playback fails like a forged live packet.
- Without a key (`--insecure`), packets go down plain, said at boot and in HK (downlink_auth).

Cost: secure.OVERHEAD = 34 bytes per packet (a 103-byte HK becomes 137 bytes; at the eight packets
a second of housekeeping, 2.2 kbit/s of the relay's 285 kbit/s). The MAC keeps 128 bits as the
uplink's does: a forged verification report is worth as much to an attacker as a forged command.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from fsw.packets import secure
from fsw.security import MAX_WINDOW, Key

Downlink = Callable[[bytes], None]
"""Where telemetry packets go (the link, a log, a test)."""
Lease = tuple[int, Callable[[int], None] | None]
"""The downlink's sequence-number lease in non-volatile memory: (floor read at boot, keep)."""
NO_LEASE: Lease = (0, None)
LEASE = 3_600_000_000
"""Sequence numbers reserved per write to non-volatile memory (an hour of mission time in us)."""
LABEL = b"yutu-rover downlink MAC key v1"
"""HKDF-Expand's `info` for the downlink key (documented in the dictionary)."""


def downlink_key(key: Key) -> Key:
    """The downlink's security association from the uplink key file's: same SPI, derived secret."""
    secret = hmac.new(key.secret, LABEL + b"\x01", hashlib.sha256).digest()
    return Key(key.spi, secret)


class DownlinkAuth:
    """Seals each telemetry packet on its way to the radio (or passes it plain without a key)."""

    def __init__(
        self,
        key: Key | None,
        now_ns: Callable[[], int],
        floor: int = 0,
        keep: Callable[[int], None] | None = None,
    ) -> None:
        """`floor`: the lease read from non-volatile memory at boot (numbers up to it may have
        been used before); `keep` writes a new lease there before a number beyond it is used."""
        self.key = None if key is None else downlink_key(key)
        self._mac = None if self.key is None else secure.keyed_mac(self.key.secret)
        self._now_ns = now_ns
        self._keep = keep
        self.last_sn = floor  # the sequence number of the last packet sealed
        self.leased = floor  # numbers up to here are reserved in non-volatile memory
        self.keep_failed = 0  # lease writes that failed (sealing goes on: the clock still rises)
        self.sealed = 0  # packets sealed since boot

    @property
    def required(self) -> bool:
        """Whether telemetry goes down authenticated (a key is loaded)."""
        return self.key is not None

    def seal(self, packet: bytes) -> bytes:
        """`packet` as it goes down: in a telemetry envelope, or plain without a key."""
        if self.key is None or self._mac is None:
            return packet
        sn = max(self.last_sn + 1, self._now_ns() // 1000)
        if self._keep is not None and sn > self.leased:
            try:
                self._keep(sn + LEASE)
                self.leased = sn + LEASE
            except (OSError, ValueError):  # disk full, read-only: telemetry must still go down
                self.keep_failed += 1
                self.leased = sn + LEASE  # retried at the next lease, not for every packet
        self.last_sn = sn
        self.sealed += 1
        return secure.seal(packet, self._mac, self.key.spi, sn, telemetry=True)

    def sealing(self, downlink: Callable[[bytes], None]) -> Callable[[bytes], None]:
        """`downlink`, given each packet sealed."""
        if self.key is None:
            return downlink

        def sealed(packet: bytes) -> None:
            downlink(self.seal(packet))

        return sealed


def describe() -> dict[str, Any]:
    """The telemetry envelope as the dictionary states it: enough for a ground with only `json`
    and `hmac` to derive the key, check each packet and refuse replays."""
    h = secure.HEADER_SIZE
    return {
        "apid": secure.TM_APID,
        "packet_type": "telemetry",
        "layout": [
            {"name": "primary_header", "offset": 0, "size": 6},
            {"name": "spi", "offset": 6, "type": "u16"},
            {"name": "sn", "offset": 8, "type": "u64"},
            {"name": "packet", "offset": h, "size": f"total - {secure.OVERHEAD}"},
            {"name": "mac", "offset": f"total - {secure.MAC_SIZE + 2}", "size": secure.MAC_SIZE},
            {"name": "crc", "offset": "total - 2", "size": 2},
        ],
        "overhead_bytes": secure.OVERHEAD,
        "holds": "one telemetry packet, or a playback envelope (TLM_PLAYBACK) around one",
        "sequence_count": "the packet's own, copied into the envelope's primary header",
        "crc": "CRC-16/CCITT-FALSE over every byte before it, as every packet (see crc): a bad "
        "one is line noise, not a forgery",
        "mac": {
            "algorithm": "HMAC-SHA256",
            "truncated_to_bytes": secure.MAC_SIZE,
            "covers": "every byte before the MAC: primary header, spi, sn, packet",
        },
        "key": {
            "derivation": "HKDF-Expand (RFC 5869) with the key file's secret as PRK, info = "
            "label, 32 bytes: HMAC-SHA256(secret, label || 0x01)",
            "label_hex": LABEL.hex(),
            "label_ascii": LABEL.decode("ascii"),
            "spi": "the key file's spi (the direction is told by the APID)",
        },
        "sequence_number": {
            "meaning": "microseconds of mission time when sealed, or one more than the last; "
            "never lower after a restart (a lease kept in non-volatile memory)",
            "ground_rule": "believe a number above the highest seen, or one less than "
            f"{MAX_WINDOW} below it not seen yet; refuse the rest as replayed",
            "window": MAX_WINDOW,
        },
        "without_key": "started with --insecure: packets go down plain and HK's downlink_auth "
        "says INSECURE; a ground with a key believes no plain packet",
    }
