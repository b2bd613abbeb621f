"""Hazardous commands need an ARM naming them, within ARM_WINDOW: at the window's edges, used up
once, and a rejected command leaves its arming in place."""

import pytest

from tests.fsw.support import Rover


def outcome(r: Rover, seq: int) -> tuple[str, str]:
    stage, reason, _ = r.stages(seq)[-1]
    return stage, reason


def test_a_hazardous_command_without_arm_is_refused_and_changes_nothing():
    r = Rover()
    seq = r.send("WHEEL_ISOLATE", wheel="LM")
    r.run(1)
    assert outcome(r, seq) == ("REJECTED", "NOT_ARMED")
    assert r.last("WHEELS")["isolated_lm"] == "NO"


def test_arm_names_the_command_it_lets_through_and_only_that_one():
    r = Rover()
    r.send("ARM", command="WHEEL_RESTORE")
    assert outcome(r, r.send("WHEEL_ISOLATE", wheel="LM")) == ("REJECTED", "NOT_ARMED")
    r.send("ARM", command="WHEEL_ISOLATE")
    assert r.events("ARMED")[-1].text() == "WHEEL_ISOLATE armed for 60.0 s"
    assert outcome(r, r.send("WHEEL_ISOLATE", wheel="LM")) == ("COMPLETED", "OK")
    # used up: the next one needs its own ARM
    assert outcome(r, r.send("WHEEL_ISOLATE", wheel="RR")) == ("REJECTED", "NOT_ARMED")


def test_only_hazardous_commands_can_be_armed():
    r = Rover()
    seq = r.send("ARM", check=False, command=0x1000)  # NOOP's APID and code
    assert r.stages(seq) == [("REJECTED", "INVALID_VALUE", 0)]


@pytest.mark.parametrize(("after", "result"), [(5.0, "COMPLETED"), (5.1, "ARM_EXPIRED")])
def test_arm_expires_one_tick_after_its_window(after, result):
    r = Rover()
    r.send("SET_PARAM", param="ARM_WINDOW", value=5.0)
    r.send("ARM", command="WHEEL_ISOLATE")
    r.run(after)  # commands arrive between control cycles: 5.1 s is one tick past 5 s
    seq = r.send("WHEEL_ISOLATE", wheel="LM")
    assert outcome(r, seq) == (
        ("COMPLETED", "OK") if result == "COMPLETED" else ("REJECTED", result)
    )


def test_a_rejected_hazardous_command_keeps_its_arming_and_telemetry_shows_it():
    r = Rover()
    r.send("ARM", command="WHEEL_RESTORE")
    r.run(1)
    sec = r.last("SECURITY")
    assert sec["armed"] != 0 and 58.0 < sec["arm_remaining"] <= 59.0
    # restoring a wheel that is not isolated is refused for that, before arming is judged
    assert outcome(r, r.send("WHEEL_RESTORE", wheel="LM")) == ("REJECTED", "INVALID_VALUE")
    r.send_armed("WHEEL_ISOLATE", wheel="LM")  # replaces the arming with its own
    r.send("ARM", command="WHEEL_RESTORE")
    assert outcome(r, r.send("WHEEL_RESTORE", wheel="LM")) == ("COMPLETED", "OK")
    r.run(1)
    assert r.last("SECURITY")["armed"] == 0
