"""Commands typed while the relay is in LOS: held and sent at AOS in order (or refused, by the
operator's choice), listed by `queue`, EXPIRED when contact does not come back in time; a script
waits for the release and then the verification. On the in-process rover behind the relay model,
whose LOS loses any frame sent into it."""

import io
import re
from dataclasses import replace

import pytest
from rich.console import Console

from hil.radio.relay_profile import QUEQIAO, LosWindow
from tools.console.cmdlog import CommandLog
from tools.console.losqueue import LosQueue, attach
from tools.console.operator import Operator
from tools.ground.inprocess import InProcessSession
from tools.ground.linkwatch import LinkWatch

PROFILE = replace(QUEQIAO, los=(LosWindow(30.0, 60.0),))  # LOS from 30 s for 60 s into the run


def console(policy="queue", timeout=600.0, queue=True, log=None):
    out = io.StringIO()
    session = InProcessSession(relay=PROFILE)
    op = Operator(session, Console(file=out, width=300, no_color=True, highlight=False),
                  command_log=log)  # fmt: skip
    watch = LinkWatch(PROFILE, wall=session.now)
    session.listeners.insert(0, watch.update)
    op.link_state = watch.line
    if queue:
        held = LosQueue(watch.uplink_clear, watch.contact_in, session.now, policy=policy,
                        timeout=timeout)  # fmt: skip
        attach(op, held)
    return op, out, session


def test_without_the_queue_a_command_typed_in_los_is_lost():  # what the queue is for
    op, _, session = console(queue=False)
    session.run_for(35)
    assert op.execute("PING 1")
    session.run_for(90)
    assert session.sent[0].stage == "SENT"  # never heard of again


def test_commands_typed_in_los_are_held_and_sent_at_aos_in_order():
    op, out, session = console()
    session.run_for(35)
    assert op.execute("PING 1") and op.execute("PING 2")
    text = out.getvalue()
    assert "[held 1] PING token=1: the relay is in LOS (contact in 5" in text
    assert "sent at AOS, or EXPIRED after 10 min 00 s (`queue` lists what is held)" in text
    assert "[held 2] PING token=2: the relay is in LOS" in text
    assert session.sent == []  # nothing went into the LOS
    out.truncate(0)
    out.seek(0)
    assert op.execute("queue")
    listed = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in listed] == [
        "[held 1] PING token=1",
        "[held 2] PING token=2",
    ]
    assert listed[0].endswith(": held 0 s, expires in 10 min 00 s")
    assert "2 held for AOS" in op.status_line()
    session.run_for(80)  # AOS at 90 s: telemetry comes back, and the held commands go up
    assert [c.text for c in session.sent] == ["PING token=1", "PING token=2"]
    assert [c.final for c in session.sent] == ["COMPLETED", "COMPLETED"]
    text = out.getvalue()
    assert text.index("[held 1] PING token=1: released at AOS") < text.index(
        "[held 2] PING token=2: released at AOS"
    )
    out.truncate(0)
    out.seek(0)
    op.execute("queue")
    assert out.getvalue().strip() == "nothing held for AOS"


def test_a_held_command_expires_unsent_when_contact_does_not_come_back_in_time(tmp_path):
    op, out, session = console(timeout=10, log=CommandLog(tmp_path / "commands.log"))
    session.run_for(35)
    assert op.execute("PING 1")
    session.run_for(12)
    op.status_line()  # the prompt's status line is redrawn twice a second
    assert "[held 1] PING token=1 EXPIRED: no contact within 10 s; not sent" in out.getvalue()
    session.run_for(65)
    assert session.sent == []  # it never went, even after AOS
    (logged,) = (tmp_path / "commands.log").read_text().splitlines()
    assert re.fullmatch(
        r"rover \S+Z  sent --  seq --  EXPIRED  PING token=1 \(held 1, no contact within 10 s\)",
        logged,
    ), logged


def test_refuse_refuses_at_once_saying_when_contact_comes_back():
    op, out, session = console(policy="refuse")
    session.run_for(35)
    assert op.execute("PING 1") is False
    said = out.getvalue().strip().splitlines()[-1]
    assert said.startswith("PING not sent: the relay is in LOS (contact in 5")
    assert said.endswith("; --los-commands refuse")
    assert session.sent == []


def test_a_script_waits_for_the_release_then_the_verification(tmp_path):
    op, out, session = console()
    session.run_for(35)
    script = tmp_path / "los.txt"
    script.write_text("PING 5\nPING 6\n")
    assert op.run_script(script) is True
    assert [c.final for c in session.sent] == ["COMPLETED", "COMPLETED"]
    assert session.elapsed() > 90  # it waited for AOS
    assert "[held 1] PING token=5: released at AOS" in out.getvalue()
    assert "PING token=6: the relay" not in out.getvalue()  # by then in contact: sent at once


def test_in_contact_commands_go_at_once():
    op, _, session = console()
    session.run_for(5)
    assert op.execute("PING 1")
    assert [c.text for c in session.sent] == ["PING token=1"]


@pytest.mark.parametrize(
    ("policy", "timeout"), [("drop", 1.0), ("queue", 0.0), ("queue", float("nan"))]
)
def test_a_bad_policy_or_timeout_is_refused(policy, timeout):
    with pytest.raises(ValueError, match="LOS"):
        LosQueue(lambda: True, lambda: "", lambda: 0.0, policy=policy, timeout=timeout)
