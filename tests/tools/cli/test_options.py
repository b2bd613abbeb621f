"""Numeric options are checked as they are parsed: one line naming the option, what it takes and
what was given, exit status 2, nothing started (no log written, no link opened)."""

from __future__ import annotations

import pytest

from tools.cli import build_parser, main

SECONDS = "must be a positive number of seconds, at most 315360000 (ten years), got "
SPEED = "must be a number from 0.01 to 100 (times real time), got "
SEED = "must be a whole number from 0 to 4294967295, got "
BAUD = "not a standard baud rate: {} (e.g. 9600, 19200, 38400, 57600, 115200, 230400, 1000000)"


@pytest.mark.parametrize(
    ("argv", "option", "message"),
    [
        (["fsw", "--duration", "-5"], "--duration", SECONDS + "-5"),
        (["fsw", "--duration", "0"], "--duration", SECONDS + "0"),
        (["fsw", "--duration", "nan"], "--duration", SECONDS + "nan"),
        (["fsw", "--duration", "inf"], "--duration", SECONDS + "inf"),
        (["fsw", "--speed", "0"], "--speed", SPEED + "0"),
        (["fsw", "--speed", "-1"], "--speed", SPEED + "-1"),
        (["fsw", "--speed", "1e9"], "--speed", SPEED + "1e9"),
        (["fsw", "--speed", "nan"], "--speed", SPEED + "nan"),
        (["fsw", "--speed", "fast"], "--speed", SPEED + "fast"),
        (["fsw", "--speed", "1e-300"], "--speed", SPEED + "1e-300"),
        (["fsw", "--duration", "1e308"], "--duration", SECONDS + "1e308"),
        (["record", "--out", "LOG", "--duration", "1e308"], "--duration", SECONDS + "1e308"),
        (["console", "--connect-timeout", "1e308"], "--connect-timeout", SECONDS + "1e308"),
        (["fsw", "--baud", "123"], "--baud", BAUD.format(123)),
        (["fsw", "--baud", "fast"], "--baud", BAUD.format("fast")),
        (["fsw", "--board-baud", "0"], "--board-baud", BAUD.format(0)),
        (["fsw", "--seed", "-1"], "--seed", SEED + "-1"),
        (["fsw", "--seed", "1" * 31], "--seed", SEED + "1" * 31),
        (["fsw", "--seed", "4294967296"], "--seed", SEED + "4294967296"),
        (["run", "scenarios/flat-20m.toml", "--seed", "-1"], "--seed", SEED + "-1"),
        (["record", "--out", "LOG", "--duration", "-1"], "--duration", SECONDS + "-1"),
        (["record", "--out", "LOG", "--duration", "nan"], "--duration", SECONDS + "nan"),
        (["record", "--out", "LOG", "--baud", "123"], "--baud", BAUD.format(123)),
        (["console", "--connect-timeout", "-1"], "--connect-timeout", SECONDS + "-1"),
        (["console", "--baud", "123"], "--baud", BAUD.format(123)),
        (["replay", "LOG", "--follow", "--speed", "0"], "--speed",
         "must be a number from 0.01 to 10000 (times real time), got 0"),
        (["replay", "LOG", "--follow", "--speed", "1e9"], "--speed",
         "must be a number from 0.01 to 10000 (times real time), got 1e9"),
    ],
)  # fmt: skip
def test_a_bad_number_is_one_line_and_exit_2(argv, option, message, capsys, tmp_path):
    argv = [str(tmp_path / "x.tlm") if a == "LOG" else a for a in argv]
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"rover {argv[0]}: error: argument {option}: {message}"
    assert not any("Traceback" in line or "Error" in line for line in err)
    assert not (tmp_path / "x.tlm").exists()  # record left no empty log behind


@pytest.mark.parametrize(
    ("argv", "value"),
    [
        (["fsw", "--speed", "100"], 100.0),
        (["fsw", "--speed", "0.5"], 0.5),
        (["fsw", "--speed", "0.01"], 0.01),
        (["fsw", "--duration", "315360000"], 315360000.0),
        (["fsw", "--seed", "4294967295"], 4294967295),
        (["fsw", "--seed", "0"], 0),
        (["fsw", "--baud", "9600"], 9600),
        (["fsw", "--duration", "0.1"], 0.1),
    ],
)
def test_the_edges_of_each_range_are_taken(argv, value):
    args = build_parser().parse_args(argv)
    assert getattr(args, argv[1].removeprefix("--")) == value


def test_replay_speed_without_follow_is_refused(capsys, tmp_path):
    assert main(["replay", str(tmp_path / "x.tlm"), "--speed", "2"]) == 2
    assert capsys.readouterr().err == (
        "rover replay: --speed needs --follow (the whole log is read at once otherwise)\n"
    )
