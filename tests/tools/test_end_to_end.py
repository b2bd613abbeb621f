"""End to end, as a mission runs: `rover fsw` serves the ground link in real time (20x), a
`rover console --script` drives a short traverse over TCP and records every packet, and the
recording then tells the same story when replayed: the same commands completed, the same events
in the same order, the same distance. Scripts that fail say which line and exit 1."""

from __future__ import annotations

import csv
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.tools.fswproc import ROOT, FswProcess, child_env, rover_command
from tools import story
from tools.cli import SUBCOMMANDS
from tools.dictionary import Dictionary
from tools.ground.cmdline import parse
from tools.ground.playback import PlaybackSession
from tools.tlmlog import LogReader, RecordType

TRAVERSE = """\
# a short traverse: drive half a metre, turn a little, end in STANDBY
PING token=42
DRIVE distance=0.5 radius=0 speed=0.0447
wait until MOBILITY.travelled >= 0.45 timeout 20
wait event MOTION_DONE timeout 20
TURN_IN_PLACE angle=10
wait until MOBILITY.motion == IDLE and HK.mode == STANDBY timeout 20
"""
COMMANDS = ["PING token=42", "DRIVE distance=0.5 radius=0 speed=0.0447", "TURN_IN_PLACE angle=10"]
EVENTS = ["PING_REPLY", "DRIVE_STARTED", "MOTION_DONE", "TURN_STARTED", "MOTION_DONE"]
EVENT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d (?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+(\w+): ")
FINAL_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d \[(\d+)\] (\w+) (COMPLETED|FAILED|REJECTED)\b")


@dataclass
class Run:
    """A finished `rover console --script`."""

    script: Path
    log: Path
    state: Path
    result: subprocess.CompletedProcess[str]

    @property
    def lines(self) -> list[str]:
        return self.result.stdout.splitlines()


def console_script(fsw: FswProcess, directory: Path, name: str, text: str) -> Run:
    """Run `text` as a console script against `fsw`, recording to directory/name.tlm."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / f"{name}.txt"
    script.write_text(text)
    log, state = directory / f"{name}.tlm", directory / "state"
    args = ["console", "--link", fsw.url, "--script", str(script), "--record", str(log)]
    result = subprocess.run(
        rover_command(*args, "--state-dir", str(state), "--connect-timeout", "10"),
        cwd=ROOT,
        env=child_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return Run(script, log, state, result)


@pytest.fixture(scope="module")
def fsw():
    with FswProcess.start(speed=20) as process:
        yield process


@pytest.fixture(scope="module")
def traverse(fsw, tmp_path_factory):
    return console_script(fsw, tmp_path_factory.mktemp("traverse"), "traverse", TRAVERSE)


def test_the_traverse_script_succeeds_and_shows_what_happened(traverse):
    out = traverse.result.stdout
    assert traverse.result.returncode == 0, out + traverse.result.stderr
    assert "traverse.txt: done in" in out
    finals = [(int(m[1]), m[2], m[3]) for m in map(FINAL_LINE.match, traverse.lines) if m]
    assert finals == [(0, "PING", "COMPLETED"), (1, "DRIVE", "COMPLETED"),
                      (2, "TURN_IN_PLACE", "COMPLETED")]  # fmt: skip
    assert "met: MOBILITY.travelled >= 0.45" in out
    assert "met: event MOTION_DONE" in out
    assert "met: MOBILITY.motion == IDLE and HK.mode == STANDBY" in out
    assert "PING_REPLY: PING reply, token 42" in out
    shown = [m[1] for m in map(EVENT_LINE.match, traverse.lines) if m]
    assert [e for e in shown if e in EVENTS] == EVENTS
    log = (traverse.state / "commands.log").read_text().splitlines()
    assert [line.split("  ", 3)[3] for line in log] == [f"COMPLETED  {c}" for c in COMMANDS]


def test_the_recording_replays_to_the_same_story(traverse):
    # the PING goes out as soon as the link is up, often before any telemetry has come
    replay = PlaybackSession(traverse.log)
    for text in COMMANDS:  # each recorded uplink is found again, and its verification followed
        sent = replay.send(parse(replay.dictionary, text))
        assert replay.await_final(sent, 120) == "COMPLETED", (text, sent.stages)
        assert sent.stages[0] == "ACCEPTED"
    replay.play()
    assert replay.finished
    assert replay.undecodable == {}
    names = [e.name for e in replay.state.events]
    assert [n for n in names if n in EVENTS] == EVENTS
    # the console showed every event the recorder kept, in the same order
    assert [m[1] for m in map(EVENT_LINE.match, traverse.lines) if m] == names
    assert replay.state.value("MOBILITY", "travelled") == pytest.approx(0.5, abs=0.02)
    assert replay.state.value("MOBILITY", "heading") == pytest.approx(10, abs=1)
    assert replay.state.value("HK", "mode") == "STANDBY"
    assert replay.state.value("HK", "healthy_wheels") == 6


def test_the_recording_tells_the_story(traverse):
    dictionary = Dictionary.from_flight()
    reader = LogReader(traverse.log)
    records = list(reader)
    assert reader.stats.torn_tail_bytes == 0
    uplinks = [dictionary.decode(r.packet) for r in records if r.type is RecordType.UPLINK]
    sent = {p.seq_count: p.name for p in uplinks}
    assert sent == {0: "PING", 1: "DRIVE", 2: "TURN_IN_PLACE"}
    told = story.tell(
        (dictionary.decode(r.packet) for r in records if r.type is RecordType.DOWNLINK), sent
    )
    expected = {
        "completed": ["PING", "DRIVE", "TURN_IN_PLACE"],
        "events": EVENTS,
        "travelled": [0.48, 0.52],
        "final_mode": "STANDBY",
        "healthy_wheels": 6,
        "absent_events": ["CMD_REJECTED", "CMD_FAILED", "MONITOR_TRIPPED", "UPLINK_DISCARDED"],
    }
    for name, held, seen in story.check(told, expected):
        assert held, f"{name}: {seen}"
    assert set(told.modes) == {"STANDBY", "DRIVE"}, told.modes
    times = [r.received_ns for r in records if r.type is RecordType.DOWNLINK]
    assert times == sorted(times), "downlink records are not in the order they were received"


def test_rover_replay_tells_the_same_story(traverse, tmp_path):
    if "replay" not in SUBCOMMANDS:
        pytest.skip("`rover replay` is not a subcommand yet")
    result = subprocess.run(
        rover_command("replay", str(traverse.log), "--csv", str(tmp_path / "csv")),
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Traceback" not in out
    events = [m[1] for m in map(EVENT_LINE.match, traverse.lines) if m]  # as the console showed
    for name, count in Counter(events).items():
        assert re.search(rf"^\s+{name}\s+{count}$", out, re.MULTILINE), (name, count, out)
    assert re.search(r"^uplinked\s+3 commands$", out, re.MULTILINE), out
    for name in ("DRIVE", "PING", "TURN_IN_PLACE"):
        assert re.search(rf"^\s+{name}\s+1$", out, re.MULTILINE), out
    assert re.search(r"^sequence\s+no gaps", out, re.MULTILINE), out  # nothing lost on the way
    assert re.search(r"^undecodable\s+0$", out, re.MULTILINE), out
    with (tmp_path / "csv" / "events.csv").open() as f:
        assert [row["name"] for row in csv.DictReader(f)] == events
    with (tmp_path / "csv" / "commands.csv").open() as f:
        assert [row["name"] for row in csv.DictReader(f)] == ["PING", "DRIVE", "TURN_IN_PLACE"]


def test_a_wait_not_met_fails_the_script_and_names_the_line(fsw, tmp_path):
    script = "PING token=1\nwait until HK.mode == SAFE timeout 2\nPING token=2\n"
    run = console_script(fsw, tmp_path, "safe", script)
    out = run.result.stdout + run.result.stderr
    assert run.result.returncode == 1, out
    assert "not met within 2 s: HK.mode == SAFE (HK.mode is STANDBY)" in out
    assert f"{run.script}:2: failed; script stopped" in out
    assert "safe.txt:3>" not in out and "[1]" not in out  # the line after it never ran


def test_a_command_the_rover_rejects_fails_the_script(fsw, tmp_path):
    run = console_script(fsw, tmp_path, "rejected", "PING token=1\nSAFE_RECOVER\nPING token=2\n")
    out = run.result.stdout + run.result.stderr
    assert run.result.returncode == 1, out
    assert re.search(r"\[1\] SAFE_RECOVER REJECTED: NOT_ALLOWED_IN_MODE", out), out
    assert f"{run.script}:2: failed; script stopped" in out
    assert "[2]" not in out  # nothing after it was sent
    sent = [r for r in LogReader(run.log) if r.type is RecordType.UPLINK]
    assert len(sent) == 2


def test_a_command_the_ground_refuses_fails_the_script_before_anything_is_sent(fsw, tmp_path):
    script = "DRIVE distance=1 radius=0 speed=0.05\nPING token=1\n"
    run = console_script(fsw, tmp_path, "refused", script)
    out = run.result.stdout + run.result.stderr
    assert run.result.returncode == 1, out
    assert "DRIVE speed: 0.05 m/s is above the maximum 0.0447 m/s" in out
    assert f"{run.script}:1: failed; script stopped" in out
    assert [r for r in LogReader(run.log) if r.type is RecordType.UPLINK] == []


def test_a_hazardous_command_in_a_script_needs_confirm(fsw, tmp_path):
    run = console_script(fsw, tmp_path, "hazard", "WHEEL_ISOLATE wheel=LM\n")
    out = run.result.stdout + run.result.stderr
    assert run.result.returncode == 1, out
    assert "write `confirm WHEEL_ISOLATE wheel=LM` to send it from a script" in out
    assert [r for r in LogReader(run.log) if r.type is RecordType.UPLINK] == []
