"""The hardware port: the one small interface between the flight software and the rover.

The flight software commands wheel drive rates and corner steering angles and reads the sensors
below; it never knows whether a simulated rover (`hil.sim`) or a serial board (`hil.board`) answers,
except for what it reports: which hardware it is, and the board's link.
Units are SI at the port (rad/s, rad, A, m), except temperatures in degrees C and power in W.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from fsw.tables.enums import BoardKind, FaultKind, Hardware


@dataclass(slots=True)
class Sensors:
    """One sample of every sensor, taken at mission time `time` (s)."""

    time: float
    encoders: list[int]  # wheel encoder counts, one per wheel in the Wheel order; they wrap never
    currents: list[float]  # motor currents (A), one per wheel
    motor_temps: list[float]  # motor temperatures (deg C), one per wheel
    steer: list[float]  # measured corner steering angles (rad), in the CORNERS order
    pitch: float  # IMU attitude (rad): nose up positive
    roll: float  # left side up positive
    heading: float  # counter-clockwise from the site frame's x axis
    visual_odometry: float  # distance travelled over the ground (m), from the navigation cameras
    battery_soc: float  # state of charge (%)
    battery_voltage: float  # bus voltage (V)
    solar_power: float  # from the solar panels (W)
    load_power: float  # drawn by everything powered (W)
    sun_elevation: float  # sun elevation above the local horizon (deg)
    electronics_temp: float  # warm electronics box (deg C)
    exterior_temp: float  # sunlit side of the body (deg C)
    hazard_height: float  # tallest step ahead in the direction of travel (m), 0 when none
    hazard_distance: float  # how far ahead that step is (m); the sensor's reach when none
    hardware_silence: float = 0.0  # s since the motor board last answered (0 when simulated)


@dataclass(slots=True)
class Actuation:
    """What the flight software asks of the motors: wheel rates (rad/s) and corner angles (rad)."""

    drive: list[float] = field(default_factory=lambda: [0.0] * 6)
    steer: list[float] = field(default_factory=lambda: [0.0] * 4)
    powered: bool = True  # False while asleep: loads off, drive and steering motors unpowered


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """A serial board's link as the flight software reports it (HW_LINK telemetry)."""

    connected: bool  # a board answered the handshake and has not gone silent since
    board: BoardKind
    firmware: tuple[int, int, int]  # the board's firmware version (0, 0, 0) before it answered
    board_uptime: float  # s, as the board last reported it
    frames_sent: int  # frames written to the board
    frames_received: int  # good frames read from it
    crc_errors: int  # frames from the board whose CRC did not match
    bad_frames: int  # other frames from it thrown away (broken COBS, length, unknown type)
    rejects: int  # messages the board refused (REJECT)
    board_rx_errors: int  # frames the board says it threw away
    timeouts: int  # handshakes unanswered, and times the board went silent
    connects: int  # handshakes completed (the first, and one per reconnection)
    rtt_last: float  # ms from a setpoint to the status answering it
    rtt_mean: float  # ms, over the setpoints answered since the link came up
    rtt_max: float  # ms, since the link came up
    silence: float  # s since the board last sent a good frame


@dataclass(frozen=True, slots=True)
class RadioStatus:
    """The ground link's radio as the flight software reports it (RADIO telemetry). Its
    counters are kept by the radio's own threads and read here whole, one at a time."""

    connected: bool  # a ground holds the link
    connections: int  # connections accepted, or times the device was opened
    pending: int  # connections waiting now to prove the uplink key
    proven: int  # connections that proved the key and took the link from another ground
    refused: int  # connections closed without the link
    bytes_up: int  # uplink bytes handed to the flight software
    undelivered: int  # uplink bytes of refused or replaced connections, never handed on
    frames_down: int  # downlink frames written to the ground
    dropped_down: int  # downlink packets that did not reach a ground
    relay_full_up: int = 0  # uplink frames the relay dropped, full
    relay_full_down: int = 0  # downlink frames the relay dropped, full


class FaultInjector(Protocol):
    """Test-only fault injection: only simulated hardware offers it."""

    def inject(self, kind: FaultKind, wheel: int, value: float) -> None:
        """Make the fault happen from now on (CLEAR removes every injected fault). `wheel` is
        the wheel index for wheel faults (ignored otherwise); `value` is the IMU bias in
        degrees, as the SIM_INJECT_FAULT command carries it. Raises ConnectionError when the
        hardware that should have the fault cannot be reached (a board not connected)."""


class HardwarePort(Protocol):
    """What any rover hardware, simulated or real, offers the flight software."""

    name: str
    hardware: Hardware
    faults: FaultInjector | None  # None where nothing can be injected: SIM_INJECT_FAULT is refused

    @property
    def link(self) -> LinkStatus | None:
        """The serial board's link, or None when no board is behind the port."""
        ...

    def sense(self) -> Sensors:
        """Every sensor, sampled now."""
        ...

    def actuate(self, command: Actuation) -> None:
        """Apply wheel rates, steering angles and the power state from now on."""
        ...
