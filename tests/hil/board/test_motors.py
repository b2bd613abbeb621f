"""The reference motor model every board carries: ramps, encoders, faults, steering, power."""

from hypothesis import given, settings
from hypothesis import strategies as st

from hil.board.model import COUNTS_PER_REV, MICRORAD_PER_REV, RUN_CURRENT, STALL_CURRENT
from hil.board.motors import SimulatedMotors
from hil.board.protocol import BoardFault

STEER0 = [0, 0, 0, 0]


def driving(rate: int, ms: int = 0, steer: list[int] = STEER0) -> SimulatedMotors:
    motors = SimulatedMotors()
    motors.set_targets([rate] * 6, steer, powered=True)
    motors.advance(ms)
    return motors


def expected_counts(rates_per_ms: list[int]) -> int:
    """Counts after these per-millisecond rates (mrad/s) of one sign, worked out at once."""
    total = sum(rates_per_ms) * COUNTS_PER_REV  # micro-radians x counts per revolution
    whole = abs(total) // MICRORAD_PER_REV
    return whole if total >= 0 else -whole


def ramp(target: int, ms: int) -> list[int]:
    """The rate in each of `ms` milliseconds from rest toward `target`, 4 mrad/s per ms."""
    step = 4 if target > 0 else -4
    return [step * k if abs(step * k) < abs(target) else target for k in range(1, ms + 1)]


def test_a_wheel_ramps_at_4_mrad_s_per_ms_to_its_target():
    motors = driving(600, 1)
    assert motors.rates == [4] * 6
    motors.advance(148)
    assert motors.rates == [596] * 6
    motors.advance(1)
    assert motors.rates == [600] * 6
    motors.advance(1000)
    assert motors.rates == [600] * 6
    assert motors.currents() == [RUN_CURRENT] * 6


def test_encoder_counts_after_one_second_forward_and_back():
    forward = driving(600, 1000)
    assert forward.encoders == [expected_counts(ramp(600, 1000))] * 6
    assert forward.encoders[0] == 361  # 0.5553 rad = 361.997 counts: a count not yet whole
    back = driving(-600, 1000)
    assert back.encoders == [-361] * 6


def test_a_long_drive_counts_a_wheel_revolution_as_counts_per_rev():
    motors = driving(2000, 500)  # at speed after 500 ms
    before = motors.encoders[0]
    motors.advance(3142)  # 2 pi rad at 2 rad/s, to the ms
    assert abs(motors.encoders[0] - before - COUNTS_PER_REV) <= 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-2000, 2000),  # drive target
            st.integers(-300, 300),  # steering target
            st.booleans(),  # powered
            st.sampled_from([None, *BoardFault]),  # a fault to inject, if any
            st.integers(0, 5),  # on this wheel
            st.integers(0, 700),  # then this many ms
        ),
        min_size=1,
        max_size=6,
    )
)
def test_advancing_n_ms_at_once_is_n_single_steps(script):
    at_once, stepwise = SimulatedMotors(), SimulatedMotors()
    for drive, steer, powered, fault, wheel, ms in script:
        for motors in (at_once, stepwise):
            motors.set_targets([drive, -drive, drive // 2, 0, drive, 7], [steer] * 4, powered)
            if fault is not None:
                motors.inject(fault, wheel)
        at_once.advance(ms)
        for _ in range(ms):
            stepwise.advance(1)
        assert at_once.reading() == stepwise.reading()
        assert at_once.rates == stepwise.rates


def test_a_stalled_wheel_stops_at_once_draws_stall_current_and_its_encoder_freezes():
    motors = driving(600, 500)
    frozen = motors.encoders[2]
    motors.inject(BoardFault.STALL, 2)
    motors.advance(300)
    reading = motors.reading()
    assert reading.stalled == 0b000100
    assert motors.rates[2] == 0 and reading.encoders[2] == frozen
    assert reading.currents == (RUN_CURRENT, RUN_CURRENT, STALL_CURRENT) + (RUN_CURRENT,) * 3
    assert reading.encoders[0] > frozen
    motors.set_targets([0] * 6, STEER0, True)  # not commanded: a locked motor draws nothing
    assert motors.currents()[2] == 0


def test_an_open_circuit_wheel_draws_nothing_but_still_turns_and_counts():
    motors = driving(600, 100)
    motors.inject(BoardFault.OPEN_CIRCUIT, 4)
    motors.advance(900)
    reading = motors.reading()
    assert reading.open_circuit == 0b010000
    assert reading.currents[4] == 0 and reading.currents[3] == RUN_CURRENT
    assert reading.encoders[4] == reading.encoders[3] == 361


def test_a_lost_encoder_freezes_and_counts_on_from_there_after_clear():
    motors = driving(600, 1000)
    motors.inject(BoardFault.ENCODER_LOSS, 5)
    motors.advance(1000)
    reading = motors.reading()
    assert reading.encoder_lost == 0b100000
    assert reading.encoders[5] == 361 and reading.encoders[0] > 700
    assert reading.currents[5] == RUN_CURRENT  # the wheel still turns
    motors.inject(BoardFault.CLEAR, 0)
    motors.advance(1000)
    cleared = motors.reading()
    assert cleared.encoder_lost == 0
    gained, gained_by_wheel_0 = cleared.encoders[5] - 361, cleared.encoders[0] - reading.encoders[0]
    assert gained >= 380  # counted on from 361, not from where wheel 0 is
    assert abs(gained - gained_by_wheel_0) <= 1  # the same turn; only the held fraction differs


def test_clear_removes_every_fault():
    motors = driving(600, 10)
    motors.inject(BoardFault.STALL, 0)
    motors.inject(BoardFault.OPEN_CIRCUIT, 1)
    motors.inject(BoardFault.ENCODER_LOSS, 2)
    motors.inject(BoardFault.STALL, 3)
    reading = motors.reading()
    assert (reading.stalled, reading.open_circuit, reading.encoder_lost) == (0b1001, 0b10, 0b100)
    motors.inject(BoardFault.CLEAR, 99)  # the wheel does not matter
    reading = motors.reading()
    assert (reading.stalled, reading.open_circuit, reading.encoder_lost) == (0, 0, 0)
    motors.advance(200)
    assert motors.rates == [600] * 6  # the stalled wheels ramp up again from rest


def test_corners_turn_1_mrad_per_ms_both_ways():
    motors = driving(0, 50, steer=[100, -100, 30, 0])
    assert motors.steer == [50, -50, 30, 0]
    motors.advance(100)
    assert motors.reading().steer == (100, -100, 30, 0)
    assert motors.currents() == [0] * 6  # standing wheels draw nothing


def test_unpowered_motors_coast_down_draw_nothing_and_corners_hold():
    motors = driving(600, 300, steer=[200, 0, 0, 0])
    motors.set_targets([600] * 6, [-200, 0, 0, 0], powered=False)
    motors.advance(1)
    assert motors.rates == [596] * 6
    assert motors.currents() == [0] * 6
    motors.advance(1000)
    assert motors.rates == [0] * 6
    assert motors.steer[0] == 200
    motors.inject(BoardFault.STALL, 1)
    motors.advance(10)
    assert motors.currents() == [0] * 6


def test_a_fault_on_no_such_wheel_is_refused():
    motors = SimulatedMotors()
    for fault in (BoardFault.STALL, BoardFault.OPEN_CIRCUIT, BoardFault.ENCODER_LOSS):
        try:
            motors.inject(fault, 6)
        except ValueError as err:
            assert "wheel 6" in str(err)
        else:
            raise AssertionError("wheel 6 taken")
