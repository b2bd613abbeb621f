"""Scenarios: a TOML file with terrain, start pose, sun, a timed command script, injected faults
and the outcome expected. Loading checks everything and names the first bad item in one line."""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsw.packets.reasons import PacketError
from fsw.tables import CATALOG
from fsw.tables.enums import FaultKind, Mode, Wheel
from hil.sim.rover import SEED_MAX

EXPECTATIONS = {
    "final_mode": "the mode in the last housekeeping packet",
    "modes_visited": "modes that must appear in housekeeping or MODE_CHANGED events",
    "modes_not_visited": "modes that must never appear",
    "events": "event names that must appear, in this order (others may come between)",
    "absent_events": "event names that must not appear",
    "travelled": "[min, max] distance over the ground (m) in the last MOBILITY packet",
    "final_x": "[min, max] of x (m) in the last MOBILITY packet",
    "final_y": "[min, max] of y (m) in the last MOBILITY packet",
    "healthy_wheels": "healthy wheels in the last housekeeping packet",
    "degraded": "the degraded flag in the last housekeeping packet",
    "completed": "command names whose last verification is COMPLETED",
    "failed": "command names whose last verification is FAILED",
    "rejected": "command names whose last verification is REJECTED",
}
"""Every expectation a scenario may state, checked against the telemetry log."""


class ScenarioError(ValueError):
    """A scenario file that cannot be run, with the item at fault."""


@dataclass(frozen=True)
class TimedCommand:
    """A command the ground sends at mission-relative time `at` (s after the start)."""

    at: float
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class TimedFault:
    """A fault the simulated hardware gets at `at`, without the flight software being told."""

    at: float
    kind: FaultKind
    wheel: int
    value: float


@dataclass(frozen=True)
class Scenario:
    """A scenario, checked."""

    name: str
    description: str
    duration: float
    seed: int
    start_time: float
    rover: dict[str, Any]
    sun: dict[str, Any]
    terrain: dict[str, Any]
    commands: tuple[TimedCommand, ...]
    faults: tuple[TimedFault, ...]
    expect: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


_TOP = {"name", "description", "duration", "seed", "start_time", "rover", "sun", "terrain"}
_TOP |= {"commands", "faults", "expect"}
_ROVER = {"x", "y", "heading", "battery_soc", "imu_noise", "exterior_temp"}
_SUN = {"sunrise", "max_elevation", "elevation"}


def load(path: str | Path) -> Scenario:
    """The scenario in a TOML file."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise ScenarioError(f"{p}: cannot read ({err.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{p}: not TOML ({err})") from None
    try:
        return parse(data, p)
    except ScenarioError as err:
        raise ScenarioError(f"{p}: {err}") from None


def _number(where: str, value: Any, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(f"{where}: {value!r} is not a number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ScenarioError(f"{where}: {value} is outside {low} .. {high}")
    return float(value)


def _table(where: str, value: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: must be a table")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})"
        )
    return value


def parse(data: dict[str, Any], path: Path | None = None) -> Scenario:
    """A scenario from TOML data."""
    _table("scenario", data, _TOP)
    for key in ("name", "duration"):
        if key not in data:
            raise ScenarioError(f"missing {key!r}")
    duration = _number("duration", data["duration"], 0.1, 90 * 86400)
    rover = _table("rover", data.get("rover", {}), _ROVER)
    for key, value in rover.items():
        _number(f"rover.{key}", value)
    sun = _table("sun", data.get("sun", {}), _SUN)
    for key, value in sun.items():
        _number(f"sun.{key}", value)
    commands = []
    for i, entry in enumerate(data.get("commands", [])):
        commands += _commands(f"commands[{i}]", entry, duration)
    faults = tuple(
        _fault(f"faults[{i}]", e, duration) for i, e in enumerate(data.get("faults", []))
    )
    expect = _table("expect", data.get("expect", {}), set(EXPECTATIONS))
    for key, want in expect.items():
        _check_expectation(f"expect.{key}", key, want)
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise ScenarioError(f"seed: {seed!r} is not a whole number from 0 to {SEED_MAX}")
    return Scenario(
        name=str(data["name"]),
        description=str(data.get("description", "")),
        duration=duration,
        seed=seed,
        start_time=_number("start_time", data.get("start_time", 86400.0), 0, 2**32 - 1),
        rover=rover,
        sun=sun,
        terrain=_table("terrain", data.get("terrain", {}), {"ramps", "rocks", "heightmap"}),
        commands=tuple(sorted(commands, key=lambda c: c.at)),
        faults=faults,
        expect=expect,
        path=path,
    )


_RANGES = {"travelled", "final_x", "final_y"}
_MODES = tuple(m.name for m in Mode)
_NAMES = {"mode": _MODES, "event": tuple(e.name for e in CATALOG.events)}
_NAMES["command"] = tuple(c.name for c in CATALOG.commands)
_NAME_LISTS = {"modes_visited": "mode", "modes_not_visited": "mode", "final_mode": "mode"}
_NAME_LISTS |= {"events": "event", "absent_events": "event"}
_NAME_LISTS |= {"completed": "command", "failed": "command", "rejected": "command"}
"""Expectations that name things, and what they name: checked against the tables at load, so a
typo is refused before the run instead of failing after it."""


def _check_expectation(where: str, key: str, want: Any) -> None:
    if key in _RANGES:
        if not isinstance(want, list) or len(want) != 2:
            raise ScenarioError(f"{where}: give [min, max]")
        low, high = (_number(where, v) for v in want)
        if low > high:
            raise ScenarioError(f"{where}: min {low} is above max {high}")
    elif key == "final_mode":
        if not isinstance(want, str):
            raise ScenarioError(f"{where}: give a mode name")
        _known(where, "mode", want)
    elif key in _NAME_LISTS:
        if not isinstance(want, list) or not all(isinstance(v, str) for v in want):
            raise ScenarioError(f"{where}: give a list of names")
        for name in want:
            _known(where, _NAME_LISTS[key], name)
    elif key == "healthy_wheels":
        _number(where, want, 0, 6)
    elif key == "degraded" and not isinstance(want, bool):
        raise ScenarioError(f"{where}: give true or false")


def _known(where: str, kind: str, name: str) -> None:
    """Refuse a name the tables do not have, with the names it may have meant."""
    names = _NAMES[kind]
    if name in names:
        return
    if len(names) <= 12:
        hint = f"one of {', '.join(names)}"
    else:
        close = difflib.get_close_matches(name.upper(), names, n=3, cutoff=0.8)
        hint = f"did you mean {' or '.join(close)}?" if close else "see docs/reference.md"
    raise ScenarioError(f"{where}: unknown {kind} {name!r} ({hint})")


def _commands(where: str, entry: Any, duration: float) -> list[TimedCommand]:
    e = _table(where, entry, {"at", "name", "args", "every", "until"})
    if "at" not in e or "name" not in e:
        raise ScenarioError(f"{where}: needs 'at' and 'name'")
    at = _number(f"{where}.at", e["at"], 0, duration)
    args = _table(f"{where}.args", e.get("args", {}), set(_arg_names(where, e["name"])))
    try:  # checked now, so a typo fails before a long run, not in the middle of it
        CATALOG.encode_command(e["name"], args)
    except PacketError as err:
        raise ScenarioError(f"{where}: {err.message}") from None
    name = CATALOG.command(e["name"]).name
    every = e.get("every")
    if every is None:
        return [TimedCommand(at, name, args)]
    step = _number(f"{where}.every", every, 1.0)
    until = _number(f"{where}.until", e.get("until", duration), at, duration)
    count = int((until - at) // step) + 1
    return [TimedCommand(at + k * step, name, args) for k in range(count)]


def _arg_names(where: str, name: Any) -> list[str]:
    try:
        return [a.name for a in CATALOG.command(str(name)).args]
    except PacketError as err:
        raise ScenarioError(f"{where}: {err.message}") from None


def _fault(where: str, entry: Any, duration: float) -> TimedFault:
    e = _table(where, entry, {"at", "fault", "wheel", "value"})
    if "at" not in e or "fault" not in e:
        raise ScenarioError(f"{where}: needs 'at' and 'fault'")
    try:
        kind = FaultKind[str(e["fault"]).upper()]
    except KeyError:
        known = ", ".join(k.name for k in FaultKind)
        raise ScenarioError(f"{where}: no fault {e['fault']!r} (one of {known})") from None
    wheel_name = str(e.get("wheel", "NONE")).upper()
    if wheel_name not in Wheel.__members__:
        raise ScenarioError(f"{where}: no wheel {e.get('wheel')!r}")
    wheel = Wheel[wheel_name]
    wheel_faults = (FaultKind.WHEEL_STALL, FaultKind.WHEEL_OPEN_CIRCUIT, FaultKind.ENCODER_LOSS)
    if kind in wheel_faults and wheel is Wheel.NONE:
        raise ScenarioError(f"{where}: {kind.name} needs a wheel")
    return TimedFault(
        _number(f"{where}.at", e["at"], 0, duration),
        kind,
        -1 if wheel is Wheel.NONE else int(wheel),
        _number(f"{where}.value", e.get("value", 0.0)),
    )
