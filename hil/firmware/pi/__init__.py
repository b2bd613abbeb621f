"""The Raspberry Pi agent: a Raspberry Pi on a serial port (its UART, or USB gadget serial) as a
motor-and-sensor board speaking the board protocol, with simulated motors unless a motor driver
is plugged in (driver.py). Run it with `python -m hil.firmware.pi PORT`; README.md tells how to
install it on a Pi."""

from hil.firmware.pi.agent import serve
from hil.firmware.pi.driver import MotorDriver, load_driver

__all__ = ["MotorDriver", "load_driver", "serve"]
