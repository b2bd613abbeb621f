"""The uplink: bytes from the ground link in, verified command packets out to the dispatcher.

Frames that are not good commands are counted by reason for housekeeping and reported in
UPLINK_DISCARDED events; nothing in them is executed. Good packets then pass uplink security
(fsw.security): what it refuses is never executed, and is reported (a REJECTED report through
`refuse`, and an UPLINK_REFUSED event).

Whoever floods the uplink can cause both reports at will, so each goes through a token bucket
(fsw.ratelimit: REPORT_RATE a second after a burst of REPORT_BURST): a flood must not fill the
store and push out housekeeping waiting for playback. Nothing is lost by the limit: every byte and
refusal is counted by reason in telemetry, the reports not made are counted (`unreported`,
`discards_unreported`), and discarded bytes not yet reported are added to the next report.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from fsw.packets import ccsds
from fsw.packets.catalog import Catalog
from fsw.packets.framing import Deframer
from fsw.packets.reasons import Reason
from fsw.packets.secure import APID as SECURE_APID
from fsw.ratelimit import TokenBucket
from fsw.security import Refused, UplinkSecurity

REPORT_RATE = 1.0
"""Reports of each kind (refusals, discarded bytes) made per second, in the long run."""
REPORT_BURST = 10
"""Reports of each kind made at once before the rate applies."""

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
        self._refusals = TokenBucket(REPORT_RATE, REPORT_BURST, now)
        self._discards = TokenBucket(REPORT_RATE, REPORT_BURST, now)
        self._unreported_bytes: Counter[Reason] = Counter()  # discarded, not yet in an event
        self._base_packets = 0
        self._base_frames: Counter[Reason] = Counter()
        self.waiting: deque[bytes] = deque()  # deframed packets not judged yet (feed, process)

    def receive(self, data: bytes) -> None:
        """Take bytes from the link: deliver the good commands, report the rest."""
        self.feed(data)
        self.process(len(self.waiting))

    def feed(self, data: bytes) -> None:
        """Deframe bytes from the link: report what is discarded; the packets wait in line
        (`waiting`) for process()."""
        result = self._deframer.feed(data)
        if result.discarded:
            self._unreported_bytes.update(result.discarded)
            self._report_discards()
        self.waiting.extend(result.packets)

    def process(self, limit: int) -> int:
        """Judge up to `limit` waiting packets (security, then the dispatcher); how many."""
        waiting, done = self.waiting, 0
        while waiting and done < limit:
            packet = waiting.popleft()
            done += 1
            try:
                command = self.security.open(packet, self._window())
            except Refused as refusal:
                self._report(refusal)
                continue
            self._deliver(command, self.security.opened_sn)  # reports echo the envelope's SN
        return done

    @property
    def unreported(self) -> int:
        """Refusals counted but not reported (the rate limit)."""
        return self._refusals.refused

    @property
    def discards_unreported(self) -> int:
        """UPLINK_DISCARDED events not raised (the rate limit; their bytes went in later ones)."""
        return self._discards.refused

    @property
    def held(self) -> Counter[Reason]:
        """Discarded bytes by reason not yet in an UPLINK_DISCARDED event (a copy)."""
        return Counter(self._unreported_bytes)

    def _report_discards(self) -> None:
        """An UPLINK_DISCARDED event per reason for the bytes not reported yet, as the rate
        limit allows (the rest wait for a later one)."""
        pending = self._unreported_bytes
        for reason in sorted(pending):
            if not self._discards.take():
                return
            self._emit("UPLINK_DISCARDED", {"count": pending.pop(reason), "reason": reason})

    def _report(self, refusal: Refused) -> None:
        """A rejection report (from the dispatcher, which counts it) and a security event, as
        the rate limit allows. Every refusal is still counted by reason in SECURITY telemetry."""
        if not self._refusals.take():
            if self._refuse is not None:  # still counted: HK's cmd_rejected counts every one
                self._refuse(refusal.packet, refusal.reason, False, refusal.sn)
            return
        apid = code = seq = 0
        if self._refuse is not None:
            apid, code, seq = self._refuse(refusal.packet, refusal.reason, True, refusal.sn)
        self._emit(
            "UPLINK_REFUSED",
            {"apid": apid, "code": code, "seq": seq, "reason": refusal.reason,
             "spi": refusal.spi, "sn": refusal.sn},
        )  # fmt: skip

    def tick(self) -> None:
        """Report discarded bytes still unreported, as the rate limit allows (housekeeping
        calls it, so the count of a flood that has ended is reported too)."""
        if self._unreported_bytes:
            self._report_discards()

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
