import pytest

from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLineError
from tools.ground.conditions import parse_condition

D = Dictionary.from_flight()


def cond(text):
    return parse_condition(D, text.split())


def test_numbers_and_enum_names_compare_against_the_latest_values():
    c = cond("MOBILITY.travelled >= 1.9 and HK.mode == drive")
    assert c.text() == "MOBILITY.travelled >= 1.9 and HK.mode == DRIVE"
    assert not c.holds({})
    assert not c.holds({"MOBILITY": {"travelled": 2.0}})
    assert c.holds({"MOBILITY": {"travelled": 2.0}, "HK": {"mode": "DRIVE"}})
    assert not c.holds({"MOBILITY": {"travelled": 1.8}, "HK": {"mode": "DRIVE"}})
    assert c.seen({"MOBILITY": {"travelled": 1.8}}) == (
        "MOBILITY.travelled is 1.8 m; HK not received yet"
    )


def test_spaces_around_the_operator_are_optional():
    assert cond("POWER.battery_soc<30").text() == "POWER.battery_soc < 30"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no condition"),
        ("HK.mode", "has no comparison"),
        ("HK == 1", "is not PACKET.field"),
        ("XX.y == 1", "no telemetry packet 'XX'"),
        ("HK.moda == 1", "HK has no field 'moda'"),
        ("HK.mode > STANDBY", "HK.mode is a name: compare it with == or !="),
        ("HK.mode == FLYING", "HK.mode: 'FLYING' is not one of BOOT, STANDBY"),
        ("MOBILITY.x > west", "MOBILITY.x is a number, not 'west'"),
        ("HK.uptime > 3 and", "no condition"),
    ],
)
def test_bad_conditions_are_refused_before_anything_waits(text, reason):
    with pytest.raises(CommandLineError) as err:
        cond(text)
    assert reason in str(err.value)
