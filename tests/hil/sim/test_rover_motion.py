"""Driving the simulated rover: distance, encoders, turning, steering, slopes, hazards."""

import math
import time

import pytest

from fsw.mobility.geometry import CORNERS, METRES_PER_COUNT, WHEEL_RADIUS, WHEELS
from fsw.port import Actuation, HardwarePort
from hil.sim import SimRover, Terrain, motion
from tests.hil.sim.support import TOP_RATE, rover, run, straight

CLIMB = Terrain.from_dict({"ramps": [{"start": 0, "length": 100, "slope_deg": 20}]})
WEIGHT = 140 * 1.62


def load_current(pitch_deg: float, driving: int) -> float:
    p = math.radians(pitch_deg)
    force = abs(WEIGHT * (0.15 * math.cos(p) + math.sin(p)))
    return 0.3 + force / driving * WHEEL_RADIUS / 1.14


def test_it_is_a_hardware_port():
    sim, _ = rover()
    port: HardwarePort = sim
    assert port.name == "sim" and port.faults is sim


def test_a_flat_drive_at_top_speed_for_100_s():
    sim, clock = rover(seed=3)
    start = sim.sense()
    s = run(sim, clock, 100.0, straight())
    commanded = 0.0447 * 100.0
    assert sim.pose.x == pytest.approx(commanded * 0.97, abs=0.01)
    assert abs(sim.pose.y) < 1e-9 and abs(sim.pose.heading_deg) < 1e-9
    assert s.visual_odometry == pytest.approx(sim.pose.x, abs=1e-9) == sim.travelled
    for before, after in zip(start.encoders, s.encoders, strict=True):
        assert (after - before) * METRES_PER_COUNT == pytest.approx(commanded, abs=1e-3)
    slip = 1 - s.visual_odometry / ((s.encoders[0] - start.encoders[0]) * METRES_PER_COUNT)
    assert slip == pytest.approx(0.03, abs=0.002)
    assert s.currents == pytest.approx([load_current(0, 6)] * 6)
    assert s.currents[0] == pytest.approx(0.673, abs=0.001)
    assert s.time == pytest.approx(100.0) and s.pitch == 0.0 == s.roll


def test_a_partial_step_moves_a_partial_distance():
    sim, clock = rover(slip_noise=0.0)
    sim.actuate(straight())
    clock.t = 0.25
    sim.sense()
    assert sim.pose.x == pytest.approx(0.0447 * 0.25 * 0.97)


def test_equal_and_opposite_sides_turn_in_place():
    sim, clock = rover(slip_noise=0.0)
    left, right = -TOP_RATE, TOP_RATE
    s = run(sim, clock, 10.0, Actuation(drive=[left] * 3 + [right] * 3))
    ys = [w.y for w in WHEELS]
    w = 0.0447 * sum(abs(y) for y in ys) / sum(y * y for y in ys) * 0.97
    assert math.hypot(sim.pose.x, sim.pose.y) < 1e-9
    assert s.heading == pytest.approx(w * 10.0)
    assert s.visual_odometry == pytest.approx(0.0, abs=1e-9)


def test_a_point_turn_on_steered_corners_is_exact():
    rate = 0.1  # rad/s of the body
    angles = [math.atan(-c.x / c.y) for c in CORNERS]
    drive = []
    for w in WHEELS:
        a = angles[CORNERS.index(w)] if w.steered else 0.0
        drive.append((w.x * math.sin(a) - w.y * math.cos(a)) * rate / WHEEL_RADIUS)
    sim, clock = rover(slip_noise=0.0, heading_deg=170.0)
    run(sim, clock, 2.0, Actuation(steer=angles))  # steer first, then roll
    s = run(sim, clock, 15.0, Actuation(drive=drive, steer=angles))
    assert s.steer == pytest.approx(angles)
    assert math.hypot(sim.pose.x, sim.pose.y) < 1e-9
    wrapped = math.remainder(math.radians(170.0) + rate * 0.97 * 15.0, 2 * math.pi)
    assert s.heading == pytest.approx(wrapped) and -math.pi < s.heading <= math.pi


def test_corners_steer_at_one_radian_per_second():
    sim, clock = rover()
    sim.actuate(Actuation(steer=[0.5, -0.5, 0.2, 0.0]))
    clock.t = 0.3
    assert sim.sense().steer == pytest.approx([0.3, -0.3, 0.2, 0.0])
    clock.t = 2.0
    assert sim.sense().steer == [0.5, -0.5, 0.2, 0.0]


def test_a_20_degree_ramp():
    sim, clock = rover(CLIMB, x=5.0, slip_noise=0.0)
    s = sim.sense()
    assert math.degrees(s.pitch) == pytest.approx(20.0, abs=1e-9)
    assert s.roll == pytest.approx(0.0, abs=1e-12)
    s = run(sim, clock, 10.0, straight())
    assert math.degrees(s.pitch) == pytest.approx(20.0, abs=1e-9)
    assert s.currents == pytest.approx([load_current(20, 6)] * 6)
    assert s.currents[0] == pytest.approx(1.50, abs=0.01)
    slip = 0.03 + 1.5 * math.sin(math.radians(20)) ** 2
    assert s.visual_odometry == pytest.approx(0.447 * (1 - slip))
    assert sim.pose.x - 5.0 == pytest.approx(s.visual_odometry * math.cos(math.radians(20)))
    assert sim.pose.z == pytest.approx(sim.pose.x * math.tan(math.radians(20)), abs=0.01)


@pytest.mark.parametrize(("heading", "pitch", "roll"), [(0, 20, 0), (90, 0, -20), (180, -20, 0)])
def test_attitude_follows_the_heading_on_a_slope(heading, pitch, roll):
    sim, _ = rover(CLIMB, x=5.0, heading_deg=heading)
    s = sim.sense()
    assert (math.degrees(s.pitch), math.degrees(s.roll)) == pytest.approx((pitch, roll))


def test_downhill_current_counts_the_magnitude_and_stays_below_the_limit():
    down = Terrain.from_dict({"ramps": [{"start": 0, "length": 100, "slope_deg": -30}]})
    sim, clock = rover(down, x=5.0)
    s = run(sim, clock, 1.0, straight())
    assert s.currents[0] == pytest.approx(load_current(-30, 6))
    steep = Terrain.from_dict({"ramps": [{"start": 0, "length": 100, "slope_deg": 60}]})
    sim, clock = rover(steep, x=5.0)
    assert max(run(sim, clock, 1.0, straight()).currents) == 2.6


def test_the_body_rests_on_a_rock_under_one_side():
    bump = Terrain.from_dict({"rocks": [{"x": 0.274, "y": 0.177, "height": 0.1, "radius": 0.3}]})
    s = SimRover(lambda: 0.0, bump).sense()
    assert s.pitch > 0 and s.roll > 0


@pytest.mark.parametrize(
    ("rate", "rock_x", "height", "distance"),
    [
        (0.0, 1.3, 0.15, 1.3 - 0.1 - 0.349),  # at rest it looks ahead
        (TOP_RATE, 1.3, 0.15, 1.3 - 0.1 - 0.349),
        (TOP_RATE, 1.5, 0.0, 1.0),  # beyond reach
        (TOP_RATE, -1.0, 0.0, 1.0),  # behind, driving forward
        (-TOP_RATE, -1.0, 0.15, 1.0 - 0.1 - 0.385),  # behind, backing up
    ],
)
def test_hazard_sensor_looks_the_way_the_rover_drives(rate, rock_x, height, distance):
    field = Terrain.from_dict({"rocks": [{"x": rock_x, "y": 0.1, "height": 0.15, "radius": 0.1}]})
    sim, _ = rover(field)
    sim.actuate(straight(rate))
    s = sim.sense()
    assert (s.hazard_height, s.hazard_distance) == pytest.approx((height, distance))


def test_the_hazard_closes_in_as_the_rover_drives_toward_a_rock():
    field = Terrain.from_dict({"rocks": [{"x": 8.0, "y": 0.0, "height": 0.2, "radius": 0.15}]})
    sim, clock = rover(field)
    seen = []
    sim.actuate(straight())
    for _ in range(2000):
        clock.t += 0.1
        s = sim.sense()
        seen.append((s.hazard_height, s.hazard_distance, sim.pose.x))
    ahead = [(d, x) for h, d, x in seen if h]
    assert {h for h, _, _ in seen} == {0.0, 0.2}
    assert ahead[0][0] == pytest.approx(1.0, abs=0.01)
    assert ahead[0][1] == pytest.approx(8.0 - 0.15 - 1.0 - 0.349, abs=0.01)
    assert [d for d, _ in ahead] == sorted((d for d, _ in ahead), reverse=True)
    assert ahead[-1][0] == 0.0  # over it until its centre passes the front edge
    assert ahead[-1][1] == pytest.approx(8.0 - 0.349, abs=0.01)
    assert seen[-1][0] == 0.0


def test_unpowered_motors_do_nothing():
    sim, clock = rover()
    s = run(sim, clock, 5.0, straight(powered=False))
    assert sim.travelled == 0.0 and s.currents == [0.0] * 6 and s.load_power == 0.5


def test_bad_actuation_is_refused():
    sim, _ = rover()
    with pytest.raises(ValueError, match="6 wheel rates and 4 corner angles"):
        sim.actuate(Actuation(drive=[0.0] * 5))


def test_the_rocks_kept_near_the_rover_give_what_the_whole_field_gives():
    rows = [
        {
            "x": 0.37 * i,
            "y": 0.29 * ((i * 7) % 9 - 4),
            "height": 0.05 + 0.01 * (i % 7),
            "radius": 0.2,
        }
        for i in range(60)
    ]
    field = Terrain.from_dict({"rocks": rows, "ramps": [{"start": 3, "length": 4, "slope_deg": 8}]})
    sim, clock = rover(field, slip_noise=0.0)
    sim.actuate(Actuation(drive=[0.4] * 3 + [0.8] * 3))  # a wide left curve through the field
    for _ in range(1500):
        clock.t += 0.1
        s = sim.sense()
        x, y, _, heading_deg, _, _ = sim.pose
        h = math.radians(heading_deg)
        z = field.footprint(x, y, math.cos(h), math.sin(h), [(w.x, w.y) for w in WHEELS])
        assert (s.pitch, s.roll) == pytest.approx(motion.attitude(z), abs=1e-12)
        edge = (x + math.cos(h) * 0.349, y + math.sin(h) * 0.349)
        expected = field.step_ahead(*edge, h, 1, 1.0, 0.35)
        assert (s.hazard_height, s.hazard_distance) == pytest.approx(expected, abs=1e-9)
    assert sim.travelled > 4.0


def test_driving_is_cheap_enough_for_thousands_of_simulated_seconds_per_second():
    sim, clock = rover(Terrain.from_dict({"ramps": [{"start": 2, "length": 50, "slope_deg": 15}]}))
    command = straight()
    wall = time.perf_counter()
    for _ in range(25_000):  # 2,500 s at 10 Hz, commanding every cycle as flight software does
        clock.t += 0.1
        sim.sense()
        sim.actuate(command)
    assert time.perf_counter() - wall < 1.0  # about 0.13 s on the 2-core dev machine
    assert sim.travelled > 90.0
