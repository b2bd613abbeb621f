"""The uplink: bytes from the ground link in, verified command packets out to the dispatcher.

Frames that are not good commands are counted by reason for housekeeping and reported in an
UPLINK_DISCARDED event; nothing in them is executed. Good packets then pass uplink security
(fsw.security): what it refuses is never executed, and is reported (a REJECTED report through
`refuse`, and an UPLINK_REFUSED event) at a limited rate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from fsw.packets import ccsds
from fsw.packets.catalog import Catalog
from fsw.packets.framing import Deframer
from fsw.packets.reasons import Reason
from fsw.packets.secure import APID as SECURE_APID
from fsw.security import Refused, UplinkSecurity

REFUSAL_RATE = 1.0
"""Refusals reported per second, in the long run."""
REFUSAL_BURST = 10
"""Refusals reported at once before the rate applies."""

_FRAME_ERRORS = (Reason.BAD_FRAME, Reason.BAD_LENGTH, Reason.BAD_HEADER, Reason.OVERSIZE)


class Uplink:
    """Deframes the command stream and hands each good command packet on."""

    def __init__(
        self,
        catalog: Catalog,
        deliver: Callable[[bytes, int], None],
        emit: Callable[[str, dict[str, Any]], None],
        security: UplinkSecurity | None = None,
        refuse: Callable[[bytes, Reason, bool, int], tuple[int, int, int]] | None = None,
        window: Callable[[], int] = lambda: 64,
        now: Callable[[], float] = lambda: 0.0,
    ) -> None:
        apids = catalog.command_apids | {SECURE_APID}
        self._deframer = Deframer(
            catalog.max_packet_size,
            accepts=lambda t, apid: t == ccsds.PacketType.TELECOMMAND and apid in apids,
        )
        self._deliver = deliver
        self._emit = emit
        self.security = security or UplinkSecurity(None)
        self._refuse = refuse
        self._window = window
        self._now = now
        self._tokens, self._refilled = float(REFUSAL_BURST), now()
        self.unreported = 0  # refusals counted but not reported (the limit below)
        self._base_packets = 0
        self._base_frames: Counter[Reason] = Counter()

    def receive(self, data: bytes) -> None:
        """Take bytes from the link: deliver the good commands, report the rest."""
        result = self._deframer.feed(data)
        for reason, count in sorted(result.discarded.items()):
            self._emit("UPLINK_DISCARDED", {"count": count, "reason": reason})
        for packet in result.packets:
            try:
                command = self.security.open(packet, self._window())
            except Refused as refusal:
                self._report(refusal)
                continue
            self._deliver(command, self.security.opened_sn)  # reports echo the envelope's SN

    def _report(self, refusal: Refused) -> None:
        """A rejection report (from the dispatcher, which counts it) and a security event, at
        most REFUSAL_RATE a second after a burst of REFUSAL_BURST: whoever floods the uplink
        without the key must not fill the store and push out telemetry waiting for playback.
        Every refusal is still counted by reason in SECURITY telemetry."""
        now = self._now()
        self._tokens = min(REFUSAL_BURST, self._tokens + (now - self._refilled) * REFUSAL_RATE)
        self._refilled = now
        if self._tokens < 1:
            self.unreported += 1
            if self._refuse is not None:  # still counted: HK's cmd_rejected counts every one
                self._refuse(refusal.packet, refusal.reason, False, refusal.sn)
            return
        self._tokens -= 1
        apid = code = seq = 0
        if self._refuse is not None:
            apid, code, seq = self._refuse(refusal.packet, refusal.reason, True, refusal.sn)
        self._emit(
            "UPLINK_REFUSED",
            {"apid": apid, "code": code, "seq": seq, "reason": refusal.reason,
             "spi": refusal.spi, "sn": refusal.sn},
        )  # fmt: skip

    def resync(self) -> None:
        """Forget a partial frame (the link was reopened)."""
        self._deframer.reset()

    def counters(self) -> dict[str, int]:
        """Housekeeping's uplink counters since boot or the last reset."""
        frames = self._deframer.discarded_frames - self._base_frames
        return {
            "uplink_frames": self._deframer.packets - self._base_packets,
            "uplink_bad_crc": frames[Reason.BAD_CRC],
            "uplink_bad_frame": sum(frames[r] for r in _FRAME_ERRORS),
            "uplink_unknown_apid": frames[Reason.UNKNOWN_APID],
        }

    def reset_counters(self) -> None:
        """Zero the counters housekeeping reports (RESET_COUNTERS)."""
        self._base_packets = self._deframer.packets
        self._base_frames = Counter(self._deframer.discarded_frames)
