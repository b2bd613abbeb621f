"""The relay link model (Queqiao): for each frame sent either way, when it arrives, or that it is
lost, and which bits were flipped. Pure and deterministic: no clock, no threads, no I/O; the same
profile, seed and traffic give the same arrivals, losses and flips.

Each direction is a Channel with one hop limited by its data rate, the rover's hop to the relay:
- uplink (ground -> rover): the frame crosses the light-time to the relay, waits behind earlier
  frames (FIFO), and is sent to the rover at the uplink rate; it arrives when its last bit does;
- downlink (rover -> ground): the rover sends it at the downlink rate, behind earlier frames, and
  it arrives on the ground a light-time after its last bit left.
A frame occupies its hop for (bytes * 8) / rate seconds, [start, end). It is lost when that
interval overlaps a loss-of-signal window (a frame ending exactly when LOS begins, or starting
exactly when it ends, gets through), when it would wait longer than the profile's backlog, or by
the draw of the frame-loss probability. Each bit of a frame that gets through is flipped with
probability BER: it still arrives, corrupted, and the receiver's CRC check throws it away.

Times are mission seconds; LOS windows count from `origin` (the run's start). Each direction
draws from its own random.Random, so uplink draws never depend on downlink traffic.
"""

from __future__ import annotations

import enum
import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from fsw.packets.framing import max_encoded_size
from fsw.packets.integrity import DEFAULT_MAX_PACKET_SIZE
from hil.radio.relay_profile import LosWindow, RelayProfile

MAX_FRAME_BYTES = max_encoded_size(DEFAULT_MAX_PACKET_SIZE) + 2
"""The longest frame on the link: a largest packet, COBS-encoded, with its two delimiters."""
_CHAIN_LIMIT = 10_000  # back-to-back windows followed before giving up (a schedule bug guard)


class Fate(enum.Enum):
    """What became of a frame."""

    DELIVERED = "delivered"
    CORRUPTED = "corrupted"  # arrived with flipped bits
    LOST = "lost"  # the frame-loss draw
    LOS = "los"  # its transmission overlapped a loss-of-signal window
    OVERFLOW = "overflow"  # it would have waited longer than the backlog allows


@dataclass(frozen=True)
class Delivery:
    """One frame's passage: the bytes that arrive (flipped bits applied) and when."""

    frame: bytes
    sent: float  # when it was handed to the link
    start: float  # its first bit on the rate-limited hop
    end: float  # its last bit on that hop
    arrival: float | None  # None: lost
    fate: Fate
    flipped: tuple[int, ...] = ()  # bit positions, 0 = the first byte's most significant bit

    @property
    def arrived(self) -> bool:
        """Whether the frame (perhaps corrupted) reaches the other end."""
        return self.arrival is not None


class LosSchedule:
    """Scheduled loss-of-signal windows, once or repeating every `period` s from `origin`."""

    def __init__(
        self, windows: tuple[LosWindow, ...], period: float | None = None, origin: float = 0.0
    ) -> None:
        self.windows = tuple(sorted(windows, key=lambda w: w.start))
        self.period = period
        self.origin = origin

    def _occurrences(self, a: float, b: float) -> Iterator[tuple[float, float]]:
        """Absolute (start, end) of every window that may touch [a, b]."""
        if self.period is None:
            for w in self.windows:
                yield self.origin + w.start, self.origin + w.end
            return
        first = max(0, math.floor((a - self.origin) / self.period) - 1)
        last = max(0, math.floor((b - self.origin) / self.period))
        for k in range(first, last + 1):
            base = self.origin + k * self.period
            for w in self.windows:
                yield base + w.start, base + w.end

    def _window_at(self, t: float) -> tuple[float, float] | None:
        for start, end in self._occurrences(t, t):
            if start <= t < end:
                return start, end
        return None

    def in_contact(self, t: float) -> bool:
        """Whether the relay is in view at `t` (LOS windows are [start, end))."""
        return self._window_at(t) is None

    def overlaps(self, a: float, b: float) -> bool:
        """Whether [a, b) touches a window (a point, when a == b: whether it is in one)."""
        if b <= a:
            return not self.in_contact(a)
        return any(start < b and end > a for start, end in self._occurrences(a, b))

    def next_contact(self, t: float) -> float | None:
        """When contact comes back, if `t` is in LOS (back-to-back windows followed); None when
        in contact at `t`."""
        window = self._window_at(t)
        if window is None:
            return None
        for _ in range(_CHAIN_LIMIT):
            t = window[1]
            window = self._window_at(t)
            if window is None:
                return t
        return None  # windows back to back for ever: no contact to speak of

    def next_los(self, t: float) -> float | None:
        """When the next LOS begins, if in contact at `t`; None in LOS or with no LOS to come."""
        if not self.in_contact(t):
            return None
        reach = t + (self.period or 0.0)
        starts = [start for start, _ in self._occurrences(t, reach) if start > t]
        return min(starts) if starts else None


class Channel:
    """One direction of the link: a FIFO over one rate-limited hop, a light-time, and the draws."""

    def __init__(
        self,
        profile: RelayProfile,
        rate: float,
        schedule: LosSchedule,
        rng: random.Random,
        *,
        delay_first: bool,
    ) -> None:
        self.profile, self.rate, self.schedule, self.rng = profile, rate, schedule, rng
        self.delay_first = delay_first  # uplink: the light-time comes before the slow hop
        self.busy_until = -math.inf  # when the hop is free again
        self.last_arrival = -math.inf  # frames never overtake each other
        self.fates: Counter[Fate] = Counter()
        self.frames = 0
        self.bits_flipped = 0

    def backlog(self, t: float) -> float:
        """Seconds a frame handed over at `t` would wait for the hop."""
        return max(0.0, self.busy_until - t)

    def send(self, t: float, frame: bytes) -> Delivery:
        """The fate of `frame`, handed to the link at mission time `t`."""
        p = self.profile
        self.frames += 1
        light = p.delay + (self.rng.uniform(0.0, p.jitter) if p.jitter else 0.0)
        lost = self.rng.random() < p.loss if p.loss else False
        flipped = _flips(self.rng, len(frame) * 8, p.ber) if p.ber else ()
        ready = t + light if self.delay_first else t
        start = max(ready, self.busy_until)
        if start - ready > p.backlog:
            return self._lost(frame, t, start, start, Fate.OVERFLOW)
        end = start + len(frame) * 8 / self.rate
        self.busy_until = end
        if self.schedule.overlaps(start, end):
            return self._lost(frame, t, start, end, Fate.LOS)
        if lost:
            return self._lost(frame, t, start, end, Fate.LOST)
        arrival = max(end if self.delay_first else end + light, self.last_arrival)
        self.last_arrival = arrival
        fate = Fate.CORRUPTED if flipped else Fate.DELIVERED
        self.fates[fate] += 1
        self.bits_flipped += len(flipped)
        return Delivery(_flip(frame, flipped), t, start, end, arrival, fate, flipped)

    def _lost(self, frame: bytes, t: float, start: float, end: float, fate: Fate) -> Delivery:
        self.fates[fate] += 1
        return Delivery(frame, t, start, end, None, fate)

    def summary(self) -> str:
        """What the channel did, in a few words."""
        f = self.fates
        return (
            f"{self.frames} frames: {f[Fate.DELIVERED]} delivered, {f[Fate.CORRUPTED]} corrupted, "
            f"{f[Fate.LOST]} lost, {f[Fate.LOS]} in LOS, {f[Fate.OVERFLOW]} over the backlog"
        )


def _flips(rng: random.Random, bits: int, ber: float) -> tuple[int, ...]:
    """Positions of the flipped bits among `bits`, each flipped with probability `ber`: the gaps
    between flips are geometric, so a clean frame costs one draw, not one per bit."""
    if ber >= 1.0:
        return tuple(range(bits))
    scale = 1.0 / math.log1p(-ber)
    out: list[int] = []
    pos = -1
    while True:
        pos += 1 + int(math.log(1.0 - rng.random()) * scale)
        if pos >= bits:
            return tuple(out)
        out.append(pos)


def _flip(frame: bytes, positions: tuple[int, ...]) -> bytes:
    if not positions:
        return frame
    data = bytearray(frame)
    for pos in positions:
        data[pos // 8] ^= 0x80 >> (pos % 8)
    return bytes(data)


class RelayModel:
    """Both directions of the relay and its LOS schedule, from a profile and a seed."""

    def __init__(self, profile: RelayProfile, origin: float = 0.0, seed: int | None = None) -> None:
        self.profile = profile
        self.seed = profile.seed if profile.seed is not None else (seed or 0)
        self.schedule = LosSchedule(profile.los, profile.los_period, origin)
        up, down = (random.Random(f"relay:{self.seed}:{way}") for way in ("uplink", "downlink"))
        self.uplink = Channel(profile, profile.uplink_rate, self.schedule, up, delay_first=True)
        self.downlink = Channel(
            profile, profile.downlink_rate, self.schedule, down, delay_first=False
        )

    @property
    def light_time(self) -> float:
        """The one-way light-time (s), without jitter or time on the hop."""
        return self.profile.delay

    def in_contact(self, t: float) -> bool:
        """Whether the relay is in view at mission time `t`."""
        return self.schedule.in_contact(t)

    def next_contact(self, t: float) -> float | None:
        """When contact comes back, if in LOS at `t` (None when in contact)."""
        return self.schedule.next_contact(t)

    def next_los(self, t: float) -> float | None:
        """When the next LOS begins, if in contact at `t` (None in LOS or with none to come)."""
        return self.schedule.next_los(t)

    def downlink_clear(self, t: float, frame_bytes: int = MAX_FRAME_BYTES) -> bool:
        """Whether a frame handed to the downlink at `t` would be sent whole before the next
        LOS: the flight software's contact hook, so that what the queue would carry into a
        loss of signal is stored for playback instead of lost."""
        if not self.in_contact(t):
            return False
        los = self.next_los(t)
        if los is None:
            return True
        end = max(t, self.downlink.busy_until) + frame_bytes * 8 / self.downlink.rate
        return end <= los
