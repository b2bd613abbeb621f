"""The test API over the in-process rover: what passes, and how each failure reads."""

import re

import pytest

from tools.ground.cmdline import CommandLineError


def fails(message: str):
    """pytest.raises(AssertionError) whose message is exactly `message`."""
    return pytest.raises(AssertionError, match=f"^{re.escape(message)}$")


@pytest.fixture
def rover(rover_sim):
    return rover_sim()


def test_a_command_line_and_a_name_with_args_send_the_same_command(rover):
    drive = rover.send_and_assert_command("DRIVE distance=1 speed=0.0447 radius=0", timeout=40)
    again = rover.send_and_assert_command(
        "DRIVE", {"distance": -1, "radius": 0, "speed": 0.0447}, timeout=40
    )
    assert drive.stages == again.stages == ["ACCEPTED", "STARTED", "COMPLETED"]
    assert again.text == "DRIVE distance=-1 radius=0 speed=0.0447"
    rover.assert_telemetry("MOBILITY.travelled >= 1.9 and HK.mode == STANDBY", timeout=2)


def test_a_rejected_command_fails_with_its_reason_and_argument(rover):
    with fails(
        "DRIVE distance=2 radius=0.5 speed=0.04: REJECTED: OUT_OF_RANGE (argument radius), "
        "expected COMPLETED"
    ):
        rover.send_and_assert_command("DRIVE distance=2 speed=0.04 radius=0.5")


def test_a_rejection_can_be_what_is_expected_reason_and_all(rover):
    sent = rover.send_and_assert_command(
        "DRIVE distance=0 radius=0 speed=0.04", stage="rejected", reason="invalid_value"
    )
    assert sent.argument == "distance"
    with fails(
        "DRIVE distance=0 radius=0 speed=0.04: REJECTED: INVALID_VALUE (argument distance), "
        "expected REJECTED: OUT_OF_RANGE"
    ):
        rover.send_and_assert_command(
            "DRIVE distance=0 radius=0 speed=0.04", stage="REJECTED", reason="OUT_OF_RANGE"
        )


def test_a_long_command_times_out_in_mission_seconds_then_is_asserted_later(rover):
    with fails(
        "DRIVE distance=2 radius=0 speed=0.04: still STARTED after 10 s (t+0.0 s to t+10.0 s), "
        "expected COMPLETED"
    ):
        rover.send_and_assert_command("DRIVE distance=2 speed=0.04 radius=0", timeout=10)
    drive = rover.session.sent[-1]
    rover.assert_command(drive, timeout=60)
    assert 50 < rover.elapsed < 60  # 2 m at 0.04 m/s: mission time, not wall time


def test_a_mistake_in_the_test_is_a_value_error_not_a_failed_expectation(rover):
    with pytest.raises(CommandLineError, match="did you mean DRIVE"):
        rover.send_command("DRIVEE distance=1")
    with pytest.raises(CommandLineError, match=r"above the maximum 0\.0447"):
        rover.send_command("DRIVE distance=1 radius=0 speed=0.05")
    with pytest.raises(CommandLineError, match="no verification stage 'DONE'"):
        rover.send_and_assert_command("NOOP", stage="DONE")
    with pytest.raises(CommandLineError, match="WHEEL_ISOLATED has no argument 'whele'"):
        rover.await_event("WHEEL_ISOLATED", args={"whele": "LM"}, timeout=1)
    with pytest.raises(ValueError, match="MOBILITY has no field 'travel'"):
        rover.assert_telemetry("MOBILITY.travel > 1")
    with pytest.raises(ValueError, match="HK has no field 'mood'"):
        rover.telemetry("HK.mood")
    assert rover.session.sent == []  # nothing went


def test_an_event_that_does_not_come_fails_listing_the_events_that_did(rover):
    rover.send_command("PING 7")
    with pytest.raises(AssertionError) as failure:
        rover.await_event("WHEEL_ISOLATED", args={"wheel": "lm"}, timeout=5)
    first, *events = str(failure.value).splitlines()
    assert first == (
        "no WHEEL_ISOLATED with wheel=LM within 5 s (t+0.0 s to t+5.0 s); "
        "events after the last one awaited:"
    )
    assert [e.split()[3] for e in events] == ["BOOTED:", "MODE_CHANGED:", "PING_REPLY:"]
    assert events[-1] == "  t+     0.0 s  PING_REPLY: PING reply, token 7"


def test_awaited_events_follow_the_story_in_order(rover):
    rover.send_and_assert_command("DRIVE distance=0.5 radius=0 speed=0.0447", timeout=30)
    started = rover.await_event("DRIVE_STARTED", timeout=0)
    rover.await_event("MODE_CHANGED", args={"to_mode": "STANDBY"}, timeout=0)  # after the drive
    with pytest.raises(AssertionError, match=r"^no DRIVE_STARTED within 0 s"):
        rover.await_event("DRIVE_STARTED", timeout=0)  # only before: awaits keep the order
    assert rover.await_event("DRIVE_STARTED", since=0, timeout=0) is started
    mark = rover.mark()
    rover.send_command("PING 1")
    reply = rover.await_event(
        "PING_REPLY", since=mark, where=lambda e: e.values["token"] == 1, timeout=1
    )
    assert rover.t_plus(reply) == pytest.approx(rover.elapsed, abs=0.2)
    assert [e.name for e in rover.events("MODE_CHANGED")] == ["MODE_CHANGED"] * 3


def test_an_event_that_should_not_have_come_is_named_with_its_time(rover):
    rover.assert_no_event("MODE_CHANGED", args={"to_mode": "SAFE"}, during=5)
    assert rover.elapsed == pytest.approx(5, abs=0.11)
    rover.send_command("SET_MODE SAFE")
    with fails(
        "MODE_CHANGED at t+5.0 s (Mode STANDBY -> SAFE on CMD_SET_MODE, 6 healthy wheels), "
        "expected no MODE_CHANGED with to_mode=SAFE up to t+6.0 s"
    ):
        rover.assert_no_event("MODE_CHANGED", args={"to_mode": "SAFE"}, during=1)


def test_telemetry_conditions_fail_showing_what_the_telemetry_showed(rover):
    values = rover.await_telemetry("HK.mode == STANDBY and HK.healthy_wheels == 6", timeout=2)
    assert values == {"HK.mode": "STANDBY", "HK.healthy_wheels": 6}
    assert rover.telemetry("HK", "mode") == rover.telemetry("HK.mode") == "STANDBY"
    with fails(
        "HK.mode == DRIVE and HK.degraded == NO does not hold at t+1.0 s: HK.mode is STANDBY"
    ):
        rover.assert_telemetry("HK.mode == DRIVE and HK.degraded == NO")
    with fails(
        "MOBILITY.travelled >= 1 does not hold within 3 s (t+1.0 s to t+4.0 s): "
        "MOBILITY.travelled is 0.0 m"
    ):
        rover.await_telemetry("MOBILITY.travelled >= 1", timeout=3)


def test_a_scenario_s_commands_are_followed_only_when_played(rover_sim, tmp_path):
    quiet = rover_sim()
    with fails(
        "no DRIVE was sent within 2 s (t+0.0 s to t+2.0 s) "
        "(a scenario's commands are sent only with play_commands=True)"
    ):
        quiet.await_command("DRIVE", timeout=2)
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'name = "s"\nduration = 60\n[[commands]]\nat = 2\nname = "PING"\nargs = { token = 3 }\n'
        '[[commands]]\nat = 4\nname = "PING"\nargs = { token = 4 }\n'
    )
    played = rover_sim(scenario, play_commands=True)
    mine = played.send_command("PING 9")
    assert played.await_command("PING token=4", timeout=5).args == {"token": 4}
    assert played.await_command("PING", timeout=1).args == {"token": 3}  # the one passed over
    assert played.assert_command(mine, timeout=0).stages[-1] == "COMPLETED"
    with pytest.raises(AssertionError, match=r"^no PING was sent within 1 s"):
        played.await_command("PING", timeout=1)  # its own PING 9 is not the scenario's
