"""Uplink authentication: the key (one security association), the anti-replay window, and the
judgement of every command envelope before anything in it runs.

With a key, only commands in an envelope whose MAC matches and whose sequence number has not
been seen are executed; bare commands are refused. Without one (`--insecure`), bare commands run
and envelopes are opened without judging them, and housekeeping says so in every packet.
"""

from __future__ import annotations

import bisect
import errno
import secrets
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from fsw.packets import ccsds, secure
from fsw.packets.catalog import Catalog
from fsw.packets.integrity import verify
from fsw.packets.reasons import PacketError, Reason

KEY_FILE_HEADER = (
    "# Uplink key of the rover emulator (made by `rover keygen`): HMAC-SHA256, truncated to\n"
    "# 128 bits as CCSDS SDLS does. Whoever holds it can command the rover: keep it secret.\n"
)
SN_PER_SECOND = 1_000_000
"""How the ground numbers commands (tools.ground.signer): by its clock, in microseconds, so an
operator never keeps a counter file and consoles side by side stay in step. The anti-replay
window and the forward limit below are sized for that numbering."""
MAX_WINDOW = 60 * SN_PER_SECOND
"""The widest anti-replay window (ANTI_REPLAY_WINDOW's maximum): a minute of ground clock."""
DEFAULT_WINDOW = SN_PER_SECOND
"""ANTI_REPLAY_WINDOW's default: one second of ground clock, so two commands signed 10 ms apart
(or two consoles' commands crossing on the way) still run when they arrive in reverse order."""
REMEMBERED = 1024
"""Accepted sequence numbers remembered below the highest: whatever the window, a number is
refused as used once accepted; when more than this many were accepted within the window, the
oldest is forgotten and every number at or below it is refused (the floor rises)."""
FORWARD_LIMIT_DAYS = 60.0
"""ARSN_FORWARD_LIMIT's default, in days of ground clock: a number further than this above the
highest accepted is refused (CryptoLib judges the positive side of its window the same way), so
one legitimately signed but wrong number (a ground clock set to 2500, a replay of a far-future
test command) cannot push the counter out of reach of every later command. Sized for clock-based
numbering: the gap between two commands is the ground time between them, and the longest silence
planned is a lunar night's hibernation (about 14.8 Earth days); 60 days allows four times that,
or two whole lunations of outage, before the ground must re-establish the counter with
SA_SET_ARSN. The limit does not apply to the first number a new security association (counter
0) accepts, since no clock-based number is near 0."""
Nonce = Callable[[], int]
"""A source of SA-management challenges: 32-bit numbers that do not repeat."""


def random_challenge() -> int:
    """A fresh 32-bit challenge from the operating system's random source (the flight computer's
    hardware random number generator in flight)."""
    return secrets.randbits(32)


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


def challenge_of(catalog: Catalog, name: str) -> Callable[[bytes], int | None]:
    """What reads the challenge an SA-management command (`name`) carries: None for any other
    command; -1 for one that cannot be decoded (a wrong challenge, refused as such)."""
    definition = catalog.command(name)

    def read(packet: bytes) -> int | None:
        if len(packet) < 7 or ccsds.apid_of(packet) != definition.apid:
            return None
        if packet[6] != definition.code:
            return None
        try:
            return int(catalog.decode(packet).values["challenge"])
        except PacketError:
            return -1

    return read


class ReplayWindow:
    """Which sequence numbers may still be accepted: above the highest seen (by at most the
    forward limit), or within `size` below it and not accepted yet (the sliding window of
    IPsec, RFC 4303 section 3.4.3, remembering numbers rather than bits, as clock-based numbers
    are sparse). `floor` None: the counter is unknown (lost), and nothing is accepted until
    reset() sets it."""

    def __init__(self, floor: int | None = 0) -> None:
        self.known = floor is not None
        self.highest = floor or 0  # restored after a restart: everything at or below it is used
        self.floor = self.highest  # numbers at or below it are refused (restored, forgotten)
        self._used: list[int] = []  # accepted numbers above the floor, ascending

    def judge(self, sn: int, size: int, ahead: int) -> tuple[Reason, str] | None:
        """Why `sn` must be refused (the reason and a line), or None when it may be accepted
        (nothing changes). `ahead`: the forward limit, in sequence numbers."""
        if not self.known:
            return Reason.ARSN_UNKNOWN, (
                "the anti-replay counter is unknown (non-volatile memory lost): nothing runs "
                "until SA_SET_ARSN re-establishes it with the challenge in SECURITY telemetry"
            )
        if sn < 1:
            return Reason.REPLAYED, "sequence number 0 is never used (they start at 1)"
        if sn > self.highest:
            jump = sn - self.highest
            if self.highest and jump > ahead:
                return Reason.SN_TOO_FAR_AHEAD, (
                    f"sequence number {sn} is {jump} above the highest ({self.highest}), "
                    f"beyond the forward limit of {ahead}"
                )
            return None
        behind = self.highest - sn
        if behind >= size:
            return Reason.REPLAYED, (
                f"sequence number {sn} is {behind} below the highest ({self.highest}), "
                f"outside the window of {size}"
            )
        if sn <= self.floor:
            return Reason.REPLAYED, (
                f"sequence number {sn} is at or below {self.floor}, below which every number "
                "counts as used (kept over a restart, or forgotten)"
            )
        at = bisect.bisect_left(self._used, sn)
        if at < len(self._used) and self._used[at] == sn:
            return Reason.REPLAYED, f"sequence number {sn} was already used"
        return None

    def accept(self, sn: int) -> None:
        """Record `sn` as used (after judge() passed it); the REMEMBERED newest are kept
        whatever the window, so widening the window lets no used number back in."""
        bisect.insort(self._used, sn)
        self.highest = max(self.highest, sn)
        if len(self._used) > REMEMBERED:
            self.floor = self._used.pop(0)

    def reset(self, arsn: int) -> None:
        """Set the counter (SA_SET_ARSN): every number at or below `arsn` counts as used."""
        self.known = True
        self.highest = self.floor = arsn
        self._used = []


class Refused(Exception):
    """A command security will not pass: the reason, a one-line text, and what it can tell of
    the command (header fields read from the envelope; untrusted when the MAC failed)."""

    def __init__(self, reason: Reason, message: str, packet: bytes, spi: int, sn: int) -> None:
        super().__init__(message)
        self.reason, self.message, self.packet = reason, message, packet
        self.spi, self.sn = spi, sn


class UplinkSecurity:
    """Judges command packets from the uplink; counts what it refuses, by reason.

    The anti-replay counter (ARSN) is kept in non-volatile memory by `keep` before the command
    it admits runs: when it cannot be kept (disk full, read-only), the command is refused with
    NVRAM_FAILED and nothing runs, since a command whose number a restart would forget could be
    replayed after it. When the counter is unknown at boot (`floor` None: the memory was lost or
    unreadable), every command is refused with ARSN_UNKNOWN until an SA_SET_ARSN sets it.

    SA_SET_ARSN (`challenge_of` reads its challenge) is judged by its MAC and a challenge, not
    by the window, which cannot judge it (that is its purpose): its freshness is a random
    number the rover shows in SECURITY telemetry and draws anew at boot and whenever the counter
    moves (every accepted command, every SA_SET_ARSN), that the command must carry. A captured
    SA_SET_ARSN replayed later carries a stale challenge and is refused here (BAD_CHALLENGE,
    reported at the uplink's limited rate, so replaying it in a loop floods nothing), so it
    cannot set the counter back to open the way for replays of older commands; nor can one a
    relay withheld and delivers after later commands ran (its challenge was spent by the first
    of them), which would set the counter below them and let each run again. (An envelope
    number above the value set, or a clock bound, would not do: with the counter lost there is
    nothing to compare with, and the ground's clock is not the rover's.) This is the nonce the
    SDLS extended procedures use for their management commands, kept to one number.
    """

    def __init__(
        self,
        key: Key | None,
        floor: int | None = 0,
        keep: Callable[[int], None] | None = None,
        *,
        challenge_of: Callable[[bytes], int | None] = lambda _: None,
        nonce: Nonce = random_challenge,
        emit: Callable[[str, dict[str, int]], None] = lambda _name, _args: None,
        days: Callable[[], float] = lambda: FORWARD_LIMIT_DAYS,
    ) -> None:
        """`floor`: the highest sequence number accepted before a restart (kept in non-volatile
        memory by `keep`, told the new highest before every accepted command runs), as SDLS
        keeps a security association's anti-replay counter; None when it was lost. `days`:
        the forward limit now (ARSN_FORWARD_LIMIT); `emit` raises this component's events."""
        self.key = key
        self.window = ReplayWindow(floor)
        self._keep = keep
        self._challenge_of = challenge_of
        self._nonce = nonce
        self._emit = emit
        self._days = days
        self.challenge = nonce() & 0xFFFFFFFF if key is not None else 0
        self.opened_sn = 0  # the SN of the envelope open() last passed (0: a bare command)
        self.refused: Counter[Reason] = Counter()
        self.authenticated = 0
        self.nvram_errno = 0  # the errno of the last failed write; 0 once a write succeeds

    @property
    def required(self) -> bool:
        """Whether commands must be authenticated (a key is loaded)."""
        return self.key is not None

    def announce(self) -> None:
        """Say at boot what the operator must know first: no key (UPLINK_INSECURE), or a lost
        anti-replay counter (ARSN_UNKNOWN, with the challenge SA_SET_ARSN must carry)."""
        if self.key is None:
            self._emit("UPLINK_INSECURE", {})
        elif not self.window.known:
            self._emit("ARSN_UNKNOWN", {"challenge": self.challenge})

    def open(self, packet: bytes, window: int) -> bytes:
        """The command to execute from an uplinked packet (an envelope, or a bare command when
        no key is loaded), or Refused. Only a good MAC moves the anti-replay window."""
        apid = ccsds.apid_of(packet)
        if apid != secure.APID:
            if self.key is not None:
                why = "a bare command: this uplink requires authentication (sign it with the key)"
                raise self._refuse(Reason.UNAUTHENTICATED, why, packet)
            self.opened_sn = 0
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
            carried = self._challenge_of(inner)
            if carried is None:
                self._admit(inner, spi, sn, window)
            elif carried != self.challenge:  # SA management: its challenge is its freshness
                why = f"challenge {carried} is not {self.challenge}: stale, or a replay"
                raise self._refuse(Reason.BAD_CHALLENGE, why, inner, spi, sn)
        try:
            word0 = verify(inner)
        except PacketError as err:
            raise self._refuse(err.reason, f"enveloped {err.message}", inner, spi, sn) from None
        if not word0 & ccsds.TYPE_BIT or word0 & ccsds.APID_MASK == secure.APID:
            why = "an envelope must hold one command packet"
            raise self._refuse(Reason.BAD_HEADER, why, inner, spi, sn)
        self.opened_sn = sn
        return inner

    def would_admit(self, sn: int, window: int) -> str | None:
        """Why an authentic envelope numbered `sn` would be refused now, or None (reads only: the
        radio asks it from its own thread of a connection that would take the link)."""
        judged = self.window.judge(sn, window, self._ahead())
        return None if judged is None else judged[1]

    def _ahead(self) -> int:
        """The forward limit in sequence numbers (the ground numbers in microseconds)."""
        return int(self._days() * 86400 * SN_PER_SECOND)

    def _admit(self, inner: bytes, spi: int, sn: int, window: int) -> None:
        """Judge an authentic envelope's number and keep it before its command may run."""
        judged = self.window.judge(sn, window, self._ahead())
        if judged is not None:
            raise self._refuse(*judged, inner, spi, sn)
        self.window.accept(sn)  # used from now on, even if it cannot be kept below
        self.challenge = self._nonce() & 0xFFFFFFFF  # the counter moved: see the class docstring
        self.authenticated += 1
        try:
            self.keep(self.window.highest)
        except OSError as err:
            why = f"the anti-replay counter could not be kept ({err.strerror or err}): not run"
            raise self._refuse(Reason.NVRAM_FAILED, why, inner, spi, sn) from None

    def keep(self, arsn: int) -> None:
        """Write the counter to non-volatile memory, or OSError; the first failure of a run of
        them raises NVRAM_FAILED (one event per run, however many commands it refuses)."""
        if self._keep is None:
            return
        try:
            self._keep(arsn)
        except OSError as err:
            if not self.nvram_errno:
                self._emit("NVRAM_FAILED", {"errno": err.errno or 0})
            self.nvram_errno = err.errno or errno.EIO
            raise
        self.nvram_errno = 0

    def set_arsn(self, arsn: int) -> None:
        """Re-establish the counter (SA_SET_ARSN, its challenge checked): kept first, then set;
        a new challenge is drawn, so this command cannot be used twice. OSError when it cannot
        be kept (nothing changes)."""
        self.keep(arsn)
        self.window.reset(arsn)
        self.challenge = self._nonce() & 0xFFFFFFFF

    def _refuse(
        self, reason: Reason, message: str, packet: bytes, spi: int = 0, sn: int = 0
    ) -> Refused:
        self.refused[reason] += 1
        return Refused(reason, message, packet, spi, sn)
