"""The terrain: heights on ramps, rocks and height maps, the step ahead, and bad scenario data."""

import math

import pytest

from hil.sim.terrain import Terrain

T10 = math.tan(math.radians(10))

RAMPS = Terrain.from_dict(
    {
        "ramps": [
            {"start": 0, "length": 10, "slope_deg": 10},
            {"start": 20, "length": 5, "slope_deg": -10},
        ]
    }
)
ROCK = Terrain.from_dict({"rocks": [{"x": 2, "y": 1, "height": 0.2, "radius": 0.4}]})
MAP = Terrain.from_dict({"heightmap": {"origin": [10, 20], "cell": 2, "heights": [[0, 1], [2, 3]]}})


@pytest.mark.parametrize(
    ("terrain", "x", "y", "ground", "height"),
    [
        (RAMPS, -1.0, 0.0, 0.0, 0.0),  # before the first ramp
        (RAMPS, 5.0, 3.0, 5 * T10, 5 * T10),  # halfway up; y does not matter
        (RAMPS, 15.0, 0.0, 10 * T10, 10 * T10),  # stays at the top
        (RAMPS, 22.5, 0.0, 7.5 * T10, 7.5 * T10),  # halfway down the second
        (RAMPS, 30.0, 0.0, 5 * T10, 5 * T10),  # ramps add up
        (ROCK, 2.0, 1.0, 0.0, 0.2),  # rock centre
        (ROCK, 2.2, 1.0, 0.0, 0.1),  # half its radius: half its height
        (ROCK, 2.0, 1.4, 0.0, 0.0),  # at its radius: nothing
        (ROCK, 5.0, 5.0, 0.0, 0.0),
        (MAP, 10.0, 20.0, 0.0, 0.0),  # grid corners
        (MAP, 12.0, 20.0, 1.0, 1.0),
        (MAP, 10.0, 22.0, 2.0, 2.0),
        (MAP, 11.0, 21.0, 1.5, 1.5),  # bilinear middle
        (MAP, 11.0, 20.0, 0.5, 0.5),
        (MAP, 0.0, 0.0, 0.0, 0.0),  # clamped at the edges
        (MAP, 50.0, 50.0, 3.0, 3.0),
        (MAP, 11.0, 99.0, 2.5, 2.5),
    ],
)
def test_heights(terrain, x, y, ground, height):
    assert terrain.ground(x, y) == pytest.approx(ground, abs=1e-12)
    assert terrain.height(x, y) == pytest.approx(height, abs=1e-12)


def test_a_rock_sits_on_the_ramp():
    t = Terrain.from_dict(
        {
            "ramps": [{"start": 0, "length": 10, "slope_deg": 10}],
            "rocks": [{"x": 5, "y": 0, "height": 0.1, "radius": 0.3}],
        }
    )
    assert t.height(5, 0) == pytest.approx(5 * T10 + 0.1)


def rocks(*rows):
    return Terrain.from_dict(
        {"rocks": [{"x": x, "y": y, "height": h, "radius": r} for x, y, h, r in rows]}
    )


@pytest.mark.parametrize(
    ("rows", "heading", "direction", "expected"),
    [
        ([], 0.0, 1, (0.0, 1.0)),
        ([(1.25, 0.0, 0.1, 0.25)], 0.0, 1, (0.1, 1.0)),  # near edge exactly at reach
        ([(1.5, 0.0, 0.1, 0.25)], 0.0, 1, (0.0, 1.0)),  # beyond reach
        ([(0.75, 0.35, 0.1, 0.25)], 0.0, 1, (0.1, 0.5)),  # on the corridor's edge
        ([(0.75, -0.5, 0.1, 0.25)], 0.0, 1, (0.0, 1.0)),  # outside the corridor
        ([(-0.5, 0.0, 0.1, 0.25)], 0.0, 1, (0.0, 1.0)),  # behind
        ([(0.1, 0.0, 0.1, 0.25)], 0.0, 1, (0.1, 0.0)),  # already over it
        ([(-1.0, 0.0, 0.1, 0.25)], 0.0, -1, (0.1, 0.75)),  # behind, backing up
        ([(0.0, 1.0, 0.1, 0.25)], math.pi / 2, 1, (0.1, 0.75)),  # heading north
        ([(0.5, 0.0, 0.1, 0.1), (0.9, 0.0, 0.2, 0.25)], 0.0, 1, (0.2, 0.65)),  # the tallest
        ([(0.5, 0.0, 0.1, 0.1), (0.9, 0.0, 0.1, 0.1)], 0.0, 1, (0.1, 0.4)),  # tie: nearest
        ([(0.5, 0.0, 0.12345, 0.1)], 0.0, 1, (0.123, 0.4)),  # to the millimetre
    ],
)
def test_step_ahead(rows, heading, direction, expected):
    height, distance = rocks(*rows).step_ahead(0.0, 0.0, heading, direction, 1.0, 0.35)
    assert (height, distance) == pytest.approx(expected, abs=1e-12)


def test_near_keeps_the_surface_the_same_close_by():
    t = Terrain.from_dict(
        {
            "ramps": [
                {"start": 0, "length": 10, "slope_deg": 10},
                {"start": 12, "length": 2, "slope_deg": 5},
                {"start": 30, "length": 5, "slope_deg": 20},
            ],
            "rocks": [
                {"x": 13, "y": 0.2, "height": 0.1, "radius": 0.3},
                {"x": 40, "y": 0, "height": 1, "radius": 1},
            ],
        }
    )
    local = t.near(13, 0, 1.5)
    assert len(local.ramps) == 1 and len(local.rocks) == 1
    for x in (11.6, 12.5, 13.0, 13.4, 14.4):
        for y in (-0.5, 0.0, 0.4):
            assert local.height(x, y) == pytest.approx(t.height(x, y), abs=1e-12)
    assert Terrain().level == 0.0 and t.level is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "rocks": [{"x": 0, "y": 0, "height": 0.1, "radius": 0.1}] * 2
                + [{"x": 1, "y": 0, "height": -0.1, "radius": 0.2}]
            },
            "terrain rocks[2]: height -0.1 m is negative",
        ),
        (
            {"rocks": [{"x": 0, "y": 0, "height": 0.1, "radius": 0}]},
            "terrain rocks[0]: radius 0.0 m is not positive",
        ),
        (
            {"ramps": [{"start": 0, "length": -1, "slope_deg": 5}]},
            "terrain ramps[0]: length -1.0 m is not positive",
        ),
        (
            {"ramps": [{"start": 0, "length": 1, "slope_deg": 95}]},
            "terrain ramps[0]: slope_deg 95.0 is not between -90 and 90",
        ),
        (
            {"ramps": [{"start": "a", "length": 1, "slope_deg": 5}]},
            "terrain ramps[0]: start 'a' is not a number",
        ),
        (
            {"ramps": [{"start": float("nan"), "length": 1, "slope_deg": 5}]},
            "terrain ramps[0]: start nan is not finite",
        ),
        ({"rocks": [{"x": 0, "y": 0, "height": 0.1}]}, "terrain rocks[0]: missing key 'radius'"),
        (
            {"rocks": [{"x": 0, "y": 0, "height": 0.1, "radius": 0.1, "colour": "grey"}]},
            "terrain rocks[0]: unknown key 'colour'",
        ),
        ({"hills": []}, "terrain: unknown key 'hills'"),
        ({"rocks": {"x": 1}}, "terrain: rocks must be a list, got dict"),
        ({"ramps": [3]}, "terrain ramps[0]: expected a table, got int"),
        (
            {"heightmap": {"origin": [0, 0], "cell": 1, "heights": [[0, 1], [2]]}},
            "terrain heightmap: heights row 1 has 1 values, row 0 has 2",
        ),
        (
            {"heightmap": {"origin": [0], "cell": 1, "heights": [[0]]}},
            "terrain heightmap: origin must be [x, y], got 1 values",
        ),
        (
            {"heightmap": {"origin": [0, 0], "cell": -2, "heights": [[0]]}},
            "terrain heightmap: cell -2.0 m is not positive",
        ),
        (
            {"heightmap": {"origin": [0, 0], "cell": 1, "heights": []}},
            "terrain heightmap: heights is empty",
        ),
        (
            {"heightmap": {"origin": [0, 0], "cell": 1, "heights": [[0, True]]}},
            "terrain heightmap: heights[0][1] True is not a number",
        ),
    ],
)
def test_bad_terrain_is_named_in_one_line(data, message):
    with pytest.raises(ValueError) as err:
        Terrain.from_dict(data)
    assert str(err.value) == message
