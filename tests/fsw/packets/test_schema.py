import math
from enum import IntEnum

import numpy as np
import pytest

from fsw.packets.limits import Limits
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.schema import CommandDef, EventDef, Field, Severity, TelemetryDef


class Wheel(IntEnum):
    LF = 0
    LM = 1


SPEED = Field("speed", "f32", "Drive speed", "m/s", min=0.0, max=0.0447)


def reason_of(field, value):
    with pytest.raises(PacketError) as err:
        field.check(value)
    return err.value.reason, err.value.message


def test_f32_bound_itself_is_accepted():
    # 0.0447 is not exact in f32 (it carries 0.04470000043...); the bound must still pass
    assert SPEED.check(0.0447) == 0.0447


def test_just_above_f32_bound_is_rejected_with_the_bound_in_the_text():
    reason, message = reason_of(SPEED, 0.0448)
    assert reason == Reason.OUT_OF_RANGE
    assert message == "speed: 0.0448 m/s is above the maximum 0.0447 m/s"


def test_below_minimum():
    reason, message = reason_of(SPEED, -0.001)
    assert reason == Reason.OUT_OF_RANGE and "below the minimum 0 m/s" in message


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_is_invalid(bad):
    assert reason_of(SPEED, bad)[0] == Reason.INVALID_VALUE


@pytest.mark.parametrize("bad", ["fast", None, True, b"1"])
def test_not_a_number(bad):
    assert reason_of(SPEED, bad)[0] == Reason.INVALID_VALUE


def test_integer_type_range_without_declared_bounds():
    f = Field("n", "u8")
    assert f.check(255) == 255
    assert reason_of(f, 256)[0] == Reason.OUT_OF_RANGE
    assert reason_of(f, -1)[0] == Reason.OUT_OF_RANGE
    assert f.check(3.0) == 3
    assert reason_of(f, 3.5)[0] == Reason.INVALID_VALUE


def test_signed_type_range():
    f = Field("n", "i8")
    assert f.check(-128) == -128
    assert reason_of(f, -129)[0] == Reason.OUT_OF_RANGE


def test_enum_by_member_name_and_number():
    f = Field("wheel", "u8", enum=Wheel)
    assert f.check("lm") == 1 == f.check(Wheel.LM) == f.check(1)
    reason, message = reason_of(f, "RR")
    assert reason == Reason.INVALID_VALUE and message == "wheel: 'RR' is not one of LF, LM"
    assert reason_of(f, 7)[0] == Reason.INVALID_VALUE
    assert f.show(1) == "LM" and f.show(9) == 9


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"name": "Bad", "type": "u8"}, "lower_snake_case"),
        ({"name": "class", "type": "u8"}, "lower_snake_case"),
        ({"name": "x", "type": "u12"}, "unknown type"),
        ({"name": "x", "type": "u8", "max": 300}, "does not fit"),
        ({"name": "x", "type": "u8", "min": 5, "max": 4}, "above max"),
        ({"name": "x", "type": "i8", "enum": Wheel}, "unsigned"),
    ],
)
def test_bad_field_declarations(kwargs, error):
    with pytest.raises(ValueError, match=error):
        Field(**kwargs)


def test_command_args_checked_in_order_with_index():
    cmd = CommandDef("DRIVE", 0x20, 1, "Drive", (Field("distance", "f32", max=100.0), SPEED))
    assert cmd.check_args({"distance": 5, "speed": 0.01}) == {"distance": 5.0, "speed": 0.01}
    with pytest.raises(PacketError) as err:
        cmd.check_args({"distance": 5, "speed": 0.05})
    assert err.value.arg_index == 1 and err.value.message.startswith("DRIVE speed:")
    with pytest.raises(PacketError, match="needs argument 'speed'"):
        cmd.check_args({"distance": 5})
    with pytest.raises(PacketError, match=r"has no argument 'sped' \(arguments: distance, speed\)"):
        cmd.check_args({"distance": 5, "speed": 0.01, "sped": 1})


def test_row_declarations_are_checked():
    with pytest.raises(ValueError, match="UPPER_SNAKE_CASE"):
        CommandDef("drive", 0x20, 1, "x")
    with pytest.raises(ValueError, match="reserved"):
        TelemetryDef("HK", 0x100, "x", (Field("time_coarse", "u32"),))
    with pytest.raises(ValueError, match="appears twice"):
        TelemetryDef("HK", 0x100, "x", (Field("a", "u8"), Field("a", "u8")))
    with pytest.raises(ValueError, match="idle APID"):
        TelemetryDef("HK", 0x7FF, "x")
    with pytest.raises(ValueError, match="hazard"):
        CommandDef("ISOLATE", 0x20, 1, "x", hazardous=True)
    with pytest.raises(ValueError, match="no argument"):
        EventDef("E", 1, Severity.INFO, "wheel {wheel}")


def test_event_renders_enum_names():
    ev = EventDef(
        "ISOLATED",
        9,
        Severity.WARNING,
        "wheel {wheel} isolated",
        args=(Field("wheel", "u8", enum=Wheel),),
    )
    assert ev.render({"wheel": 1}) == "wheel LM isolated"


def test_numbers_far_beyond_f32_are_out_of_range_not_a_crash():
    f = Field("x", "f32")
    assert reason_of(f, 1e39)[0] == Reason.OUT_OF_RANGE
    assert reason_of(f, -1e39)[0] == Reason.OUT_OF_RANGE
    assert reason_of(SPEED, 1e300)[1] == "speed: 1e+300 m/s is above the maximum 0.0447 m/s"


def test_messages_show_numbers_as_written():
    assert reason_of(Field("n", "u32"), 2**32)[1] == "n: 4294967296 is above the maximum 4294967295"
    assert reason_of(SPEED, 0.0447001)[1] == "speed: 0.0447001 m/s is above the maximum 0.0447 m/s"


def test_event_formats_take_bare_placeholders_only():
    wheel = (Field("wheel", "u8", enum=Wheel),)
    with pytest.raises(ValueError, match="has a format spec"):
        EventDef("E", 1, Severity.INFO, "wheel {wheel:>3}", args=wheel)
    with pytest.raises(ValueError, match="has a format spec"):
        EventDef("E", 1, Severity.INFO, "wheel {wheel!r}", args=wheel)
    with pytest.raises(ValueError, match="which is no argument"):
        EventDef("E", 1, Severity.INFO, "wheel {}", args=wheel)
    with pytest.raises(ValueError, match="format"):
        EventDef("E", 1, Severity.INFO, "unclosed {brace")
    ev = EventDef("E", 1, Severity.INFO, "{{literal}} wheel {wheel}", args=wheel)
    assert ev.render({"wheel": 0}) == "{literal} wheel LF"
    assert ev.render({"wheel": 7}) == "{literal} wheel 7"  # a number with no name shows as itself


def test_numpy_scalars_are_numbers():
    assert Field("n", "u32").check(np.uint32(7)) == 7
    assert SPEED.check(np.float32(0.01)) == pytest.approx(0.01)
    assert Field("wheel", "u8", enum=Wheel).check(np.uint8(1)) == 1
    assert reason_of(Field("n", "u8"), np.int64(300))[0] == Reason.OUT_OF_RANGE


def test_huge_integer_bounds_and_limits_are_refused_cleanly():
    with pytest.raises(ValueError, match="does not fit"):
        Field("x", "f32", max=10**400)
    assert Limits(red_high=10**400).check(1e300)[0].name == "NOMINAL"


def test_an_empty_format_spec_is_still_a_spec():
    with pytest.raises(ValueError, match="has a format spec"):
        EventDef("E", 1, Severity.INFO, "x {a:}", args=(Field("a", "u8"),))
    assert (
        EventDef("E", 1, Severity.INFO, "a}}b{{c {a}", args=(Field("a", "u8"),)).render({"a": 3})
        == "a}b{c 3"
    )
