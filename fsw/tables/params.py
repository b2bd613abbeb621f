"""The parameter table: every threshold and limit the ground may read and tune.

The fault monitors' thresholds and persistences are derived from the monitor table, so a monitor
is declared in one place; the rest are listed here. Ids are positions in this table (never
reorder: the dictionary and recorded logs name parameters by id).
"""

from enum import IntEnum

from fsw.fdir.schema import MonitorDef
from fsw.mobility.geometry import TOP_SPEED
from fsw.params import ParamDef
from fsw.security import DEFAULT_WINDOW, FORWARD_LIMIT_DAYS, MAX_WINDOW
from fsw.tables.monitors import MONITORS

_OWN: tuple[tuple[str, float, float, float, str, str], ...] = (
    # name, default, min, max, unit, what it is for
    ("CLIMB_PITCH", 10.0, 1.0, 45.0, "deg", "Pitch on a drive above which the rover enters CLIMB"),
    ("CLIMB_EXIT_PITCH", 8.0, 0.0, 45.0, "deg", "Pitch below which CLIMB returns to DRIVE"),
    ("CLIMB_SPEED", 0.03, 0.005, TOP_SPEED, "m/s", "Speed limit while climbing"),
    ("FIVE_WHEEL_SPEED", 0.03, 0.005, TOP_SPEED, "m/s", "Speed limit with a wheel isolated"),
    ("MIN_TURN_RADIUS", 0.6, 0.3, 20.0, "m", "Tightest arc a DRIVE may ask for"),
    ("TURN_RATE", 2.0, 0.5, 10.0, "deg/s", "Yaw rate of TURN_IN_PLACE"),
    ("STEER_TOLERANCE", 1.0, 0.1, 10.0, "deg", "How close the corners must be before rolling"),
    ("STEER_TIMEOUT", 10.0, 1.0, 60.0, "s", "Longest wait for the corners to reach their angles"),
    ("STALL_RATE_FRACTION", 0.1, 0.0, 1.0, "", "Below this share of its command a wheel is still"),
    ("SLIP_TIME_CONSTANT", 5.0, 0.5, 60.0, "s", "Smoothing of the slip estimate"),
    ("NAP_EXIT_TEMP", 90.0, 20.0, 150.0, "degC", "Exterior temperature below which a nap ends"),
    ("WAKE_ELEVATION", 5.0, -10.0, 45.0, "deg", "Sun elevation that ends hibernation"),
    ("WAKE_BATTERY", 25.0, 5.0, 90.0, "%", "Charge needed to wake from hibernation"),
    ("HIBERNATE_PERIOD", 60.0, 1.0, 3600.0, "s", "Wake-check and beacon period while asleep"),
)

_ADDED: tuple[tuple[str, float, float, float, str, str, bool], ...] = (
    # rows added after the monitors' (appended here, never inserted: ids are positions);
    # name, default, min, max, unit, what it is for, whole number
    (
        "ARM_WINDOW",
        60.0,
        1.0,
        600.0,
        "s",
        "How long an ARM lets its hazardous command through",
        False,
    ),
    (
        "ANTI_REPLAY_WINDOW",
        float(DEFAULT_WINDOW),
        1.0,
        float(MAX_WINDOW),
        "",
        "Authenticated sequence numbers below the highest seen that may still arrive (out of "
        "order), each once; the ground numbers by its clock in microseconds (1000000: 1 s)",
        True,
    ),
    (
        "PLAYBACK_BUDGET",
        10.0,
        1.0,
        200.0,
        "packets",
        "Stored packets played back per control cycle while in contact (pacing)",
        True,
    ),
    (
        "ARSN_FORWARD_LIMIT",
        FORWARD_LIMIT_DAYS,
        1.0,
        3650.0,
        "d",
        "Furthest an authenticated sequence number may be above the highest accepted, in days "
        "of the ground's clock-based numbering (beyond: refused SN_TOO_FAR_AHEAD)",
        False,
    ),
    (
        "UPLINK_BUDGET",
        16384.0,
        64.0,
        262144.0,
        "bytes",
        "Uplink bytes taken in per control period at most (the rest waits, counted as deferred):"
        " no flood can hold the control loop",
        True,
    ),
    (
        "UPLINK_PACKET_BUDGET",
        50.0,
        1.0,
        500.0,
        "packets",
        "Uplink command packets judged per control period at most, like cFS's per-cycle "
        "message limit (the rest wait, counted as deferred)",
        True,
    ),
)
_FIRST_MONITORS = 14
"""Monitors whose parameters come before _ADDED's; a later monitor's come after (ids are
positions, so the parameters of a monitor appended to its table are appended here too)."""

_WHOLE_PERSISTENCE = (1.0, 600.0)


def _rows() -> tuple[ParamDef, ...]:
    rows: list[tuple[str, float, float, float, str, str, bool]] = [(*r, False) for r in _OWN]
    rows.extend(_monitor_rows(MONITORS[:_FIRST_MONITORS]))
    rows.extend(_ADDED)
    rows.extend(_monitor_rows(MONITORS[_FIRST_MONITORS:]))
    return tuple(
        ParamDef(name, i, default, low, high, unit, text, whole)
        for i, (name, default, low, high, unit, text, whole) in enumerate(rows)
    )


def _monitor_rows(
    monitors: tuple[MonitorDef, ...],
) -> list[tuple[str, float, float, float, str, str, bool]]:
    """The threshold (and five-wheel threshold) and persistence parameters of `monitors`."""
    rows: list[tuple[str, float, float, float, str, str, bool]] = []
    for m in monitors:
        rows.append((m.limit_param, m.threshold, *m.bounds, m.unit, f"{m.name} threshold", False))
        if m.degraded is not None:
            text = f"{m.name} threshold with a wheel isolated"
            rows.append((m.degraded_param, m.degraded, *m.bounds, m.unit, text, False))
        rows.append(
            (
                m.persistence_param,
                float(m.persistence),
                *_WHOLE_PERSISTENCE,
                "cycles",
                f"{m.name}: consecutive control cycles beyond the threshold before it trips",
                True,
            )
        )
    return rows


PARAMS: tuple[ParamDef, ...] = _rows()

ORDERED: tuple[tuple[str, str], ...] = (
    ("CLIMB_EXIT_PITCH", "CLIMB_PITCH"),
    ("NAP_EXIT_TEMP", "THERMAL_NAP_LIMIT"),
)
"""Pairs whose first must stay below the second (hysteresis), or the mode would flap."""

Param = IntEnum("Param", [(p.name, p.id) for p in PARAMS])  # type: ignore[misc]
"""Parameter numbers as SET_PARAM and GET_PARAM carry them."""

Monitor = IntEnum("Monitor", [(m.name, i) for i, m in enumerate(MONITORS)])  # type: ignore[misc]
"""Monitor numbers as commands and events carry them."""
