import pytest

from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLineError, parse, value_of

D = Dictionary.from_flight()


def test_arguments_by_name_position_or_both():
    by_name = parse(D, "DRIVE distance=2 radius=0 speed=0.04")
    by_position = parse(D, "drive 2 0 0.04")
    mixed = parse(D, "DRIVE speed=0.04 2 0")
    assert by_name == by_position == mixed
    assert by_name.args == {"distance": 2, "radius": 0, "speed": 0.04}
    assert by_name.text() == "DRIVE distance=2 radius=0 speed=0.04"


def test_enum_values_by_name_in_any_case_or_number():
    assert parse(D, "WHEEL_ISOLATE wheel=lm").args == {"wheel": 1}
    assert parse(D, "WHEEL_ISOLATE 1").text() == "WHEEL_ISOLATE wheel=LM"


@pytest.mark.parametrize(
    ("text", "value"),
    [("7", 7), ("007", 7), ("0x1F", 31), ("-3", -3), ("2.5", 2.5), ("1e-3", 0.001), ("LM", "LM")],
)
def test_words_become_numbers_when_they_read_as_numbers(text, value):
    assert value_of(text) == value
    assert type(value_of(text)) is type(value)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "no command given"),
        ("DRVE 1", "no command 'DRVE' (did you mean DRIVE?)"),
        ("DRIVE 1 0", "DRIVE needs argument 'speed'"),
        ("DRIVE 1 0 0.05", "DRIVE speed: 0.05 m/s is above the maximum 0.0447 m/s"),
        ("DRIVE distance=1 distance=2 0 0.04", "argument 'distance' is given twice"),
        (
            "DRIVE distanse=1",
            "DRIVE has no argument 'distanse' (arguments: distance, radius, speed)",
        ),
        ("PING 1 2", "PING takes 1 argument; '2' is one too many"),
        ("PING token=", "argument 'token' has no value"),
        ("PING token=abc", "token: 'abc' is not a number"),
        ("WHEEL_ISOLATE wheel=XX", "wheel: 'XX' is not one of LF, LM, LR, RF, RM, RR, NONE"),
        ('PING "7', "cannot read the line"),
    ],
)
def test_every_mistake_is_one_line_saying_why(line, reason):
    with pytest.raises(CommandLineError) as err:
        parse(D, line)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)
