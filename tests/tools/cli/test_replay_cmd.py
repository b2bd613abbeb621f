"""`rover replay` as a user runs it: the summary, the exports, and one-line refusals."""

import subprocess
import sys

import pytest

from tests.tools.replay.logs import SCENARIO, hk, write
from tools import runner, scenario
from tools.cli import main, replay_cmd
from tools.tlmlog import LogWriter


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    path = tmp_path_factory.mktemp("replay") / "rock.tlm"
    runner.run(scenario.load(SCENARIO), out=path)
    return path


def test_the_summary_is_the_default_output(log, capsys):
    assert main(["replay", str(log)]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # no progress bar, no warning
    lines = out.splitlines()
    assert lines[0] == f"log         {log} ({log.stat().st_size:,} bytes, 2,412 records)"
    assert "telemetry   2,403 packets" in lines
    assert "uplinked    1 command" in lines
    assert "sequence    no gaps over 10 APIDs" in lines
    assert not any("\x1b[" in line for line in lines)  # plain when not a terminal


def test_exports_are_written_and_listed(log, tmp_path, capsys):
    argv = ["replay", str(log), "--csv", str(tmp_path / "csv" / "deep"),
            "--raw", str(tmp_path / "down.bin"), "--plot", str(tmp_path / "rock.png")]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"wrote {tmp_path / 'csv' / 'deep' / 'HK.csv'} (300 rows)" in out
    assert f"wrote {tmp_path / 'csv' / 'deep' / 'events.csv'} (8 rows)" in out
    assert f"wrote {tmp_path / 'down.bin'} (2,411 packets)" in out
    assert out[-1] == f"wrote {tmp_path / 'rock.png'}"
    assert (tmp_path / "rock.png").stat().st_size > 40_000


def test_a_log_from_another_dictionary_is_read_with_a_warning(tmp_path, capsys):
    path = tmp_path / "other.tlm"
    with LogWriter(path, bytes(8)) as w:
        w.write(hk(0, 1.0), 1)
    assert main(["replay", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err.startswith(
        f"rover replay: warning: {path} was recorded with dictionary 0000000000000000"
    )
    assert "dictionary  log recorded with 0000000000000000, decoded with" in out


def test_the_dict_option_takes_a_dictionary_file(tmp_path, capsys):
    assert main(["dict", "--out", str(tmp_path / "d.json")]) == 0
    path = write(tmp_path / "a.tlm", [hk(0, 1.0), hk(1, 2.0)])
    capsys.readouterr()
    assert main(["replay", str(path), "--dict", str(tmp_path / "d.json")]) == 0
    out = capsys.readouterr().out
    assert "telemetry   2 packets" in out and "as the log's" in out


def test_help_says_raw_is_downlink_only(capsys):
    with pytest.raises(SystemExit):
        main(["replay", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "usage: rover replay" in text and "downlink only" in text and "--raw-uplink" in text


def one_line_refusal(argv, capsys) -> str:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "Traceback" not in err
    return err.strip()


def test_bad_inputs_are_refused_in_one_line(log, tmp_path, capsys):
    missing = tmp_path / "nope.tlm"
    assert one_line_refusal(["replay", str(missing)], capsys) == (
        f"rover replay: {missing}: cannot read (No such file or directory)"
    )
    text = tmp_path / "notes.txt"
    text.write_text("not a log\n")
    assert one_line_refusal(["replay", str(text)], capsys) == (
        f"rover replay: {text}: not a telemetry log (no log header)"
    )
    assert one_line_refusal(["replay", str(tmp_path)], capsys).endswith(
        "cannot read (Is a directory)"
    )
    assert one_line_refusal(["replay", str(log), "--csv", str(text)], capsys) == (
        f"rover replay: {text}: Not a directory"
    )
    assert one_line_refusal(["replay", str(log), "--csv", str(text / "sub")], capsys) == (
        f"rover replay: {text}: Not a directory"
    )
    nowhere = tmp_path / "no" / "such" / "down.bin"
    assert one_line_refusal(["replay", str(log), "--raw", str(nowhere)], capsys) == (
        f"rover replay: {nowhere.parent}: No such directory"
    )
    assert one_line_refusal(["replay", str(log), "--raw-uplink"], capsys) == (
        "rover replay: --raw-uplink goes with --raw FILE"
    )
    image = tmp_path / "x.nope"
    assert one_line_refusal(["replay", str(log), "--plot", str(image)], capsys) == (
        f"rover replay: {image}: matplotlib writes no '.nope' images; use .png (or .pdf, .svg, ...)"
    )


def test_refusal_from_the_installed_command_has_no_traceback(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "tools", "replay", str(tmp_path / "x.tlm")],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2 and out.stdout == ""
    assert (
        out.stderr.strip()
        == f"rover replay: {tmp_path / 'x.tlm'}: cannot read (No such file or directory)"
    )


def test_the_progress_bar_only_on_a_terminal(log, monkeypatch):
    with replay_cmd.progress_bar(10**9) as tell:
        assert tell is None  # stderr is captured here, not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with replay_cmd.progress_bar(10) as tell:
        assert tell is None  # a small log is over before a bar would show
    with replay_cmd.progress_bar(10**9) as tell:
        assert tell is not None
        tell("decoding", 5, 10)
        tell("decoding", 10, 10)
        tell("writing CSV", 1, 2)
