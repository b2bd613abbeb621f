"""Plans on the ground: checked with the file and line of each mistake, turned into the SEQ_LOAD
the rover accepts, and run in-process to completion with the ground silent."""

from dataclasses import replace
from pathlib import Path

import pytest

from fsw.sequences import Timing, crc32, split
from hil.radio.relay_profile import QUEQIAO, LosWindow
from tools.dictionary import Dictionary
from tools.ground.cmdline import parse
from tools.ground.inprocess import InProcessSession
from tools.ground.sequence import PlanError, load_plan, parse_plan

ROOT = Path(__file__).resolve().parents[3]
D = Dictionary.from_flight()

THREE_LEGS = """\
slot = 2
description = "three legs"

[[steps]]
command = "DRIVE distance=1 radius=0 speed=0.0447"

[[steps]]
after = 3.5
command = "TURN_IN_PLACE angle=90"

[[steps]]
after = 2
command = "DRIVE distance=1 radius=0 speed=0.0447"
"""


def error(text: str, **kw: object) -> str:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, D, "plan.toml", **kw)  # type: ignore[arg-type]
    return str(caught.value)


def test_a_plan_becomes_the_seq_load_that_carries_it():
    plan = parse_plan(THREE_LEGS, D, "plan.toml")
    assert plan.slot == 2 and [s.line for s in plan.steps] == [5, 9, 13]
    assert [(s.timing, s.time) for s in plan.steps] == [
        (Timing.AFTER, 0),
        (Timing.AFTER, 3500),
        (Timing.AFTER, 2000),
    ]
    load = plan.load_command(D, first_seq=40)
    assert load.args["slot"] == 2 and load.data is not None
    assert load.args["image_crc"] == crc32(load.data)
    steps = split(load.data)
    assert [D.decode(s.packet).seq_count for s in steps] == [40, 41, 42]
    assert D.decode(steps[1].packet).name == "TURN_IN_PLACE"
    assert parse(D, load.text()) == load  # the console can type it back


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            THREE_LEGS.replace(
                'speed=0.0447"\n\n[[steps]]\nafter = 3.5', 'speed=0.5"\n\n[[steps]]\nafter = 3.5'
            ),
            "plan.toml:5: DRIVE speed: 0.5 m/s is above the maximum 0.0447 m/s",
        ),
        (
            THREE_LEGS.replace("TURN_IN_PLACE", "TURN_IN_PALCE"),
            "plan.toml:9: no command 'TURN_IN_PALCE' (did you mean TURN_IN_PLACE?)",
        ),
        (
            THREE_LEGS.replace("after = 2", "after = -1"),
            "plan.toml:12: after = -1 s is outside 0..4294967 s",
        ),
        (
            THREE_LEGS.replace("after = 2", "at = 5\nafter = 1"),
            "plan.toml:12: give after or at, not both",
        ),
        (
            THREE_LEGS.replace("after = 2", "at = 2019-01-04T00:00:00"),
            "plan.toml:12: at = 2019-01-04 00:00:00 has no time zone",
        ),
        (THREE_LEGS.replace("after = 2", "wait = 2"), "plan.toml:12: unknown step key 'wait'"),
        (THREE_LEGS.replace("slot = 2", "slot = 9"), "plan.toml:1: slot 9 is not one of 1..4"),
        (THREE_LEGS.replace("slot = 2", "slot = 2 2"), "plan.toml:1: not TOML"),
        ("slot = 1\n", "plan.toml: a plan needs [[steps]]"),
    ],
)
def test_each_mistake_is_one_line_with_the_file_and_line(text: str, expected: str):
    assert error(text).startswith(expected)


def test_absolute_times_must_keep_their_order():
    text = (
        'slot = 1\n[[steps]]\nat = 2019-01-04T03:00:00Z\ncommand = "NOOP"\n'
        '[[steps]]\nat = 2019-01-04T02:59:59Z\ncommand = "NOOP"\n'
    )
    assert error(text).startswith("plan.toml:7: at mission time 88439 s is before")


def test_a_hazardous_step_needs_an_arm_before_it_and_the_upload_says_its_hazard():
    isolate = 'slot = 1\n[[steps]]\ncommand = "WHEEL_ISOLATE wheel=LM"\n'
    assert error(isolate).startswith("plan.toml:3: WHEEL_ISOLATE is hazardous")
    armed = 'slot = 1\n[[steps]]\ncommand = "ARM WHEEL_ISOLATE"\n' + isolate[9:]
    plan = parse_plan(armed, D)
    assert plan.hazards()[0].startswith("WHEEL_ISOLATE: Isolating a good wheel")


@pytest.mark.parametrize(
    ("between", "message"),
    [
        ('after = 61\ncommand = "WHEEL_ISOLATE wheel=LM"\n', "not after 61 s"),
        ('command = "DRIVE 1 0 0.04"\n[[steps]]\ncommand = "WHEEL_ISOLATE wheel=LM"\n',
         "the step before it must be ARM command=WHEEL_ISOLATE"),
    ],
)  # fmt: skip
def test_a_hazardous_step_must_follow_its_arm_within_the_window(between, message):
    text = 'slot = 1\n[[steps]]\ncommand = "ARM WHEEL_ISOLATE"\n[[steps]]\n' + between
    assert message in error(text)
    ok = 'slot = 1\n[[steps]]\ncommand = "ARM WHEEL_ISOLATE"\n[[steps]]\nafter = 60\n'
    assert parse_plan(ok + 'command = "WHEEL_ISOLATE wheel=LM"\n', D).steps[1].time == 60_000


def test_a_plan_too_big_for_one_load_says_so():
    step = '[[steps]]\ncommand = "DRIVE 1 0 0.04"\n'
    plan = parse_plan("slot = 1\n" + step * 40, D, "big.toml")
    with pytest.raises(PlanError, match=r"big\.toml: the plan's image is 1040 bytes"):
        plan.load_command(D)


def test_the_slot_can_be_given_when_uploading():
    plan = parse_plan(THREE_LEGS.replace("slot = 2\n", ""), D, slot=4)
    assert plan.slot == 4
    assert "say which slot" in error(THREE_LEGS.replace("slot = 2\n", ""))


def test_the_shipped_plan_loads():
    plan = load_plan(ROOT / "scenarios" / "plans" / "drive-square.toml", D)
    assert len(plan.steps) == 8 and plan.slot == 1


def test_a_three_leg_plan_runs_in_process_to_completion_with_the_ground_silent():
    s = InProcessSession()
    plan = parse_plan(THREE_LEGS, s.dictionary)
    load = s.send(plan.load_command(s.dictionary, s.reserve_seqs(len(plan.steps))))
    assert s.await_final(load, 10) == "COMPLETED"
    start = s.send(parse(s.dictionary, "SEQ_START 2"))
    assert s.await_final(start, 10) == "COMPLETED"
    sent = len(s.sent)
    done = s.await_event("SEQ_COMPLETED", 400)  # the ground sends nothing meanwhile
    assert done is not None and len(s.sent) == sent
    assert [e.shown()["step"] for e in s.state.events if e.name == "SEQ_STEP"] == [1, 2, 3]
    assert len([e for e in s.state.events if e.name == "MOTION_DONE"]) == 3
    assert not [e for e in s.state.events if e.name in ("CMD_REJECTED", "CMD_FAILED")]
    s.run_for(1)
    assert s.state.value("SEQ", "slot2_state") == "COMPLETED"
    assert abs(s.state.value("MOBILITY", "y") - 1.0) < 0.05  # a metre, a left turn, a metre


def test_a_plan_runs_through_a_loss_of_signal_and_the_ground_hears_of_it_after():
    profile = replace(QUEQIAO, los=(LosWindow(20.0, 200.0),))
    s = InProcessSession(relay=profile, authenticated=False)
    plan = parse_plan(THREE_LEGS, s.dictionary)
    load = s.send(plan.load_command(s.dictionary, s.reserve_seqs(len(plan.steps))))
    assert s.await_final(load, 15) == "COMPLETED"
    start = s.send(parse(s.dictionary, "SEQ_START 2"))
    assert s.await_final(start, 15) == "COMPLETED"
    s.wait_for(lambda: s.elapsed() >= 200, 300)  # deep in the loss of signal
    assert not s.flight.contact()
    assert s.flight.sequencer.slots[1].state.name == "COMPLETED"  # finished out of contact
    assert s.await_event("SEQ_COMPLETED", 200) is not None  # told once contact is back


def test_data_on_a_command_line_is_hex_and_mistakes_say_so():
    line = parse(D, "SEQ_LOAD 1 0 image=0x0a0B")
    assert line.data == b"\x0a\x0b" and line.text().endswith("image=0x0a0b")
    for text, expected in [
        ("SEQ_LOAD 1 0 image=0xZZ", "SEQ_LOAD: image is bytes in hex (0x0102...), not '0xZZ'"),
        ("SEQ_LOAD 1 0 image=00 image=01", "SEQ_LOAD: 'image' is given twice"),
        ("PING 1 image=00", "PING has no argument 'image' (arguments: token)"),
    ]:
        with pytest.raises(ValueError) as caught:
            parse(D, text)
        assert str(caught.value) == expected
