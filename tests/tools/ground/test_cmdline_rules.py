"""The ground refuses what the rover's dispatcher would refuse by its command table's rules
(DRIVE radius against MIN_TURN_RADIUS, distance 0, a wheel named NONE, a parameter's range and
order), from the dictionary alone, and never what the rover would take."""

import pytest

from fsw.tables import CATALOG
from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLineError, check_rules, parse
from tools.ground.inprocess import InProcessSession

D = Dictionary.from_flight()

LINES = [
    "DRIVE distance=1 radius=0.5 speed=0.04",
    "DRIVE distance=1 radius=-0.5 speed=0.04",
    "DRIVE distance=1 radius=0.6 speed=0.04",
    "DRIVE distance=1 radius=0 speed=0.04",
    "DRIVE distance=0 radius=0 speed=0.04",
    "TURN_IN_PLACE angle=0",
    "TURN_IN_PLACE angle=5",
    "SIM_INJECT_FAULT fault=WHEEL_STALL wheel=NONE value=0",
    "SIM_INJECT_FAULT fault=WHEEL_STALL wheel=LF value=0",
    "SIM_INJECT_FAULT fault=IMU_BIAS wheel=NONE value=1",
    "SET_PARAM param=MIN_TURN_RADIUS value=0.1",
    "SET_PARAM param=MIN_TURN_RADIUS value=0.4",
    "SET_PARAM param=ANTI_REPLAY_WINDOW value=3.5",
    "SET_PARAM param=CLIMB_EXIT_PITCH value=12",
    "SET_PARAM param=CLIMB_EXIT_PITCH value=9",
]


def on_board(line: str) -> tuple[str, str, str | None]:
    """What a fresh rover makes of the command, sent without the ground's rule check."""
    session = InProcessSession()
    session.run_for(2)
    sent = session.send(parse(D, line))
    session.run_for(2)
    return sent.stage, sent.reason, sent.argument


@pytest.mark.parametrize("line", LINES)
def test_the_ground_refuses_exactly_what_the_rover_refuses_by_its_rules(line):
    command = parse(D, line)
    stage, reason, argument = on_board(line)
    try:
        check_rules(D, command)
    except CommandLineError as err:
        assert stage == "REJECTED", (line, stage, str(err))
        assert f"not sent (argument {argument}" in str(err)
        assert reason in ("OUT_OF_RANGE", "INVALID_VALUE")
    else:
        assert stage != "REJECTED" or reason not in ("OUT_OF_RANGE", "INVALID_VALUE"), line


def test_drive_tighter_than_min_turn_radius_is_refused_on_the_ground_in_one_line():
    with pytest.raises(CommandLineError) as err:
        check_rules(D, parse(D, "DRIVE distance=1 radius=0.5 speed=0.04"))
    assert str(err.value) == (
        "DRIVE: radius 0.5 m is tighter than MIN_TURN_RADIUS 0.6 m (0 means straight); "
        "not sent (argument radius; MIN_TURN_RADIUS at the dictionary's default)"
    )


def test_the_value_the_rover_last_reported_overrides_the_default():
    drive = parse(D, "DRIVE distance=1 radius=0.5 speed=0.04")
    check_rules(D, drive, {"MIN_TURN_RADIUS": 0.4})  # lowered on board: goes
    with pytest.raises(CommandLineError, match="MIN_TURN_RADIUS as the rover last reported it"):
        check_rules(D, drive, {"MIN_TURN_RADIUS": 0.55})


def test_every_rule_of_the_flight_tables_reaches_the_ground_through_the_dictionary():
    flight = {c.name: c.rules for c in CATALOG.commands if c.rules}
    assert {"DRIVE", "TURN_IN_PLACE", "WHEEL_ISOLATE", "SET_PARAM"} <= set(flight)
    assert {c.name: c.rules for c in D.commands if c.rules} == flight
    assert D.doc["commands"][[c.name for c in D.commands].index("DRIVE")]["rules"][1] == {
        "kind": "zero_or_at_least",
        "arg": "radius",
        "why": "(0 means straight)",
        "param": "MIN_TURN_RADIUS",
    }
