"""Every monitor of the table at its exact threshold: exactly at it stays within, just beyond it
counts, trips at its persistence (not one cycle before), responds once, and clears when back."""

import pytest

from fsw.fdir.monitor import MonitorBank
from fsw.fdir.quantities import Readings
from fsw.fdir.schema import Watch
from fsw.params import ParamStore
from fsw.tables.monitors import MONITORS
from fsw.tables.params import PARAMS

ALL = Watch.AWAKE.bit | Watch.MOVING.bit | Watch.DRIVING.bit
WHEEL = 2  # the wheel the per-wheel cases put the value on


def readings(quantity: str, value: float) -> Readings:
    """Readings where `quantity` is `value` (on WHEEL for per-wheel ones) and all else is calm."""
    r = Readings(applied=[10.0] * 6, measured=[10.0] * 6, currents=[0.7] * 6)
    r.slip, r.stall_fraction = 0.05, 0.1
    if quantity in ("tilt", "hazard_height", "slip", "battery_soc", "battery_voltage",
                    "electronics_temp", "exterior_temp", "command_silence",
                    "hardware_silence", "control_lateness"):  # fmt: skip
        setattr(r, quantity, value)
    elif quantity in ("current", "commanded_current"):
        r.currents[WHEEL] = value
    elif quantity == "motor_temp":
        r.motor_temps[WHEEL] = value
    elif quantity == "stall_current":
        r.measured[WHEEL] = 0.0
        r.currents[WHEEL] = value
    elif quantity == "encoder_shortfall":
        r.measured[WHEEL] = 10.0 * (1.0 - value)
    return r


def judged(bank, r, index, watching=ALL, degraded=False):
    """The changes of monitor `index` only (a stalled wheel also starves its encoder, say)."""
    return [c for c in bank.evaluate(r, watching, [False] * 6, degraded) if c.index == index]


def beyond(m, threshold: float) -> float:
    step = max(abs(threshold) * 1e-6, 1e-9)
    return threshold + step if m.above else threshold - step


@pytest.mark.parametrize("m", MONITORS, ids=lambda m: m.name)
def test_trips_at_persistence_just_beyond_and_not_at_the_threshold(m):
    bank = MonitorBank(MONITORS, ParamStore(PARAMS))
    index = MONITORS.index(m)
    wheel = WHEEL if m.per_wheel else None
    at = readings(m.quantity, m.threshold)
    for _ in range(m.persistence + 5):
        assert judged(bank, at, index) == []
    out = readings(m.quantity, beyond(m, m.threshold))
    for _ in range(m.persistence - 1):
        assert judged(bank, out, index) == []
    changes = judged(bank, out, index)
    assert [(c.index, c.wheel, c.tripped) for c in changes] == [(index, wheel, True)]
    assert changes[0].threshold == m.threshold
    assert judged(bank, out, index) == []  # responds once
    assert bank.state(index).name == "TRIPPED"
    cleared = judged(bank, at, index)
    assert [(c.index, c.tripped) for c in cleared] == [(index, False)]
    assert bank.state(index).name == "OK"


@pytest.mark.parametrize("m", MONITORS, ids=lambda m: m.name)
def test_disabled_or_idle_monitors_do_not_count(m):
    bank = MonitorBank(MONITORS, ParamStore(PARAMS))
    index = MONITORS.index(m)
    out = readings(m.quantity, beyond(m, m.threshold))
    bank.enable(index, False)
    for _ in range(m.persistence + 2):
        judged(bank, out, index)
    assert bank.state(index).name == "DISABLED"
    bank.enable(index, True)
    for _ in range(m.persistence - 1):
        assert judged(bank, out, index) == []
    judged(bank, out, index, watching=0)  # idle: the count is forgotten
    assert bank.state(index).name == "IDLE"
    assert judged(bank, out, index) == [] or m.persistence == 1


def test_a_retuned_threshold_and_the_five_wheel_threshold_apply():
    params = ParamStore(PARAMS)
    bank = MonitorBank(MONITORS, params)
    tilt = next(m for m in MONITORS if m.name == "TILT")
    r = readings("tilt", 17.0)
    for _ in range(5):
        assert bank.evaluate(r, ALL, [False] * 6, False) == []
    assert [c.threshold for c in bank.evaluate(r, ALL, [False] * 6, True)] == []
    assert [c.threshold for c in bank.evaluate(r, ALL, [False] * 6, True)] == [tilt.degraded]
    params.set("TILT_LIMIT", 16.0)
    bank.enable(0, True)
    bank.evaluate(r, ALL, [False] * 6, False)
    assert [c.threshold for c in bank.evaluate(r, ALL, [False] * 6, False)] == [16.0]


def test_isolated_wheels_are_not_judged():
    bank = MonitorBank(MONITORS, ParamStore(PARAMS))
    r = readings("current", 9.0)
    isolated = [i == WHEEL for i in range(6)]
    for _ in range(50):
        assert bank.evaluate(r, ALL, isolated, True) == []
