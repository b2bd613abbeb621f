"""The simulated rover: terrain, sun, power and thermal models behind the hardware port."""

from hil.sim.rover import Pose, SimRover
from hil.sim.sun import FixedSun, SunModel
from hil.sim.terrain import HeightMap, Ramp, Rock, Terrain

__all__ = ["FixedSun", "HeightMap", "Pose", "Ramp", "Rock", "SimRover", "SunModel", "Terrain"]
