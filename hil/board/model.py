"""The simulated motors every board of this project carries when no motor driver is attached,
as constants both implementations share: the Raspberry Pi agent (hil.board.motors, Python) and
the Arduino firmware (C, whose header is generated from this module and hil.board.protocol).

All in integers, as an 8-bit board computes them: rates in mrad/s, angles in mrad, currents in
mA, time in whole milliseconds. The numbers match the simulated rover on flat ground (hil.sim).
"""

from fsw.mobility.geometry import ENCODER_COUNTS_PER_REV

COUNTS_PER_REV = ENCODER_COUNTS_PER_REV
"""Encoder counts per wheel revolution (INFO.counts_per_rev)."""

MICRORAD_PER_REV = 6_283_185
"""2*pi*10^6: a wheel turning r mrad/s for 1 ms adds r*COUNTS_PER_REV/MICRORAD_PER_REV counts."""

DRIVE_ACCEL = 4000
"""mrad/s per second: how fast a wheel's rate follows its setpoint (0 to top speed in 0.15 s)."""

STEER_RATE = 1000
"""mrad/s: how fast a corner turns toward its setpoint (1 mrad per ms; hil.sim.motion)."""

RUN_CURRENT = 673
"""mA drawn by a turning motor on flat ground (0.3 A no-load + its share of rolling resistance)."""

STALL_CURRENT = 2800
"""mA drawn by a locked motor that is commanded to turn."""

FIRMWARE_VERSION = (1, 0, 0)
"""Version of both boards' firmware (INFO.fw_major/minor/patch)."""
