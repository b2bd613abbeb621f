"""The console on a full disk: its telemetry log stops taking records (EFBIG for real, by
RLIMIT_FSIZE), it says so in one line and on its status, and goes on showing what comes."""

from __future__ import annotations

import io
import re
import subprocess
import sys

from rich.console import Console as RichConsole

from tests.tools.cli.test_record_cmd import LIMIT_FILES
from tests.tools.fswproc import ROOT, FswProcess, child_env, rover_command
from tools.console.cmdlog import CommandLog
from tools.console.operator import Operator
from tools.dictionary import Dictionary
from tools.ground.inprocess import InProcessSession
from tools.ground.session import Session
from tools.tlmlog import LogReader, LogWriter, RecordType, ScanStats


def test_a_full_disk_stops_recording_but_not_the_console(tmp_path):
    log, script = tmp_path / "console.tlm", tmp_path / "full.txt"
    script.write_text("wait 2\nNOOP\nstatus\n")
    command = rover_command("console", "--link", "LINK", "--script", str(script), "--record",
                            str(log), "--state-dir", str(tmp_path / "state"))  # fmt: skip
    with FswProcess.start(speed=20) as fsw:
        command[command.index("LINK")] = fsw.url
        done = subprocess.run(
            [sys.executable, "-c", LIMIT_FILES, "5000", *command],
            cwd=ROOT,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "Traceback" not in out + done.stderr
    said = [line for line in out.splitlines() if line.startswith("not recording:")]
    assert len(said) == 1, out  # said once, in one line
    assert f"{log}: cannot write (File too large)" in said[0]
    assert said[0].endswith("telemetry is still shown")
    after = out[out.index(said[0]) :]
    assert re.search(r"\[\d+\] NOOP COMPLETED", after), out  # verification still comes in
    status = next(line for line in out.splitlines() if "commands sent" in line)
    assert f"not recording: {log}: cannot write" in status and "recording to" not in status
    received = int(re.search(r"(\d+) packets received", status).group(1))
    reader = LogReader(log)
    records = list(reader)
    assert reader.stats == ScanStats(records=len(records))  # whole up to its last record
    assert received > len(records) + 50  # the console took in far more than the log holds


def test_the_status_line_says_the_console_is_not_recording(tmp_path, monkeypatch):
    dictionary = Dictionary.from_flight()
    writer = LogWriter(tmp_path / "a.tlm", dictionary.fingerprint)
    session = Session(dictionary, writer)
    screen = io.StringIO()
    operator = Operator(session, RichConsole(file=screen))
    assert "not recording" not in operator.status_line()

    def full(*_args: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer._file, "write", full, raising=False)
    packet = dictionary.encode_command("NOOP", {}, 1)  # an uplink record, as send() writes
    session._record(packet, 0, RecordType.UPLINK)
    assert session.recorder is None
    assert screen.getvalue().count("not recording:") == 1
    assert (
        operator.status_line()
        .split(" · ")[-1]
        .startswith(f"not recording: {tmp_path / 'a.tlm'}: cannot write (No space left on device)")
    )


def test_a_command_log_that_cannot_be_written_is_said_once_and_the_console_goes_on(
    tmp_path, monkeypatch
):
    log = CommandLog(tmp_path / "commands.log")

    def full(_text: str) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(log._file, "write", full)
    screen = io.StringIO()
    session = InProcessSession()
    op = Operator(session, RichConsole(file=screen, width=300), command_log=log)
    assert op.execute("PING 1") and op.execute("PING 2")
    session.run_for(2)  # both complete; the log cannot take either
    said = screen.getvalue()
    assert said.count("not logging commands:") == 1
    assert f"not logging commands: {tmp_path / 'commands.log'}: cannot write (No space left" in said
    assert [c.final for c in session.sent] == ["COMPLETED", "COMPLETED"]  # shown all the same
    assert said.count("PING COMPLETED") == 2
