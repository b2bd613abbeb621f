"""Command rules as data: malformed ones are refused when the table loads, saying why."""

import pytest

from fsw.packets.rules import Rule
from fsw.packets.schema import CommandDef, Field
from fsw.tables.enums import Wheel


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "bigger", "arg": "x"}, "unknown kind"),
        ({"kind": "zero_or_at_least", "arg": "x"}, "says what it compares with"),
        ({"kind": "multiple_of", "arg": "x", "step": 0}, "the step is above 0"),
        ({"kind": "nonzero", "arg": "x", "colour": "red"}, "unknown keys"),
    ],
)
def test_a_malformed_rule_is_refused_saying_why(entry, message):
    with pytest.raises(ValueError, match=message):
        Rule.from_dict(entry)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Rule("nonzero", "distanse"), "names 'distanse', which is no argument"),
        (Rule("not_member", "wheel", member="LEFT"), "names 'LEFT', which is no value of wheel"),
    ],
)
def test_a_rule_on_a_command_names_its_arguments_and_their_values(rule, message):
    args = (Field("distance", "f32"), Field("wheel", "u8", enum=Wheel))
    with pytest.raises(ValueError, match=message):
        CommandDef("GO", 1, 0, "Go.", args, rules=(rule,))
