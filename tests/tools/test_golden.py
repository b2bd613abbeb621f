"""The golden logs (tests/data) replayed through the test API (tools/testing): each tells the story
an operator would read in it, and each is still what today's flight software records."""

import gzip

import pytest

from tests.data import regenerate
from tools.dictionary import Dictionary
from tools.tlmlog import HEADER_SIZE, scan

SCENARIOS = regenerate.ROOT / "scenarios"
STALL_AT = 560.0
"""wheel-stall-50m injects the LM stall at t+560 s."""
STALL_TRIPS_WITHIN = 2.0
"""WHEEL_STALL trips after its persistence (5 cycles, 0.5 s at 10 Hz); allow 2 s."""


@pytest.fixture(params=["sim", "log"])
def wheel_stall(request, rover_sim, rover_log):
    """The 50 m traverse with a wheel stall: run in-process sending the scenario's own commands
    (the DRIVE and the NOOP keep-alives), or replayed from its golden log."""
    if request.param == "sim":
        return rover_sim(SCENARIOS / "wheel-stall-50m.toml", play_commands=True)
    return rover_log(regenerate.golden("wheel-stall-50m"))


def test_wheel_stall_story(wheel_stall):
    rover = wheel_stall
    drive = rover.await_command("DRIVE distance=50 radius=0 speed=0.0447", timeout=5)
    rover.assert_command(drive, "STARTED", timeout=1)

    rover.await_event(
        "MONITOR_TRIPPED",
        args={"monitor": "WHEEL_STALL", "wheel": "LM", "response": "ISOLATE_WHEEL"},
        timeout=STALL_AT + STALL_TRIPS_WITHIN,
    )
    isolated = rover.await_event("WHEEL_ISOLATED", args={"wheel": "LM", "healthy": 5}, timeout=1)
    assert STALL_AT <= rover.t_plus(isolated) <= STALL_AT + STALL_TRIPS_WITHIN
    rover.await_telemetry("HK.degraded == YES and HK.healthy_wheels == 5", timeout=2)

    rover.assert_command(drive, "COMPLETED", timeout=1000)  # on five wheels, derated
    rover.await_event("MOTION_DONE", timeout=1)
    rover.run_until(1900)  # the scenario's end
    rover.assert_telemetry(
        "MOBILITY.travelled >= 49.99 and MOBILITY.travelled <= 50.01 "
        "and HK.mode == STANDBY and HK.degraded == YES and HK.healthy_wheels == 5"
    )
    rover.assert_no_event("MODE_CHANGED", args={"to_mode": "SAFE"})


def test_rock_stops_the_drive_before_contact(rover_log):
    rover = rover_log(regenerate.golden("rock-0.25m-stops"))
    drive = rover.await_command("DRIVE distance=10", timeout=5)
    rover.await_event(
        "MONITOR_TRIPPED", args={"monitor": "OBSTACLE", "response": "STOP"}, timeout=120
    )
    rover.await_event("MOTION_STOPPED", args={"reason": "FAULT_STOP"}, timeout=1)
    rover.assert_command(drive, "FAILED", reason="FAULT_STOP", timeout=1)
    rover.await_telemetry("HK.mode == STANDBY and MOBILITY.motion == IDLE", timeout=2)
    # the rock's near edge is at x = 4.75 m: stopped short of it
    rover.assert_telemetry("MOBILITY.x >= 3.0 and MOBILITY.x <= 4.3 and HK.healthy_wheels == 6")
    assert rover.telemetry("MOBILITY.hazard_height") == pytest.approx(0.25)


def test_second_wheel_lost_safes_the_rover(rover_log):
    rover = rover_log(regenerate.golden("second-failure-safes"))
    drive = rover.await_command("DRIVE", timeout=5)
    rover.await_event("WHEEL_ISOLATED", args={"wheel": "LM", "healthy": 5}, timeout=310)
    rover.assert_no_event("MODE_CHANGED", args={"to_mode": "SAFE"}, during=300)  # on five
    rover.await_event("WHEEL_ISOLATED", args={"wheel": "RR", "healthy": 4}, timeout=110)
    rover.await_event("MODE_CHANGED", args={"to_mode": "SAFE", "wheels": 4}, timeout=1)
    rover.assert_command(drive, "FAILED", reason="FAULT_STOP", timeout=1)
    rover.await_telemetry("HK.mode == SAFE and HK.healthy_wheels == 4", timeout=2)


# ---- staleness ----------------------------------------------------------------------------------


def first_difference(golden: bytes, fresh: bytes) -> str:
    """Where two logs first part, as an operator would place it: the time and the packets."""
    if golden[:HEADER_SIZE] != fresh[:HEADER_SIZE]:
        return "in the log header: the dictionary, the format or the start time"
    dictionary = Dictionary.from_flight()
    start: int | None = None
    for old, new in zip(scan(golden, HEADER_SIZE), scan(fresh, HEADER_SIZE), strict=False):
        start = old.received_ns if start is None else start
        if old != new:
            when = (min(old.received_ns, new.received_ns) - start) / 1e9
            names = []
            for record in (old, new):
                try:
                    names.append(dictionary.decode(record.packet).name)
                except ValueError:
                    names.append("an undecodable packet")
            if names[0] == names[1]:
                return f"first at t+{when:.1f} s, in {names[0]}"
            return f"first at t+{when:.1f} s: golden {names[0]}, now {names[1]}"
    return f"one ends first: golden {len(golden):,} bytes, now {len(fresh):,}"


@pytest.mark.parametrize("name", regenerate.GOLDENS)
def test_golden_log_is_current(name, tmp_path):
    golden = gzip.decompress(regenerate.golden(name).read_bytes())
    fresh = regenerate.record(name, tmp_path)
    if fresh != golden:
        pytest.fail(
            f"tests/data/{name}.tlm.gz is stale: the flight software records a different log "
            f"({first_difference(golden, fresh)}). If the change is meant, run "
            f"`{regenerate.COMMAND}` and review the stories in this file.",
            pytrace=False,
        )


def test_goldens_are_gzip_with_no_name_and_no_time():
    for name in regenerate.GOLDENS:
        head = regenerate.golden(name).read_bytes()[:10]
        assert head[:3] == b"\x1f\x8b\x08" and head[3] == 0 and head[4:8] == bytes(4), name


def test_compression_is_deterministic():
    raw = bytes(range(256)) * 100
    assert regenerate.compress(raw) == regenerate.compress(raw)
    assert gzip.decompress(regenerate.compress(raw)) == raw
