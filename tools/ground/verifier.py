"""The ground's judgement of each telemetry packet before anything believes it: the telemetry
envelope's SPI, MAC and sequence number (fsw.downlink_auth), in the one place every ground tool
takes packets in (Session.take, and `rover run`'s recorder).

With a key, only packets in a good envelope with a fresh sequence number are let through; a plain
packet, an unknown SPI, a bad MAC or a replayed number is refused and counted by kind, never
decoded, shown or matched to a command. Without a key (`--unsigned`, `--insecure`), nothing can be
verified: packets are let through and counted as unverified, and the tools say so.
Pure: bytes in, a verdict out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum

from fsw.downlink_auth import downlink_key
from fsw.packets import ccsds, secure
from fsw.packets.reasons import PacketError
from fsw.security import MAX_WINDOW, Key, ReplayWindow


class Refusal(Enum):
    """Why a telemetry packet was not believed (counted by these names)."""

    UNAUTHENTICATED = "unauthenticated"  # plain, or sealed with a key this ground does not have
    FORGED = "forged"  # the MAC does not match
    REPLAYED = "replayed"  # a sequence number already seen, or too old
    MALFORMED = "malformed"  # an envelope that cannot be taken apart


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the verifier made of one packet: the packet to use (None: refused) and why not."""

    packet: bytes | None
    refusal: Refusal | None = None
    why: str = ""


class DownlinkVerifier:
    """Judges telemetry packets against the downlink key (or lets them through unverified)."""

    def __init__(self, key: Key | None) -> None:
        self.key = None if key is None else downlink_key(key)
        self._mac = None if self.key is None else secure.keyed_mac(self.key.secret)
        self.window = ReplayWindow()
        self.verified = 0  # packets whose envelope passed
        self.unverified = 0  # packets let through without a key to judge them
        self.refused: Counter[Refusal] = Counter()
        self.last_refusal = ""  # the last refusal, in one line

    @property
    def required(self) -> bool:
        """Whether telemetry must be authenticated to be believed (a key is loaded)."""
        return self.key is not None

    def check(self, packet: bytes) -> Verdict:
        """The packet to believe (unsealed), or the refusal."""
        if not secure.is_telemetry_envelope(packet):
            if self.key is not None:
                apid = ccsds.apid_of(packet)
                why = (
                    f"a plain packet (APID {apid:#05x}): this ground believes only sealed "
                    "telemetry (a rover started --insecure needs a ground without a key)"
                )
                return self._refuse(Refusal.UNAUTHENTICATED, why)
            self.unverified += 1
            return Verdict(packet)
        try:
            envelope = secure.unseal(packet)
        except PacketError as err:
            return self._refuse(Refusal.MALFORMED, err.message)
        inner = envelope.command
        if self.key is None:
            self.unverified += 1
        else:
            judged = self._judge(envelope)
            if judged is not None:
                return judged
        if len(inner) < 2 or inner[0] & 0x10 or secure.is_telemetry_envelope(inner):
            return self._refuse(Refusal.MALFORMED, "an envelope must hold one telemetry packet")
        if self.key is not None:
            self.verified += 1
        return Verdict(inner)

    def _judge(self, envelope: secure.Envelope) -> Verdict | None:
        """The refusal of a sealed packet's SPI, MAC or number (None: they pass)."""
        assert self.key is not None and self._mac is not None
        inner = envelope.command
        if envelope.spi != self.key.spi:
            why = f"sealed with SPI {envelope.spi}; this ground has SPI {self.key.spi}"
            return self._refuse(Refusal.UNAUTHENTICATED, why)
        if not secure.authentic(envelope, self._mac):
            why = f"the MAC does not match (APID {ccsds.apid_of(inner):#05x}): forged"
            return self._refuse(Refusal.FORGED, why)
        replayed = self.window.judge(envelope.sn, MAX_WINDOW, ahead=1 << 64)  # no forward limit
        if replayed is not None:
            return self._refuse(Refusal.REPLAYED, f"telemetry {replayed[1]}")
        self.window.accept(envelope.sn)  # the rover's own number, used whatever it holds
        return None

    def summary(self) -> str:
        """The verification state in a few words, for a status line."""
        if self.key is None:
            return f"downlink NOT VERIFIED (no key): {self.unverified} packets unverified"
        text = f"downlink verified ({self.verified})"
        refused = ", ".join(f"{n} {r.value}" for r, n in self.refused.items() if n)
        return f"{text}; REFUSED {refused}" if refused else text

    def _refuse(self, refusal: Refusal, why: str) -> Verdict:
        self.refused[refusal] += 1
        self.last_refusal = f"telemetry refused ({refusal.value}): {why}"
        return Verdict(None, refusal, self.last_refusal)
