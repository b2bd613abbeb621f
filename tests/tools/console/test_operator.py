import io
import re

import pytest
from rich.console import Console

from tools.console.cmdlog import CommandLog
from tools.console.operator import Operator, Quit
from tools.ground.inprocess import InProcessSession
from tools.scenario import parse


def console(scenario=None, tmp_path=None, answers=()):
    out = io.StringIO()
    screen = Console(file=out, width=200, no_color=True, highlight=False)
    session = InProcessSession(scenario)
    log = CommandLog(tmp_path / "commands.log") if tmp_path else None
    answers = list(answers)
    asked = []

    def confirm(question):
        asked.append(question)
        return answers.pop(0)

    op = Operator(session, screen, confirm=confirm, command_log=log)
    return op, out, asked


def test_an_out_of_range_argument_is_refused_with_its_reason_and_nothing_is_sent():
    op, out, _ = console()
    assert op.execute("DRIVE distance=1 radius=0 speed=0.05") is False
    assert out.getvalue().strip() == "DRIVE speed: 0.05 m/s is above the maximum 0.0447 m/s"
    assert op.session.sent == []


def test_a_typed_command_shows_its_verification_as_it_arrives():
    op, out, _ = console()
    assert op.execute("PING 42") is True
    op.session.run_for(1)
    text = out.getvalue()
    for expected in (
        "[0] PING token=42 sent",
        "[0] PING ACCEPTED",
        "PING_REPLY",
        "[0] PING COMPLETED",
    ):
        assert expected in text
    assert text.index("ACCEPTED") < text.index("COMPLETED")


def test_a_hazardous_command_asks_first_showing_the_hazard(tmp_path):
    op, out, asked = console(tmp_path=tmp_path, answers=[False, True])
    assert op.execute("WHEEL_ISOLATE wheel=LM") is False
    assert "hazardous" in asked[0] and "WHEEL_ISOLATE" in asked[0]
    assert op.session.sent == []
    assert "WHEEL_ISOLATE not sent" in out.getvalue()
    assert op.execute("WHEEL_ISOLATE wheel=LM") is True
    op.session.run_for(1)
    arm, isolate = op.session.sent  # confirmed: the console ARMs it first
    assert arm.text == "ARM command=WHEEL_ISOLATE" and arm.final == "COMPLETED"
    assert isolate.final == "COMPLETED"
    assert "WHEEL_ISOLATE armed for 60.0 s" in out.getvalue()
    assert "WHEEL_ISOLATED" in out.getvalue()
    log = (tmp_path / "commands.log").read_text()
    assert "COMPLETED  WHEEL_ISOLATE wheel=LM" in log


def test_a_script_needs_confirm_to_send_a_hazardous_command(tmp_path):
    op, out, asked = console()
    script = tmp_path / "s.txt"
    script.write_text("WHEEL_ISOLATE wheel=RR\n")
    assert op.run_script(script) is False
    assert asked == []
    assert "write `confirm WHEEL_ISOLATE wheel=RR` to send it from a script" in out.getvalue()
    script.write_text("confirm WHEEL_ISOLATE wheel=RR\nwait until HK.degraded == YES timeout 3\n")
    assert op.run_script(script) is True


def test_a_script_waits_for_each_command_and_stops_at_the_first_failure(tmp_path):
    op, out, _ = console()
    script = tmp_path / "drive.txt"
    script.write_text(
        "# a short drive\n"
        "DRIVE 0.5 0 0.0447 timeout 30\n"
        "wait event MOTION_DONE timeout 1\n"
        "wait until MOBILITY.travelled >= 0.49 and HK.mode == STANDBY timeout 3\n"
        "wait until HK.mode == SAFE timeout 2\n"
        "PING 1\n"
    )
    assert op.run_script(script) is False
    text = out.getvalue()
    assert "[0] DRIVE COMPLETED" in text
    assert "met: event MOTION_DONE" in text
    assert "not met within 2 s: HK.mode == SAFE (HK.mode is STANDBY)" in text
    assert f"{script}:5: failed; script stopped" in text
    assert "PING" not in text


def test_a_script_fails_on_a_rejected_command_or_one_that_never_finishes(tmp_path):
    op, out, _ = console()
    script = tmp_path / "s.txt"
    script.write_text("SET_MODE HIBERNATE\nDRIVE 1 0 0.0447\n")
    assert op.run_script(script) is False
    assert "[1] DRIVE REJECTED: NOT_ALLOWED_IN_MODE" in out.getvalue()
    op2, out2, _ = console()
    script.write_text("DRIVE 1 0 0.0447 timeout 5\n")
    assert op2.run_script(script) is False
    assert "[0] DRIVE: no final report within 5 s (last: STARTED)" in out2.getvalue()


def test_tlm_shows_units_and_the_limit_a_value_broke():
    low = parse({"name": "low", "duration": 1, "rover": {"battery_soc": 25.0}})
    op, out, _ = console(low)
    op.session.run_for(1.5)
    assert op.execute("tlm POWER")
    text = out.getvalue()
    assert "POWER  seq" in text
    row = next(line for line in text.splitlines() if line.startswith("battery_soc"))
    assert "%" in row and "yellow limit: below 30 %" in row
    out.truncate(0)
    assert op.execute("tlm")
    assert "out of limits: POWER.battery_soc = " in out.getvalue()


def test_help_comes_from_the_dictionary():
    op, out, _ = console()
    op.execute("help DRIVE")
    text = out.getvalue()
    assert "speed" in text and "m/s" in text and "0.001 .. 0.0447" in text
    op.execute("help WHEEL_ISOLATE")
    assert "HAZARDOUS:" in out.getvalue()
    op.execute("help")
    assert "TURN_IN_PLACE" in out.getvalue() and "wait until" in out.getvalue()


@pytest.mark.parametrize(
    "line",
    [
        "DRVE",
        "wait",
        "wait until HK.mode > 3",
        "wait event NOPE",
        "wait soon",
        "tlm NOPE",
        "help NOPE",
        "run /no/such/file",
        '"unclosed',
        "events x",
        "wait 1e99",
        "confirm",
        "wait until",
        "DRIVE distance=",
        "PING 99999999999",
    ],
)
def test_anything_typed_gets_one_line_and_never_a_traceback(line):
    op, out, _ = console()
    op.execute(line)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) <= 1
    assert "Traceback" not in out.getvalue()


def test_quit_and_exit_leave():
    op, _, _ = console()
    for word in ("quit", "exit"):
        with pytest.raises(Quit):
            op.execute(word)


def test_status_and_the_toolbar_count_refused_telemetry():
    op, out, _ = console()
    op.session.run_for(2)
    plain = op.session.flight.forward.store.entries[0].packet  # what a relay could make up
    assert op.session.take(plain) is None
    assert op.execute("status") is True
    text = out.getvalue()
    assert "downlink verified (" in text and "REFUSED 1 unauthenticated" in text
    assert op.status_line().endswith("REFUSED 1 unauthenticated")


def test_a_drive_tighter_than_min_turn_radius_is_refused_before_it_goes(tmp_path):
    op, out, _ = console()
    assert op.execute("DRIVE distance=1 radius=0.5 speed=0.04") is False
    assert out.getvalue().strip() == (
        "DRIVE: radius 0.5 m is tighter than MIN_TURN_RADIUS 0.6 m (0 means straight); "
        "not sent (argument radius; MIN_TURN_RADIUS at the dictionary's default)"
    )
    assert op.session.sent == []
    # once the rover says the parameter is lower, the same drive goes (and the rover takes it)
    assert op.execute("SET_PARAM param=MIN_TURN_RADIUS value=0.4") is True
    op.session.run_for(1)
    assert op.session.state.params["MIN_TURN_RADIUS"] == pytest.approx(0.4)
    assert op.execute("DRIVE distance=0.1 radius=0.5 speed=0.04") is True
    op.session.run_for(1)
    assert op.session.sent[-1].stage in ("STARTED", "COMPLETED")


def test_tlm_shows_floats_to_their_declared_decimals_never_raw():
    op, out, _ = console()
    op.session.run_for(1.5)
    assert op.execute("tlm")
    text = out.getvalue()
    assert "e-" not in text and "e+" not in text  # no -3.307228e-17 for a wheel at rest
    row = next(line for line in text.splitlines() if line.startswith("x "))
    assert re.search(r"\s-?\d+\.\d{3}\s+m\b", row), row  # metres to the millimetre
    assert not re.search(r"-0\.0+\b", text)  # never minus zero


def test_tlm_packet_field_shows_one_value_and_a_wrong_name_gets_a_suggestion():
    op, out, _ = console()
    assert op.execute("tlm HK.mode")
    assert out.getvalue().strip() == "HK.mode = - (not received yet)"
    op.session.run_for(1.5)
    out.truncate(0)
    out.seek(0)
    assert op.execute("tlm hk.MODE")
    assert re.fullmatch(r"HK\.mode = STANDBY  seq \d+ at \d\d:\d\d:\d\d\.\d, \d+\.\d s ago\n",
                        out.getvalue())  # fmt: skip
    out.truncate(0)
    out.seek(0)
    assert op.execute("tlm HK.mdoe") is False
    assert out.getvalue().strip() == "HK has no field 'mdoe' (did you mean mode?)"


def test_long_tlm_output_is_paged_for_a_person_and_stops_when_asked():
    op, out, _ = console()
    op.session.run_for(1.5)
    asked = []
    op.more = lambda question: asked.append(question) and False  # q at the first page
    op.screen.height = 20
    assert op.execute("tlm")
    assert len(asked) == 1 and re.fullmatch(
        r"-- 18 of \d+ lines: Enter shows more, q stops --", asked[0]
    )
    assert len(out.getvalue().splitlines()) == 18
    op.more = lambda question: asked.append(question) or True  # Enter every time: all of it
    out.truncate(0)
    out.seek(0)
    assert op.execute("tlm")
    total = int(asked[-1].split(" of ")[1].split()[0])
    assert len(out.getvalue().splitlines()) == total > 100


def test_history_and_the_command_log_show_the_rovers_clock_as_the_screen_does(tmp_path):
    op, out, _ = console(tmp_path=tmp_path)
    op.session.run_for(1.5)
    assert op.execute("PING 7")
    op.session.run_for(1)
    sent = op.session.sent[0]
    screen = out.getvalue()
    completed = re.search(r"^(\d\d:\d\d:\d\d\.\d) \[0\] PING COMPLETED", screen, re.MULTILINE)
    went = re.search(r"^(\d\d:\d\d:\d\d\.\d) \[0\] PING token=7 sent", screen, re.MULTILINE)
    assert completed and went, screen
    out.truncate(0)
    out.seek(0)
    assert op.execute("history")
    assert out.getvalue().strip() == (
        f"{went[1]} [0] PING token=7 COMPLETED at {completed[1]} "
        f"({sent.finished - sent.sent:.1f} s)"
    )
    assert "--:--:--" not in out.getvalue()
    (logged,) = (tmp_path / "commands.log").read_text().splitlines()
    assert re.fullmatch(
        rf"rover \d{{4}}-\d\d-\d\dT{re.escape(completed[1])}\d\dZ  sent {re.escape(went[1])}\d\dZ"
        r"  seq 0  COMPLETED  PING token=7",
        logged,
    ), logged
