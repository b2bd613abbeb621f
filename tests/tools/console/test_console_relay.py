"""The console with `--relay ...`: `status` shows the relay link's state (contact, next change,
light-time, last packet), and bad relay options are refused in one line."""

import io
from dataclasses import replace

from rich.console import Console

from hil.radio.relay_profile import QUEQIAO, LosWindow
from tools.cli import main
from tools.console.operator import Operator
from tools.ground.inprocess import InProcessSession
from tools.ground.linkwatch import LinkWatch


def test_status_shows_the_relay_link_state():
    profile = replace(QUEQIAO, los=(LosWindow(30.0, 60.0),))
    out = io.StringIO()
    session = InProcessSession(relay=profile)
    op = Operator(session, Console(file=out, width=300, no_color=True, highlight=False))
    watch = LinkWatch(profile, wall=session.now)
    session.listeners.append(watch.update)
    op.link_state = watch.line
    session.run_for(10)
    assert op.execute("status") is True
    assert "relay queqiao · in contact, LOS in 20 s · light-time 1.75 s · last packet " in (
        out.getvalue()
    )
    session.run_for(30)
    op.execute("status")
    assert "relay queqiao · LOS, contact in 50 s · light-time 1.75 s" in out.getvalue()


def test_status_without_a_relay_says_nothing_of_one():
    out = io.StringIO()
    op = Operator(InProcessSession(), Console(file=out, width=300, no_color=True))
    op.execute("status")
    assert "relay" not in out.getvalue()


def test_a_bad_relay_option_is_refused_in_one_line(capsys, tmp_path):
    args = ["console", "--state-dir", str(tmp_path), "--unsigned", "--relay", "bogus"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("rover console: --relay 'bogus': not a profile") and err.count("\n") == 1
