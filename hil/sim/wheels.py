"""The six wheels of the simulated rover: commands, steering, faults, encoders and currents.

Whatever the wheels are told and whatever is wrong with them, `refit()` works out once what the
body does (vx, w) and what each wheel then reads; the per-step work is a few additions. Each wheel's
angle is its base plus its own rate times the elapsed time plus its free-wheeling rate times the
slip-weighted elapsed time, so encoders cost nothing until they are read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from fsw.mobility.geometry import CORNERS, ENCODER_COUNTS_PER_REV, WHEEL_RADIUS, WHEELS
from fsw.mobility.odometry import fit_motion, wheel_row
from hil.sim import motion

COUNTS_PER_RAD = ENCODER_COUNTS_PER_REV / (2 * math.pi)
CORNER_INDEX = tuple(WHEELS.index(c) for c in CORNERS)
N = len(WHEELS)
NONE_FROZEN: list[int | None] = [None] * N


class Wheels:
    """Drive and steering state of the six wheels, with the faults the simulator can inject."""

    __slots__ = (
        "base",
        "dragged",
        "drive",
        "drive_on",
        "driving",
        "encoders",
        "frozen",
        "fw",
        "is_driving",
        "last_currents",
        "offset",
        "opened",
        "powered",
        "rates",
        "stall_current",
        "stall_total",
        "stalled",
        "steer",
        "steer_cmd",
        "tc",
        "ts",
        "vx",
        "w",
    )

    def __init__(self) -> None:
        self.drive: tuple[float, ...] = (0.0,) * N
        self.steer_cmd: list[float] = [0.0] * len(CORNERS)
        self.steer: list[float] = [0.0] * len(CORNERS)
        self.powered = True
        self.stalled, self.opened = [False] * N, [False] * N
        self.frozen: list[int | None] = [None] * N
        self.offset = [0] * N
        self.base, self.tc, self.ts = [0.0] * N, 0.0, 0.0
        self.refit()

    def same(self, drive: Sequence[float], steer: Sequence[float], powered: bool) -> bool:
        """True when these commands are what the wheels already have (the usual case)."""
        return (
            powered == self.powered and tuple(drive) == self.drive and list(steer) == self.steer_cmd
        )

    def command(self, drive: Sequence[float], steer: Sequence[float], powered: bool) -> None:
        """Take new wheel rates, corner angles and power state."""
        if len(drive) != N or len(steer) != len(CORNERS):
            raise ValueError(
                f"actuation needs {N} wheel rates and {len(CORNERS)} corner angles, "
                f"got {len(drive)} and {len(steer)}"
            )
        rates, angles = tuple(map(float, drive)), list(map(float, steer))
        if not all(map(math.isfinite, (*rates, *angles))):
            raise ValueError(f"actuation needs finite rates and angles, got {rates} and {angles}")
        self.drive, self.steer_cmd, self.powered = rates, angles, bool(powered)
        self.refit()

    @property
    def settled(self) -> bool:
        """True when the corners stand where commanded (or cannot move, unpowered)."""
        return self.steer == self.steer_cmd or not self.powered

    def turn(self, h: float) -> None:
        """Move each corner toward its commanded angle at the steering rate for `h` seconds."""
        most = motion.STEER_RATE * h
        for i, (now, want) in enumerate(zip(self.steer, self.steer_cmd, strict=True)):
            step = want - now
            self.steer[i] = want if abs(step) <= most else now + math.copysign(most, step)
        self.refit()

    def refit(self) -> None:
        """Work out what the body does from what the wheels try to do; rebase the encoders."""
        self.base, self.tc, self.ts = self.angles(), 0.0, 0.0
        angles = [0.0] * N
        for k, i in enumerate(CORNER_INDEX):
            angles[i] = self.steer[k]
        rows = [wheel_row(w, a) for w, a in zip(WHEELS, angles, strict=True)]
        on = [self.powered and rate != 0.0 for rate in self.drive]
        driving = [on[i] and not self.stalled[i] and not self.opened[i] for i in range(N)]
        used = [i for i in range(N) if driving[i]]
        vx, w = fit_motion([rows[i] for i in used], [self.drive[i] * WHEEL_RADIUS for i in used])
        self.vx, self.w = vx, w
        self.driving, self.dragged = len(used), sum(self.stalled)
        self.drive_on = any(on)
        self.is_driving = tuple(1.0 if d else 0.0 for d in driving)
        self.stall_current = tuple(
            motion.STALL_CURRENT if on[i] and self.stalled[i] else 0.0 for i in range(N)
        )
        self.stall_total = sum(self.stall_current)
        self.rates = [rate if driving[i] else 0.0 for i, rate in enumerate(self.drive)]
        self.fw = [
            0.0 if driving[i] or self.stalled[i] else (vx * a + w * b) / WHEEL_RADIUS
            for i, (a, b) in enumerate(rows)
        ]
        scale = COUNTS_PER_RAD
        self.encoders = tuple(
            (b * scale, r * scale, f * scale, o)
            for b, r, f, o in zip(self.base, self.rates, self.fw, self.offset, strict=True)
        )
        self.last_currents = (math.nan, [0.0] * N)

    def roll(self, h: float, keep: float) -> None:
        """Let `h` seconds pass with the body keeping `keep` (1 - slip) of its commanded motion."""
        self.tc += h
        self.ts += keep * h

    def angles(self) -> list[float]:
        """Each wheel's true rotation (rad) since the start."""
        tc, ts = self.tc, self.ts
        if not tc:
            return list(self.base)
        return [b + r * tc + f * ts for b, r, f in zip(self.base, self.rates, self.fw, strict=True)]

    def counts(self, live: bool = False) -> list[int]:
        """The encoder counts as reported (`live`: as if no encoder were lost)."""
        tc, ts = self.tc, self.ts
        counts = [round(b + r * tc + f * ts) + o for b, r, f, o in self.encoders]
        if not live and self.frozen != NONE_FROZEN:
            for i, frozen in enumerate(self.frozen):
                if frozen is not None:
                    counts[i] = frozen
        return counts

    def currents(self, load: float) -> list[float]:
        """Each motor's current (A): `load` for a driving motor, a stall's, or none."""
        last, currents = self.last_currents
        if load != last:
            currents = [
                load * d + s for d, s in zip(self.is_driving, self.stall_current, strict=True)
            ]
            self.last_currents = (load, currents)
        return list(currents)

    def total_current(self, load: float) -> float:
        """The sum of the motor currents (A) when each driving motor carries `load`."""
        return load * self.driving + self.stall_total

    def stall(self, wheel: int) -> None:
        """Lock the wheel: it stops turning and drags; its motor stalls while commanded."""
        self.stalled[wheel] = True
        self.refit()

    def open_circuit(self, wheel: int) -> None:
        """Cut the wheel's motor: no torque, no current; the wheel rolls with the body."""
        self.opened[wheel] = True
        self.refit()

    def lose_encoder(self, wheel: int) -> None:
        """Freeze the wheel's encoder count where it stands."""
        if self.frozen[wheel] is None:
            self.frozen[wheel] = self.counts()[wheel]

    def clear(self) -> None:
        """Remove every wheel fault; a lost encoder counts on from where it stopped."""
        live = self.counts(live=True)
        for i, frozen in enumerate(self.frozen):
            if frozen is not None:
                self.offset[i] += frozen - live[i]
        self.stalled, self.opened, self.frozen = [False] * N, [False] * N, [None] * N
        self.refit()
