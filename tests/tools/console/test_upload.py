"""The console's `upload FILE [SLOT]`: a plan checked on the ground, with the line of a bad step,
then sent as SEQ_LOAD and reported as the rover answers."""

from tests.tools.console.test_completion import complete
from tests.tools.console.test_operator import console

PLAN = """\
slot = 1

[[steps]]
command = "PING 1"

[[steps]]
after = 1
command = "DRIVE distance=0.2 radius=0 speed=0.04"
"""


def test_a_plan_is_uploaded_from_a_file_and_the_rover_accepts_it(tmp_path):
    (tmp_path / "plan.toml").write_text(PLAN)
    op, out, _ = console()
    assert op.execute(f"upload {tmp_path / 'plan.toml'}", script=True) is True
    text = out.getvalue()
    assert "plan.toml: 2 steps, " in text and "into slot 1" in text and "bit/s" in text
    assert "SEQ_LOAD COMPLETED" in text and "Sequence slot 1 loaded: 2 steps" in text
    assert op.execute("SEQ_START 1", script=True) is True
    assert op.execute("wait event SEQ_COMPLETED timeout 60", script=True) is True


def test_a_bad_line_is_named_and_nothing_is_sent(tmp_path):
    (tmp_path / "plan.toml").write_text(PLAN.replace("speed=0.04", "speed=4"))
    op, out, _ = console()
    assert op.execute(f"upload {tmp_path / 'plan.toml'}", script=True) is False
    assert out.getvalue().strip() == (
        f"{tmp_path / 'plan.toml'}:8: DRIVE speed: 4 m/s is above the maximum 0.0447 m/s"
    )
    assert op.session.sent == []


def test_the_slot_can_be_chosen_and_a_plan_with_hazards_asks_first(tmp_path):
    hazardous = (
        PLAN
        + '\n[[steps]]\ncommand = "ARM WHEEL_ISOLATE"\n'
        + ('\n[[steps]]\ncommand = "WHEEL_ISOLATE LM"\n')
    )
    (tmp_path / "plan.toml").write_text(hazardous)
    op, out, asked = console(answers=[False, True])
    assert op.execute(f"upload {tmp_path / 'plan.toml'} 3") is False
    assert "WHEEL_ISOLATE: Isolating" in asked[0] and op.session.sent == []
    assert op.execute(f"upload {tmp_path / 'plan.toml'} 3") is True
    op.session.run_for(1)
    assert op.session.sent[0].args["slot"] == 3 and op.session.sent[0].final == "COMPLETED"
    assert op.execute("upload") is False and "upload FILE [SLOT]" in out.getvalue()


def test_upload_completes_and_so_does_its_file(tmp_path, monkeypatch):
    (tmp_path / "square.toml").write_text(PLAN)
    monkeypatch.chdir(tmp_path)
    assert "upload" in complete("upl")
    assert complete("upload squ") == ["are.toml"]  # the rest of the name


def test_upload_wants_a_file_and_a_slot_number():
    op, out, _ = console()
    assert op.execute("upload", script=True) is False
    assert op.execute("upload plan.toml two", script=True) is False
    assert out.getvalue().splitlines() == [
        "upload FILE [SLOT]",
        "upload FILE SLOT: 'two' is not a slot number",
    ]
    assert op.session.sent == []


def test_a_step_the_rover_would_refuse_by_its_rules_is_named_and_nothing_is_sent(tmp_path):
    (tmp_path / "plan.toml").write_text(PLAN.replace("radius=0 ", "radius=0.5 "))
    op, out, _ = console()
    assert op.execute(f"upload {tmp_path / 'plan.toml'}", script=True) is False
    assert out.getvalue().strip() == (
        f"{tmp_path / 'plan.toml'}:8: DRIVE: radius 0.5 m is tighter than MIN_TURN_RADIUS 0.6 m "
        "(0 means straight); not sent (argument radius; MIN_TURN_RADIUS at the dictionary's "
        "default); plan not sent"
    )
    assert op.session.sent == []
