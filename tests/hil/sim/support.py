"""A settable mission clock and a 10 Hz loop, as the flight software would drive the rover."""

from fsw.port import Actuation, Sensors
from hil.sim import SimRover, Terrain

FLAT = Terrain()
TOP_RATE = 0.0447 / 0.075  # rad/s: top speed on 0.075 m wheels


class Clock:
    """Mission time that tests move by hand."""

    def __init__(self, t: float = 0.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def rover(terrain: Terrain = FLAT, t: float = 0.0, **kw) -> tuple[SimRover, Clock]:
    clock = Clock(t)
    return SimRover(clock, terrain, **kw), clock


def run(sim: SimRover, clock: Clock, seconds: float, command: Actuation | None = None) -> Sensors:
    """Command once, then sense at 10 Hz for `seconds`; the last sample."""
    if command is not None:
        sim.actuate(command)
    sample = sim.sense()
    for _ in range(round(seconds * 10)):
        clock.t += 0.1
        sample = sim.sense()
    return sample


def wait(sim: SimRover, clock: Clock, seconds: float, command: Actuation | None = None) -> Sensors:
    """Command once, then let `seconds` pass in one go (as a sleeping flight computer would)."""
    if command is not None:
        sim.actuate(command)
    clock.t += seconds
    return sim.sense()


def straight(rate: float = TOP_RATE, **kw) -> Actuation:
    return Actuation(drive=[rate] * 6, **kw)
