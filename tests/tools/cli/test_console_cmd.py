"""`rover console` start-up mistakes: one line on standard error, status 2, nothing on standard
output, and the line says what is wrong (not a neighbour's message, not a Python class)."""

import pytest

from tools.cli import main


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("socket://:::", "link 'socket://:::': no port; write socket://HOST:PORT"),
        ("socket://:50200", "link 'socket://:50200': no host"),
        ("socket://localhost:99999", "port '99999' is not a number 1..65535"),
        ("socket://localhost:http", "port 'http' is not a number 1..65535"),
    ],
)
def test_a_link_url_that_cannot_work_is_refused_at_once(url, says, capsys, tmp_path):
    args = ["console", "--state-dir", str(tmp_path), "--unsigned", "--no-record", "--link", url]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("rover console: ") and says in err and err.count("\n") == 1, err


def scripts(tmp_path):
    binary = tmp_path / "binary"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\xff\xfe")
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"NOOP\x00\n")
    return {
        "dir": (tmp_path, f"--script {tmp_path}: a directory, not a script file"),
        "missing": (tmp_path / "no.txt", f"--script {tmp_path / 'no.txt'}: no such file"),
        "binary": (binary, f"--script {binary}: not a text file (byte 8 is not UTF-8)"),
        "nul": (nul, f"--script {nul}: not a text file (it holds NUL bytes)"),
    }


@pytest.mark.parametrize("kind", ["dir", "missing", "binary", "nul"])
def test_a_script_that_is_no_script_is_named_for_what_it_is(kind, capsys, tmp_path):
    path, says = scripts(tmp_path)[kind]
    args = ["console", "--state-dir", str(tmp_path / "state"), "--unsigned", "--no-record",
            "--link", "socket://127.0.0.1:9", "--script", str(path)]  # fmt: skip
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"rover console: {says}\n" or err.startswith(f"rover console: {says};"), err
    assert "Error" not in err and "Traceback" not in err


def test_a_link_that_never_comes_up_is_said_on_standard_error(capsys, tmp_path):
    script = tmp_path / "noop.txt"
    script.write_text("NOOP\n")
    args = ["console", "--state-dir", str(tmp_path / "state"), "--unsigned", "--no-record",
            "--link", "socket://127.0.0.1:9", "--script", str(script),
            "--connect-timeout", "0.5"]  # fmt: skip
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert "did not come up" not in out
    assert "rover console: link socket://127.0.0.1:9 did not come up within 0.5 s" in err


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_a_los_timeout_that_is_no_time_is_refused(value, capsys, tmp_path):
    args = ["console", "--state-dir", str(tmp_path), "--unsigned", "--no-record",
            "--los-timeout", value]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rover console: --los-timeout {value}: a number of seconds above 0")
