"""The ground names what flight events number: commands by (APID, code), the wheel NONE."""

import io

from rich.console import Console

from fsw.tables import CATALOG
from tools.console.operator import Operator
from tools.ground.cmdline import parse
from tools.ground.inprocess import InProcessSession
from tools.ground.names import command_names, event_text

NAMES = command_names(CATALOG.commands)
DRIVE = CATALOG.command("DRIVE")


def text(event: str, **values: int | float) -> str:
    return event_text(CATALOG.event(event), values, NAMES)


def test_a_command_is_named_beside_its_apid_and_code():
    said = text("CMD_REJECTED", apid=DRIVE.apid, code=DRIVE.code, seq=4, reason=3)
    assert said.startswith(f"Command DRIVE (APID {DRIVE.apid} code {DRIVE.code}) seq 4 rejected: ")
    refused = text("UPLINK_REFUSED", apid=DRIVE.apid, code=DRIVE.code, seq=4, reason=3, spi=1,
                   sn=9)  # fmt: skip
    assert f"a command (DRIVE (APID {DRIVE.apid} code {DRIVE.code}) seq 4)" in refused


def test_an_unknown_command_keeps_its_numbers():
    said = text("CMD_REJECTED", apid=0x7F0, code=99, seq=4, reason=3)
    assert said.startswith("Command APID 2032 code 99 seq 4 rejected: ")


def test_the_wheel_none_is_the_rover_or_no_wheel():
    monitor = CATALOG.event("MONITOR_TRIPPED")
    values = {a.name: 0 for a in monitor.args} | {"wheel": 0xFF}
    assert "tripped (rover):" in event_text(monitor, values, NAMES)
    assert "tripped (LF):" in event_text(monitor, values | {"wheel": 0}, NAMES)
    assert "(no wheel, value 1.0)" in text("FAULT_INJECTED", fault=0, wheel=0xFF, value=1)


def test_the_console_shows_a_refusal_with_the_command_named():
    out = io.StringIO()
    session = InProcessSession()
    op = Operator(session, Console(file=out, width=300, no_color=True, highlight=False))
    session.run_for(2)
    # sent past the console's own rule check, as another ground might: the rover refuses it
    session.send(parse(session.dictionary, "DRIVE distance=1 radius=0.5 speed=0.04"))
    session.run_for(2)
    assert f"Command DRIVE (APID {DRIVE.apid} code {DRIVE.code}) seq 0 rejected" in out.getvalue()
    assert "Command APID" not in out.getvalue()
    assert op.names[(DRIVE.apid, DRIVE.code)] == "DRIVE"
