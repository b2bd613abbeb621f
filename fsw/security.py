"""Uplink authentication: the key (one security association), the anti-replay window, and the
judgement of every command envelope before anything in it runs.

With a key, only commands in an envelope whose MAC matches and whose sequence number has not
been seen are executed; bare commands are refused. Without one (`--insecure`), bare commands run
and envelopes are opened without judging them, and housekeeping says so in every packet.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from fsw.packets import ccsds, secure
from fsw.packets.integrity import verify
from fsw.packets.reasons import PacketError, Reason

KEY_FILE_HEADER = (
    "# Uplink key of the rover emulator (made by `rover keygen`): HMAC-SHA256, truncated to\n"
    "# 128 bits as CCSDS SDLS does. Whoever holds it can command the rover: keep it secret.\n"
)
MAX_WINDOW = 1024
"""The largest anti-replay window (ANTI_REPLAY_WINDOW's maximum): numbers this far below the
highest are remembered whatever the window is now, so widening it lets no used number back in."""
REFUSALS = (Reason.UNAUTHENTICATED, Reason.BAD_MAC, Reason.REPLAYED)
"""What security refuses a command for (counted separately in SECURITY telemetry)."""


@dataclass(frozen=True)
class Key:
    """One security association: its number (SPI) and its secret."""

    spi: int
    secret: bytes

    def __post_init__(self) -> None:
        if not 1 <= self.spi <= 0xFFFF:
            raise ValueError(f"key: spi {self.spi} is outside 1..65535")
        if len(self.secret) != secure.KEY_SIZE:
            raise ValueError(
                f"key: {len(self.secret)} bytes; an HMAC-SHA256 key here is {secure.KEY_SIZE}"
            )

    def __repr__(self) -> str:  # never print the secret
        return f"Key(spi={self.spi}, secret=<{len(self.secret)} bytes>)"

    def text(self) -> str:
        """The key file's contents."""
        return f'{KEY_FILE_HEADER}spi = {self.spi}\nkey = "{self.secret.hex()}"\n'


def parse_key(text: str) -> Key:
    """A key from a key file's text, or a ValueError saying what is wrong with it."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"key file is not TOML ({err})") from None
    spi, secret = table.get("spi"), table.get("key")
    if not isinstance(spi, int) or isinstance(spi, bool):
        raise ValueError("key file needs `spi = N` (a whole number, 1..65535)")
    if not isinstance(secret, str):
        raise ValueError(f'key file needs `key = "..."` ({2 * secure.KEY_SIZE} hex digits)')
    try:
        raw = bytes.fromhex(secret)
    except ValueError:
        raise ValueError("key file: key is not hex digits") from None
    extra = sorted(set(table) - {"spi", "key"})
    if extra:
        raise ValueError(f"key file: unknown entry {extra[0]!r} (only spi and key)")
    return Key(spi, raw)


class ReplayWindow:
    """Which sequence numbers may still be accepted: above the highest seen, or within `size`
    below it and not seen yet (the sliding window of IPsec, RFC 4303 section 3.4.3)."""

    def __init__(self, floor: int = 0) -> None:
        self.highest = floor  # restored after a restart: everything at or below it counts as used
        self._seen = (1 << MAX_WINDOW) - 1 if floor else 0  # bit i: highest - i was accepted

    def judge(self, sn: int, size: int) -> str | None:
        """Why `sn` must be refused, or None when it may be accepted (nothing changes)."""
        if sn < 1:
            return "sequence number 0 is never used (they start at 1)"
        if sn > self.highest:
            return None
        behind = self.highest - sn
        if behind >= size:
            return (
                f"sequence number {sn} is {behind} below the highest ({self.highest}), "
                f"outside the window of {size}"
            )
        if self._seen >> behind & 1:
            return f"sequence number {sn} was already used"
        return None

    def accept(self, sn: int) -> None:
        """Record `sn` as used (after judge() passed it); remembered MAX_WINDOW below the highest
        whatever the window, so widening the window lets no used number back in."""
        if sn > self.highest:
            shift = sn - self.highest
            self._seen = (self._seen << shift | 1) if shift < MAX_WINDOW else 1
            self.highest = sn
        else:
            self._seen |= 1 << (self.highest - sn)
        self._seen &= (1 << MAX_WINDOW) - 1


class Refused(Exception):
    """A command security will not pass: the reason, a one-line text, and what it can tell of
    the command (header fields read from the envelope; untrusted when the MAC failed)."""

    def __init__(self, reason: Reason, message: str, packet: bytes, spi: int, sn: int) -> None:
        super().__init__(message)
        self.reason, self.message, self.packet = reason, message, packet
        self.spi, self.sn = spi, sn


class UplinkSecurity:
    """Judges command packets from the uplink; counts what it refuses, by reason."""

    def __init__(
        self, key: Key | None, floor: int = 0, keep: Callable[[int], None] | None = None
    ) -> None:
        """`floor`: the highest sequence number accepted before a restart (kept in non-volatile
        memory by `keep`, told the new highest after every accepted command), as SDLS keeps a
        security association's anti-replay counter."""
        self.key = key
        self.window = ReplayWindow(floor)
        self._keep = keep
        self.refused: Counter[Reason] = Counter()
        self.authenticated = 0

    @property
    def required(self) -> bool:
        """Whether commands must be authenticated (a key is loaded)."""
        return self.key is not None

    def open(self, packet: bytes, window: int) -> bytes:
        """The command to execute from an uplinked packet (an envelope, or a bare command when
        no key is loaded), or Refused. Only a good MAC moves the anti-replay window."""
        apid = ccsds.apid_of(packet)
        if apid != secure.APID:
            if self.key is not None:
                why = "a bare command: this uplink requires authentication (sign it with the key)"
                raise self._refuse(Reason.UNAUTHENTICATED, why, packet)
            return packet
        try:
            envelope = secure.unseal(packet)
        except PacketError as err:
            raise self._refuse(err.reason, err.message, packet) from None
        inner, spi, sn = envelope.command, envelope.spi, envelope.sn
        if self.key is not None:
            if spi != self.key.spi:
                why = f"no key with SPI {spi} (this rover has SPI {self.key.spi})"
                raise self._refuse(Reason.UNAUTHENTICATED, why, inner, spi, sn)
            if not secure.authentic(envelope, self.key.secret):
                why = "the MAC does not match: forged, or signed with another key"
                raise self._refuse(Reason.BAD_MAC, why, inner, spi, sn)
            replayed = self.window.judge(sn, window)
            if replayed is not None:
                raise self._refuse(Reason.REPLAYED, replayed, inner, spi, sn)
            self.window.accept(sn)
            self.authenticated += 1
            if self._keep is not None:
                self._keep(self.window.highest)
        try:
            word0 = verify(inner)
        except PacketError as err:
            raise self._refuse(err.reason, f"enveloped {err.message}", inner, spi, sn) from None
        if not word0 & ccsds.TYPE_BIT or word0 & ccsds.APID_MASK == secure.APID:
            why = "an envelope must hold one command packet"
            raise self._refuse(Reason.BAD_HEADER, why, inner, spi, sn)
        return inner

    def _refuse(
        self, reason: Reason, message: str, packet: bytes, spi: int = 0, sn: int = 0
    ) -> Refused:
        self.refused[reason] += 1
        return Refused(reason, message, packet, spi, sn)
