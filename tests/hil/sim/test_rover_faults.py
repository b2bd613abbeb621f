"""Injected faults as the flight software would notice them, and determinism from the seed."""

import math

import pytest

from fsw.port import Actuation
from fsw.tables.enums import FaultKind, Wheel
from tests.hil.sim.support import rover, run, straight

FLAT_ONE = 0.3 + 140 * 1.62 * 0.15 / 6 * 0.075 / 1.14  # A per motor, six sharing the load on flat
DRAG = 0.4 * 140 * 1.62 / 6  # N to drag one locked wheel


def drive_with(kind: FaultKind, wheel: Wheel, seconds: float = 10.0):
    """Drive 2 s healthy, inject the fault, drive on; the samples at injection and at the end."""
    sim, clock = rover(seed=1)
    run(sim, clock, 2.0, straight())
    sim.inject(kind, wheel, 0.0)
    at = sim.sense()
    return sim, clock, at, run(sim, clock, seconds)


def test_a_stalled_wheel_draws_stall_current_and_does_not_turn():
    sim, clock, at, end = drive_with(FaultKind.WHEEL_STALL, Wheel.LF)
    assert end.currents[Wheel.LF] == 2.8
    assert end.encoders[Wheel.LF] == at.encoders[Wheel.LF]
    dragged = 0.3 + (140 * 1.62 * 0.15 + DRAG) / 5 * 0.075 / 1.14
    assert end.currents[Wheel.RF] == pytest.approx(dragged)
    assert end.motor_temps[Wheel.LF] > end.motor_temps[Wheel.RF] + 0.2  # stalled runs hotter
    assert sim.travelled > 0.4  # the others drag it along
    assert run(sim, clock, 1.0, Actuation()).currents == [0.0] * 6  # not commanded: no current


def test_an_open_circuit_draws_nothing_and_its_wheel_rolls_along():
    _, _, at, end = drive_with(FaultKind.WHEEL_OPEN_CIRCUIT, Wheel.LM)
    assert end.currents[Wheel.LM] == 0.0
    assert end.currents[Wheel.LR] == pytest.approx(0.3 + 140 * 1.62 * 0.15 / 5 * 0.075 / 1.14)
    rolled = end.encoders[Wheel.LM] - at.encoders[Wheel.LM]
    driven = end.encoders[Wheel.LR] - at.encoders[Wheel.LR]
    assert rolled == pytest.approx(driven * 0.97, rel=0.01)  # it turns with the ground, no slip


def test_an_encoder_loss_freezes_the_count_but_not_the_wheel():
    sim, clock, at, end = drive_with(FaultKind.ENCODER_LOSS, Wheel.RR)
    assert end.encoders[Wheel.RR] == at.encoders[Wheel.RR]
    assert end.encoders[Wheel.RM] - at.encoders[Wheel.RM] == pytest.approx(3885, abs=2)
    assert end.currents == pytest.approx([FLAT_ONE] * 6)
    sim.inject(FaultKind.CLEAR, Wheel.NONE, 0.0)
    cleared = sim.sense()
    assert cleared.encoders[Wheel.RR] == at.encoders[Wheel.RR]  # counts on, no jump
    later = run(sim, clock, 1.0)
    step = later.encoders[Wheel.RM] - cleared.encoders[Wheel.RM]
    assert later.encoders[Wheel.RR] - cleared.encoders[Wheel.RR] == step


def test_imu_bias_and_clear():
    sim, _ = rover()
    sim.inject(FaultKind.IMU_BIAS, Wheel.NONE, 2.5)
    s = sim.sense()
    assert (math.degrees(s.pitch), math.degrees(s.roll)) == pytest.approx((2.5, 2.5))
    assert sim.pose.pitch_deg == 0.0  # the truth is not biased
    sim.inject(FaultKind.CLEAR, Wheel.NONE, 0.0)
    assert sim.sense().pitch == 0.0


def test_a_lost_cell_stays_lost():
    sim, _ = rover(battery_soc=90.0)
    assert sim.sense().battery_voltage >= 28.8
    sim.inject(FaultKind.BATTERY_CELL_LOSS, Wheel.NONE, 0.0)
    s = sim.sense()
    assert s.battery_voltage < 28.8 and s.battery_soc == pytest.approx(90.0)
    sim.inject(FaultKind.CLEAR, Wheel.NONE, 0.0)
    assert sim.sense().battery_voltage < 28.8


@pytest.mark.parametrize("wheel", [-1, 6, 0xFF])
def test_a_wheel_fault_needs_a_wheel(wheel):
    sim, _ = rover()
    with pytest.raises(ValueError, match=f"WHEEL_STALL: wheel {wheel} is not 0-5"):
        sim.inject(FaultKind.WHEEL_STALL, wheel, 0.0)


def samples(seed: int) -> list:
    sim, clock = rover(seed=seed, imu_noise_deg=0.2, slip_noise=0.05)
    out = []
    for command in (straight(), Actuation(drive=[-0.3] * 3 + [0.3] * 3), straight(-0.5)):
        sim.actuate(command)
        for _ in range(50):
            clock.t += 0.1
            out.append(sim.sense())
    return out


def test_the_seed_decides_everything():
    assert samples(7) == samples(7)
    other = samples(8)
    assert other != samples(7)
    assert other[-1].visual_odometry != samples(7)[-1].visual_odometry
