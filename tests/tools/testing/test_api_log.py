"""The test API over a recorded log: a test written for the in-process rover replays a log, and a
test that asks the log for what it does not hold fails saying what it does hold."""

import re

import pytest

from tests.data import regenerate
from tools.ground.playback import PlaybackSession
from tools.ground.session import GroundError
from tools.testing import RoverTestAPI

ROCK = regenerate.golden("rock-0.25m-stops")  # DRIVE distance=10 at t+1 s, stopped at t+79.6 s


def fails(message: str):
    return pytest.raises(AssertionError, match=f"^{re.escape(message)}$")


def drive_story(rover):
    """A PING and a 1 m drive, told the same way live and from the log."""
    rover.send_and_assert_command("PING 7", timeout=1)
    rover.await_event("PING_REPLY", args={"token": 7}, timeout=1)
    rover.send_and_assert_command("DRIVE distance=1 radius=0 speed=0.0447", timeout=40)
    done = rover.await_event("MOTION_DONE", timeout=1)
    assert done.shown()["travelled"] == pytest.approx(1, abs=0.01)
    rover.await_telemetry("HK.mode == STANDBY and MOBILITY.travelled >= 0.99", timeout=2)
    return rover.t_plus(done)


def test_a_story_recorded_in_process_replays_the_same(rover_sim, rover_log, tmp_path):
    log = tmp_path / "drive.tlm"
    live = rover_sim(record=log)
    done_live = drive_story(live)
    live.close()  # flushes the recording
    assert drive_story(rover_log(log)) == pytest.approx(done_live, abs=1e-3)


def test_a_command_the_log_never_sent_fails_naming_what_it_did_send(rover_log):
    rover = rover_log(ROCK)
    with fails(
        "DRIVE distance=3 radius=0 speed=0.04: not sent in rock-0.25m-stops.tlm.gz after "
        "t+0.0 s; it records DRIVE distance=10 radius=0 speed=0.0447 at t+1.0 s"
    ):
        rover.send_command("DRIVE distance=3 speed=0.04 radius=0")


def test_the_log_s_own_command_is_followed_to_its_failure(rover_log):
    rover = rover_log(ROCK)
    with fails("DRIVE distance=10 radius=0 speed=0.0447: FAILED: FAULT_STOP, expected COMPLETED"):
        rover.send_and_assert_command("DRIVE distance=10 radius=0 speed=0.0447", timeout=100)
    assert rover.elapsed == pytest.approx(79.6, abs=0.1)  # read only as far as the verdict


def test_a_recorded_command_must_come_within_the_timeout(rover_log):
    rover = rover_log(ROCK)
    with fails(
        "DRIVE distance=10 radius=0 speed=0.0447 was sent at t+1.0 s, not within 0.5 s of t+0.0 s"
    ):
        rover.await_command("DRIVE", timeout=0.5)
    with fails(
        "no DRIVE distance=11 in rock-0.25m-stops.tlm.gz after t+0.0 s; "
        "it records DRIVE distance=10 radius=0 speed=0.0447 at t+1.0 s"
    ):
        rover.await_command("DRIVE", args={"distance": 11}, timeout=5)
    assert rover.await_command("DRIVE distance=10", timeout=1).seq == 0


def test_waiting_past_the_end_of_the_log_says_where_it_ends(rover_log):
    rover = rover_log(ROCK)
    rover.await_event("MOTION_STOPPED", timeout=100)
    with pytest.raises(AssertionError) as failure:
        rover.await_event("WHEEL_ISOLATED", timeout=1000)
    first, *events = str(failure.value).splitlines()
    assert first == (
        "no WHEEL_ISOLATED within 1000 s (t+79.6 s to t+300.0 s; the log ends at t+300.0 s); "
        "events after the last one awaited:"
    )
    assert [e.split()[3] for e in events] == ["CMD_FAILED:", "MODE_CHANGED:"]
    rover.run_for(10)  # nothing more to read: returns at once
    assert rover.elapsed == pytest.approx(300)


def test_a_log_that_shows_every_command_as_sent_is_followed_too():
    with RoverTestAPI(PlaybackSession(ROCK, show_uplinks=True)) as rover:
        drive = rover.await_command("DRIVE", timeout=5)
        rover.assert_command(drive, "FAILED", reason="FAULT_STOP", timeout=100)
        with pytest.raises(GroundError, match="commands cannot be sent"):
            rover.send_command("NOOP")
