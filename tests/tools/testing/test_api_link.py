"""The same test API over a live link: `rover fsw` in a subprocess (20x real time) on TCP, with
timeouts in wall seconds."""

import re

import pytest

from tests.tools.fswproc import FswProcess
from tools.dictionary import Dictionary
from tools.ground.session import LinkSession
from tools.ground.signer import default_key
from tools.testing import RoverTestAPI


@pytest.fixture
def rover():
    with FswProcess.start(speed=20) as fsw:
        session = LinkSession(Dictionary.from_flight(), fsw.url, key=default_key())
        api = RoverTestAPI(session.start())
        try:
            yield api
        finally:
            api.close()


def test_commands_events_and_telemetry_over_a_live_link(rover):
    rover.await_telemetry("HK.mode == STANDBY", timeout=5)
    assert rover.elapsed >= 0
    rover.send_and_assert_command("PING 7", timeout=5)
    reply = rover.await_event("PING_REPLY", args={"token": 7}, timeout=5)
    assert rover.t_plus(reply) >= 0
    with pytest.raises(
        AssertionError,
        match=re.escape(
            "DRIVE distance=2 radius=0.5 speed=0.04: REJECTED: OUT_OF_RANGE "
            "(argument radius), expected COMPLETED"
        ),
    ):
        rover.send_and_assert_command("DRIVE distance=2 speed=0.04 radius=0.5", timeout=5)
    with pytest.raises(AssertionError, match=r"^no WHEEL_ISOLATED within 0\.3 wall s \(t\+"):
        rover.await_event("WHEEL_ISOLATED", timeout=0.3)
