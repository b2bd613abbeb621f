"""The ground the simulated rover drives on: ramps along x, an optional height map, and rocks.

Heights are metres above the site datum. Everything here is pure and immutable, so a scenario can
share one `Terrain` between runs; the rover asks it for contact heights and for the step ahead.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ORIGIN = ((0.0, 0.0),)
"""The one point at a body's own origin."""

KEYS = {
    "terrain": {"ramps", "heightmap", "rocks"},
    "ramps": {"start", "length", "slope_deg"},
    "heightmap": {"origin", "cell", "heights"},
    "rocks": {"x", "y", "height", "radius"},
}


def _finite(name: str, value: float) -> None:
    """Refuse NaN and infinities, which would poison every height they touch."""
    if not math.isfinite(value):
        raise ValueError(f"{name} {value} is not finite")


def _positive(name: str, value: float, unit: str = "m") -> None:
    """Refuse sizes that are zero or negative."""
    _finite(name, value)
    if value <= 0:
        raise ValueError(f"{name} {value} {unit} is not positive")


@dataclass(frozen=True)
class Ramp:
    """A slope along the site x axis: height rises over [start, start + length] and stays."""

    start: float
    length: float
    slope_deg: float

    def __post_init__(self) -> None:
        _finite("start", self.start)
        _positive("length", self.length)
        _finite("slope_deg", self.slope_deg)
        if abs(self.slope_deg) >= 90:
            raise ValueError(f"slope_deg {self.slope_deg} is not between -90 and 90")


@dataclass(frozen=True)
class Rock:
    """A smooth cosine bump of `height` at its centre, flat beyond `radius`."""

    x: float
    y: float
    height: float
    radius: float

    def __post_init__(self) -> None:
        _finite("x", self.x)
        _finite("y", self.y)
        _finite("height", self.height)
        if self.height < 0:
            raise ValueError(f"height {self.height} m is negative")
        _positive("radius", self.radius)


@dataclass(frozen=True)
class HeightMap:
    """A grid of heights: row = y index, column = x index, bilinear between, clamped outside."""

    origin: tuple[float, float]
    cell: float
    heights: tuple[tuple[float, ...], ...]

    def __post_init__(self) -> None:
        for value in self.origin:
            _finite("origin", value)
        _positive("cell", self.cell)
        if not self.heights or not self.heights[0]:
            raise ValueError("heights is empty")
        for j, row in enumerate(self.heights):
            if len(row) != len(self.heights[0]):
                width = len(self.heights[0])
                raise ValueError(f"heights row {j} has {len(row)} values, row 0 has {width}")
            for value in row:
                _finite(f"heights row {j} value", value)

    def at(self, x: float, y: float) -> float:
        """The interpolated height at site point (x, y)."""
        rows = self.heights
        fx = min(max((x - self.origin[0]) / self.cell, 0.0), len(rows[0]) - 1.0)
        fy = min(max((y - self.origin[1]) / self.cell, 0.0), len(rows) - 1.0)
        i, j = int(fx), int(fy)
        tx, ty = fx - i, fy - j
        i1, j1 = min(i + 1, len(rows[0]) - 1), min(j + 1, len(rows) - 1)
        low = rows[j][i] + (rows[j][i1] - rows[j][i]) * tx
        high = rows[j1][i] + (rows[j1][i1] - rows[j1][i]) * tx
        return low + (high - low) * ty


@dataclass(frozen=True)
class Terrain:
    """Ramps plus an optional height map (the ground), with rocks on top, `base` m above datum."""

    ramps: tuple[Ramp, ...] = ()
    heightmap: HeightMap | None = None
    rocks: tuple[Rock, ...] = ()
    base: float = 0.0
    # Precomputed rows for the hot path: (start, length, tan slope) and
    # (x, y, height / 2, radius, radius squared, pi / radius).
    _ramp_rows: tuple[tuple[float, float, float], ...] = field(
        init=False, repr=False, compare=False
    )
    _rock_rows: tuple[tuple[float, float, float, float, float, float], ...] = field(
        init=False, repr=False, compare=False
    )
    level: float | None = field(init=False, repr=False, compare=False)
    """The height everywhere when the terrain is a level plane (no ramps, map or rocks)."""

    def __post_init__(self) -> None:
        _finite("base", self.base)
        ramps = tuple((r.start, r.length, math.tan(math.radians(r.slope_deg))) for r in self.ramps)
        rocks = tuple(
            (r.x, r.y, r.height / 2, r.radius, r.radius**2, math.pi / r.radius) for r in self.rocks
        )
        object.__setattr__(self, "_ramp_rows", ramps)
        object.__setattr__(self, "_rock_rows", rocks)
        plain = not self.ramps and self.heightmap is None and not self.rocks
        object.__setattr__(self, "level", self.base if plain else None)

    def ground(self, x: float, y: float) -> float:
        """Height of the ground at site point (x, y), without rocks."""
        return self.footprint(x, y, 1.0, 0.0, ORIGIN, rocks=False)[0]

    def height(self, x: float, y: float) -> float:
        """Height of the surface at site point (x, y): the ground plus any rock there."""
        return self.footprint(x, y, 1.0, 0.0, ORIGIN)[0]

    def footprint(
        self,
        x: float,
        y: float,
        cos_heading: float,
        sin_heading: float,
        points: Sequence[tuple[float, float]],
        *,
        rocks: bool = True,
    ) -> list[float]:
        """Surface heights under body-frame `points` of a body at (x, y) with the given heading.

        One call for all the wheels, as the rover needs every step: the hot path of the simulator.
        """
        ramps, heightmap, base = self._ramp_rows, self.heightmap, self.base
        bumps = self._rock_rows if rocks else ()
        cos, sqrt = math.cos, math.sqrt
        out = []
        for bx, by in points:
            px = x + bx * cos_heading - by * sin_heading
            py = y + bx * sin_heading + by * cos_heading
            h = base
            for start, length, grade in ramps:
                d = px - start
                if d > 0.0:
                    h += (d if d < length else length) * grade
            if heightmap is not None:
                h += heightmap.at(px, py)
            for rx, ry, half, radius, radius2, k in bumps:
                dx = px - rx
                if -radius < dx < radius:
                    dy = py - ry
                    r2 = dx * dx + dy * dy
                    if r2 < radius2:
                        h += half * (1.0 + cos(k * sqrt(r2)))
            out.append(h)
        return out

    def step_ahead(
        self, x: float, y: float, heading: float, direction: int, reach: float, half_width: float
    ) -> tuple[float, float]:
        """The tallest rock ahead of the edge point (x, y) as (height, distance to its near edge).

        `heading` is in radians; `direction` is +1 to look forward along it, -1 backward. A rock
        counts when its centre is ahead (or level with the edge), within `half_width` of the path's
        centre line, and its near edge no further than `reach`; one the rover already overhangs is
        at distance 0. Ties in height go to the nearer rock. (0.0, reach) when there is none.
        """
        ux, uy = math.cos(heading) * direction, math.sin(heading) * direction
        best_h, best_d = 0.0, reach
        found = False
        for rock in self.rocks:
            dx, dy = rock.x - x, rock.y - y
            along = dx * ux + dy * uy
            if along < 0.0 or abs(dy * ux - dx * uy) > half_width:
                continue
            distance = max(along - rock.radius, 0.0)
            if distance > reach:
                continue
            h = round(rock.height, 3)
            if not found or h > best_h or (h == best_h and distance < best_d):
                best_h, best_d, found = h, distance, True
        return best_h, best_d

    def near(self, x: float, y: float, radius: float) -> Terrain:
        """The same surface within `radius` of (x, y), with less to compute: for speed.

        It keeps the rocks that reach into the circle and the ramps that change height across it;
        ramps wholly behind become part of `base`, those wholly ahead are dropped.
        """
        rocks = tuple(r for r in self.rocks if math.hypot(r.x - x, r.y - y) - r.radius < radius)
        base, ramps = self.base, []
        for ramp, (start, length, grade) in zip(self.ramps, self._ramp_rows, strict=True):
            if start + length <= x - radius:
                base += length * grade
            elif start < x + radius:
                ramps.append(ramp)
        return dataclasses.replace(self, ramps=tuple(ramps), rocks=rocks, base=base)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Terrain:
        """Build a terrain from plain data (as loaded from TOML); ValueError names the bad item."""
        _check_keys("terrain", data, "terrain")
        ramps = tuple(
            _item(Ramp, "ramps", i, row) for i, row in enumerate(_list(data, "ramps", "terrain"))
        )
        rocks = tuple(
            _item(Rock, "rocks", i, row) for i, row in enumerate(_list(data, "rocks", "terrain"))
        )
        heightmap = None
        if "heightmap" in data:
            heightmap = _heightmap(data["heightmap"])
        return cls(ramps=ramps, heightmap=heightmap, rocks=rocks)


def _check_keys(kind: str, data: Any, where: str) -> None:
    """Refuse anything but a table with exactly the keys `kind` allows (the optional ones aside)."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected a table, got {type(data).__name__}")
    unknown = sorted(set(data) - KEYS[kind])
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}")
    if kind != "terrain":
        missing = sorted(KEYS[kind] - set(data))
        if missing:
            raise ValueError(f"{where}: missing key {missing[0]!r}")


def _list(data: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    """The list under `key`, empty when absent."""
    value = data.get(key, [])
    if not isinstance(value, list | tuple):
        raise ValueError(f"{where}: {key} must be a list, got {type(value).__name__}")
    return value


def _number(where: str, key: str, value: Any) -> float:
    """A plain number as a float (bools and strings refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {key} {value!r} is not a number")
    return float(value)


def _item(kind: type[Ramp] | type[Rock], key: str, index: int, row: Any) -> Any:
    """One ramp or rock, with errors prefixed by its place in the file."""
    where = f"terrain {key}[{index}]"
    _check_keys(key, row, where)
    values = {k: _number(where, k, row[k]) for k in sorted(KEYS[key])}
    try:
        return kind(**values)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None


def _row(where: str, j: int, row: Any) -> tuple[float, ...]:
    """One row of the height map as floats."""
    if not isinstance(row, list | tuple):
        raise ValueError(f"{where}: heights[{j}] must be a list, got {type(row).__name__}")
    return tuple(_number(where, f"heights[{j}][{i}]", v) for i, v in enumerate(row))


def _heightmap(data: Any) -> HeightMap:
    """The height map table, with errors prefixed by its name."""
    where = "terrain heightmap"
    _check_keys("heightmap", data, where)
    origin = _list(data, "origin", where)
    if len(origin) != 2:
        raise ValueError(f"{where}: origin must be [x, y], got {len(origin)} values")
    rows = _list(data, "heights", where)
    heights = tuple(_row(where, j, row) for j, row in enumerate(rows))
    try:
        return HeightMap(
            origin=(_number(where, "origin x", origin[0]), _number(where, "origin y", origin[1])),
            cell=_number(where, "cell", data["cell"]),
            heights=heights,
        )
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None
