"""The simulated rover: the hardware port answered by physics instead of a board.

The rover integrates lazily: `sense()` and `actuate()` first bring the state up to `now()`, in
0.1 s steps while anything moves and in steps of up to 60 s while it rests, so a 14-day lunar night
costs little. Motion is integrated every step; the battery and the temperatures, which change over
minutes, catch up with the loads accumulated since once a second (THERMAL_STEP) and after every
rest step or command change, so they may read up to a second old: a 1 Hz housekeeping sample.
Everything random comes from one generator seeded by `seed`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import NamedTuple

from fsw.mobility.geometry import WHEEL_RADIUS, WHEELS
from fsw.port import Actuation, FaultInjector, LinkStatus, Sensors
from fsw.tables.enums import FaultKind, Hardware
from hil.sim import motion, power
from hil.sim.sun import FixedSun, SunModel
from hil.sim.terrain import Terrain
from hil.sim.wheels import Wheels

STEP, REST_STEP, THERMAL_STEP = 0.1, 60.0, 1.0
"""s: motion steps, steps at rest, and how often power and temperatures catch up."""

HAZARD_REACH, HAZARD_HALF_WIDTH = 1.0, 0.35
"""m: how far ahead the hazard sensor sees, and half the width of the corridor it watches."""

FRONT_EDGE = max(w.x for w in WHEELS) + WHEEL_RADIUS
REAR_EDGE = min(w.x for w in WHEELS) - WHEEL_RADIUS
"""m: body x of the rover's front and rear edges, where the hazard sensors look from."""

NEAR, UNDER, REFRESH = 1.8, 0.75, 0.25
"""m: the rover keeps the rocks within NEAR (for the hazard corridor, at most 1.43 m away) and
UNDER (for the wheels, at most 0.36 m away) of where it stood, and chooses them again once it has
moved REFRESH along x or y (0.36 m diagonally), so they always cover what matters."""

WHEEL_XY = tuple((w.x, w.y) for w in WHEELS)

SEED_MAX = 2**32 - 1
"""Seeds are 0..2**32-1, as numpy's and most simulators' generators take. Python's Random would
take any integer, but it gives -N the draws of N: a negative seed would silently repeat another."""


class Pose(NamedTuple):
    """Where the rover truly is (site frame, m and degrees), for tests and scenario checks."""

    x: float
    y: float
    z: float
    heading_deg: float
    pitch_deg: float
    roll_deg: float


class SimRover:
    """A simulated Yutu-2-like rover behind the hardware port, with fault injection."""

    __slots__ = (
        "_acc_h",
        "_acc_i2",
        "_acc_load",
        "_battery",
        "_current",
        "_heading",
        "_imu_bias",
        "_imu_noise",
        "_load",
        "_near",
        "_near_at",
        "_now",
        "_pitch",
        "_rng",
        "_roll",
        "_slip_noise",
        "_sun",
        "_t",
        "_terrain",
        "_thermal",
        "_travelled",
        "_under",
        "_wheels",
        "_x",
        "_y",
        "_z",
        "faults",
    )

    name: str = "sim"
    hardware: Hardware = Hardware.SIMULATED
    link: LinkStatus | None = None  # no board, no link

    def __init__(
        self,
        now: Callable[[], float],
        terrain: Terrain,
        *,
        x: float = 0.0,
        y: float = 0.0,
        heading_deg: float = 0.0,
        seed: int = 0,
        sun: SunModel | FixedSun | None = None,
        battery_soc: float = 90.0,
        imu_noise_deg: float = 0.0,
        slip_noise: float = 0.01,
        exterior_temp: float | None = None,
    ) -> None:
        self.faults: FaultInjector | None = self
        self._now, self._terrain = now, terrain
        self._sun = FixedSun() if sun is None else sun
        self._rng = random.Random(seed)
        self._imu_noise, self._slip_noise = math.radians(imu_noise_deg), slip_noise
        self._imu_bias = 0.0
        self._t = now()
        self._x, self._y, self._heading = x, y, math.radians(heading_deg)
        self._near = self._under = terrain
        self._near_at = (math.inf, math.inf)
        self._settle()
        self._travelled = self._current = 0.0
        self._acc_h = self._acc_i2 = self._acc_load = 0.0
        self._wheels = Wheels()
        self._battery = power.Battery(battery_soc)
        if exterior_temp is None:
            exterior_temp = power.exterior_equilibrium(self._elevation(self._t))
        self._thermal = power.Thermal(exterior_temp, len(WHEELS))
        self._load_current()

    # -- the hardware port -------------------------------------------------------------------

    def sense(self) -> Sensors:
        """Every sensor, sampled now."""
        self._advance()
        wheels, current, heading = self._wheels, self._current, self._heading
        bias = math.radians(self._imu_bias)
        pitch, roll = self._pitch + bias, self._roll + bias
        if self._imu_noise:
            pitch += self._rng.gauss(0.0, self._imu_noise)
            roll += self._rng.gauss(0.0, self._imu_noise)
        hazard_height, hazard_distance = 0.0, HAZARD_REACH
        if self._near.rocks:
            backward = wheels.drive_on and wheels.vx < 0.0
            edge = REAR_EDGE if backward else FRONT_EDGE
            hazard_height, hazard_distance = self._near.step_ahead(
                self._x + math.cos(heading) * edge,
                self._y + math.sin(heading) * edge,
                heading,
                -1 if backward else 1,
                HAZARD_REACH,
                HAZARD_HALF_WIDTH,
            )
        heading = math.remainder(heading, 2 * math.pi)
        elevation = self._elevation(self._t)
        thermal, battery = self._thermal, self._battery
        return Sensors(
            time=self._t,
            encoders=wheels.counts(),
            currents=wheels.currents(current),
            motor_temps=list(thermal.motors),
            steer=list(wheels.steer),
            pitch=pitch,
            roll=roll,
            heading=math.pi if heading == -math.pi else heading,
            visual_odometry=self._travelled,
            battery_soc=battery.soc,
            battery_voltage=battery.voltage,
            solar_power=power.solar_power(elevation),
            load_power=self._load,
            sun_elevation=elevation,
            electronics_temp=thermal.electronics,
            exterior_temp=thermal.exterior,
            hazard_height=hazard_height,
            hazard_distance=hazard_distance,
        )

    def actuate(self, command: Actuation) -> None:
        """Apply wheel rates, steering angles and the power state from now on."""
        self._advance()
        if not self._wheels.same(command.drive, command.steer, command.powered):
            self._flush()
            self._wheels.command(command.drive, command.steer, command.powered)
            self._load_current()

    def inject(self, kind: FaultKind, wheel: int, value: float) -> None:
        """Make the fault happen from now on; CLEAR removes all but a lost battery cell."""
        kind = FaultKind(kind)
        per_wheel = (FaultKind.WHEEL_STALL, FaultKind.WHEEL_OPEN_CIRCUIT, FaultKind.ENCODER_LOSS)
        if kind in per_wheel and not 0 <= wheel < len(WHEELS):
            raise ValueError(f"fault {kind.name}: wheel {wheel} is not 0-{len(WHEELS) - 1}")
        self._advance()
        self._flush()
        wheels = self._wheels
        if kind is FaultKind.CLEAR:
            wheels.clear()
            self._imu_bias = 0.0
        elif kind is FaultKind.WHEEL_STALL:
            wheels.stall(wheel)
        elif kind is FaultKind.WHEEL_OPEN_CIRCUIT:
            wheels.open_circuit(wheel)
        elif kind is FaultKind.ENCODER_LOSS:
            wheels.lose_encoder(wheel)
        elif kind is FaultKind.IMU_BIAS:
            self._imu_bias = float(value)
        elif kind is FaultKind.BATTERY_CELL_LOSS:
            self._battery.lose_cell()
        self._load_current()

    # -- truth for tests and the scenario runner (as of the last sense() or actuate()) --------

    @property
    def pose(self) -> Pose:
        """Where the rover truly is, without IMU bias or noise."""
        return Pose(
            self._x,
            self._y,
            self._z,
            math.degrees(math.remainder(self._heading, 2 * math.pi)),
            math.degrees(self._pitch),
            math.degrees(self._roll),
        )

    @property
    def travelled(self) -> float:
        """Metres truly travelled over the ground."""
        return self._travelled

    # -- integration -------------------------------------------------------------------------

    def _advance(self) -> None:
        """Integrate from the last integrated time up to now()."""
        t = self._now()
        wheels = self._wheels
        while True:
            rest = t - self._t
            if rest <= 1e-9:
                return
            still = not wheels.drive_on and wheels.settled
            cap = REST_STEP if still else STEP
            h = rest if rest <= cap + 1e-9 else cap
            if still:
                self._acc_h += h
                self._acc_load += h * self._load
            else:
                self._move(h)
            self._t = t if h == rest else self._t + h
            if self._acc_h >= THERMAL_STEP - 1e-9:
                self._flush()

    def _move(self, h: float) -> None:
        """One step of steering, wheels and body motion, accumulating the loads."""
        wheels = self._wheels
        if not wheels.settled:
            wheels.turn(h)
            self._load_current()
        pitch = self._pitch
        noise = (2.0 * self._rng.random() - 1.0) * self._slip_noise if self._slip_noise else 0.0
        keep = 1.0 - motion.slip(pitch, noise)
        vx, w = wheels.vx * keep, wheels.w * keep
        wheels.roll(h, keep)
        if vx or w:
            ahead = vx * math.cos(pitch) * h
            mid = self._heading + 0.5 * w * h
            self._x += ahead * math.cos(mid)
            self._y += ahead * math.sin(mid)
            self._heading += w * h
            self._travelled += abs(vx) * h
            self._settle()
            if self._pitch != pitch:
                self._load_current()
        current = self._current
        self._acc_h += h
        self._acc_i2 += current * current * h
        self._acc_load += h * self._load

    def _flush(self) -> None:
        """Bring the battery and the temperatures up to now with the loads accumulated since."""
        h = self._acc_h
        if not h:
            return
        elevation = self._elevation(self._t - 0.5 * h)
        self._battery.charge(power.solar_power(elevation) - self._acc_load / h, h)
        wheels, q = self._wheels, self._acc_i2 / h
        heat = [q * d + s * s for d, s in zip(wheels.is_driving, wheels.stall_current, strict=True)]
        self._thermal.update(h, elevation, wheels.powered, heat)
        self._acc_h = self._acc_i2 = self._acc_load = 0.0

    def _load_current(self) -> None:
        """Each driving motor's current, and the total load, for the commands, faults and pitch."""
        wheels = self._wheels
        moving = wheels.vx or wheels.w
        dragged = wheels.dragged if moving else 0
        self._current = current = motion.drive_current(self._pitch, wheels.driving, dragged)
        self._load = power.load_power(wheels.powered, wheels.total_current(current))

    def _settle(self) -> None:
        """Rest the body on the terrain under its six wheels: height, pitch and roll."""
        x, y = self._x, self._y
        ax, ay = self._near_at
        if abs(x - ax) > REFRESH or abs(y - ay) > REFRESH:
            self._near = self._terrain.near(x, y, NEAR)
            self._under, self._near_at = self._near.near(x, y, UNDER), (x, y)
        under = self._under
        if under.level is not None:
            self._z, self._pitch, self._roll = under.level, 0.0, 0.0
            return
        heading = self._heading
        z = under.footprint(x, y, math.cos(heading), math.sin(heading), WHEEL_XY)
        self._pitch, self._roll = motion.attitude(z)
        self._z = sum(z) / len(z)

    def _elevation(self, t: float) -> float:
        """Sun elevation (deg) at mission time `t`."""
        return self._sun.elevation(t)
