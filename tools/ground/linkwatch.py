"""What the ground knows and sees of the relay link: the pass schedule and light-time it was given
in advance (a relay profile, the same `--relay ...` options as `rover fsw`), and what it observes
(when the last packet arrived).

LOS windows count from the start of the rover's run; the ground learns that start from
housekeeping (packet time minus uptime, the earliest over the packets of one boot), and the
rover's time now from the newest packet: its time code, plus the light-time, plus the wall time
since it arrived times the pace of mission time (measured from the packets, so a `rover fsw
--speed 10` rehearsal is followed too).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from hil.radio.relay import LosSchedule
from hil.radio.relay_profile import RelayProfile
from tools.ground.state import Update

COMMAND_FRAME = 64  # bytes of a sealed, framed command, about (a DRIVE is some 50)
PACE_SPAN = 5.0  # wall s of packets before the pace of mission time is measured, not assumed 1


def duration_text(seconds: float) -> str:
    """A span as an operator reads it: 42 s, 4 min 10 s, 2 h 05 min."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class LinkWatch:
    """Fed every packet the session takes in (as a listener); asked for one line of link state."""

    def __init__(self, profile: RelayProfile, wall: Callable[[], float] = time.monotonic) -> None:
        self.profile = profile
        self.wall = wall
        self.boot: tuple[int, float] | None = None  # boot count, earliest start seen
        self.first: tuple[float, float] | None = None  # (packet time, wall) of the first packet
        self.newest: tuple[float, float] | None = None  # of the newest by packet time
        self.last_arrival: float | None = None  # wall time the last packet (any) came

    def update(self, update: Update) -> None:
        """Take note of one packet taken in (the session's reader thread)."""
        packet = update.packet
        now = self.wall()
        self.last_arrival = now
        t = packet.time
        if t is None or update.playback:  # a playback's time codes are the past, not the pace
            return
        if self.first is None:
            self.first = (t, now)
        if self.newest is None or t >= self.newest[0]:
            self.newest = (t, now)
        if packet.name == "HK":
            boots = int(packet.values["boot_count"])
            start = t - float(packet.values["uptime"])  # uptime is whole s: start <= true start + 1
            if self.boot is None or self.boot[0] != boots or start < self.boot[1]:
                self.boot = (boots, start)

    def pace(self) -> float:
        """Mission seconds per wall second, from the packets (1 until there are enough)."""
        if self.first is None or self.newest is None:
            return 1.0
        (t0, w0), (t1, w1) = self.first, self.newest
        if w1 - w0 < PACE_SPAN or t1 <= t0:
            return 1.0
        return (t1 - t0) / (w1 - w0)

    def rover_time(self) -> float | None:
        """The rover's mission time now, as far as the ground can tell (None: no packet yet)."""
        if self.newest is None:
            return None
        t, w = self.newest
        return t + self.profile.delay + (self.wall() - w) * self.pace()

    def schedule(self) -> LosSchedule | None:
        """The LOS schedule placed on the rover's run (None until HK gave its start)."""
        if self.boot is None:
            return None
        return LosSchedule(self.profile.los, self.profile.los_period, self.boot[1])

    def uplink_clear(self, frame_bytes: int = COMMAND_FRAME) -> bool | None:
        """Whether a command frame sent now would reach the rover outside every LOS window
        (it crosses the relay after the light-time, at the uplink rate); None while the ground
        cannot tell (no schedule placed yet)."""
        p = self.profile
        if not p.los:
            return True
        now, schedule = self.rover_time(), self.schedule()
        if now is None or schedule is None:
            return None
        start = now + p.delay
        return not schedule.overlaps(start, start + frame_bytes * 8 / p.uplink_rate)

    def contact_in(self) -> str:
        """When contact comes back, as text ("contact in 50 s"), or "" if unknown or in contact."""
        now, schedule = self.rover_time(), self.schedule()
        if now is None or schedule is None:
            return ""
        back = schedule.next_contact(now + self.profile.delay)
        return "" if back is None else f"contact in {self._until(back - self.profile.delay)}"

    def line(self) -> str:
        """Link state in one line: contact, next change, light-time, last packet."""
        p = self.profile
        parts = [f"relay {p.name}"]
        now, schedule = self.rover_time(), self.schedule()
        if not p.los:
            parts.append("no LOS scheduled")
        elif now is None or schedule is None:
            parts.append("LOS schedule placed at the first HK")
        elif schedule.in_contact(now):
            los = schedule.next_los(now)
            parts.append("in contact" + ("" if los is None else f", LOS in {self._until(los)}"))
        else:
            back = schedule.next_contact(now)
            parts.append("LOS" + ("" if back is None else f", contact in {self._until(back)}"))
        parts.append(f"light-time {p.delay:g} s")
        if self.last_arrival is None:
            parts.append("no packet yet")
        else:
            parts.append(f"last packet {self.wall() - self.last_arrival:.1f} s ago")
        return " · ".join(parts)

    def _until(self, when: float) -> str:
        """Wall time until mission time `when`, as text."""
        now = self.rover_time()
        return duration_text((when - (now if now is not None else when)) / self.pace())
