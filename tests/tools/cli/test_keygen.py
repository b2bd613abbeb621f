"""`rover keygen`, and `rover fsw` refusing to start without a key unless told --insecure."""

import re

import pytest

from tools.cli import main
from tools.ground.signer import read_key


def test_keygen_writes_a_key_that_fsw_and_console_read(tmp_path, capsys):
    path = tmp_path / "uplink.key"
    assert main(["keygen", "--out", str(path), "--spi", "3"]) == 0
    assert capsys.readouterr().out == (
        f"rover keygen: wrote uplink key SPI 3 to {path} (keep it secret)\n"
    )
    assert read_key(path).spi == 3
    assert main(["keygen", "--out", str(path)]) == 2
    assert "exists: keep it, or replace it with --force" in capsys.readouterr().err


def test_fsw_without_a_key_says_how_to_make_one_or_run_insecure(tmp_path, capsys):
    missing = tmp_path / "none.key"
    assert main(["fsw", "--listen", "127.0.0.1:0", "--key", str(missing)]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"rover fsw: no uplink key at {missing}: make one with `rover keygen --out {missing}`\n"
    )
    assert main(["fsw", "--key", str(missing), "--insecure"]) == 2
    assert "--key and --insecure: choose one" in capsys.readouterr().err


def test_fsw_insecure_says_so_before_it_boots(capsys):
    assert main(["fsw", "--listen", "127.0.0.1:0", "--insecure", "--duration", "0.3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"rover fsw: ground link on tcp 127\.0\.0\.1:\d+", out[0])
    assert out[1] == (
        "rover fsw: uplink NOT authenticated (--insecure): any command that reaches the link runs"
    )
    assert out[2] == (
        "rover fsw: downlink NOT authenticated (--insecure): telemetry goes plain, "
        "a relay can forge it"
    )
    assert any("Uplink and downlink NOT authenticated (--insecure)" in line for line in out)


def test_console_key_options_say_what_is_wrong(tmp_path, capsys):
    missing = tmp_path / "none.key"
    script = tmp_path / "x"
    script.write_text("PING 1\n")
    base = ["console", "--state-dir", str(tmp_path), "--no-record", "--script", str(script)]
    assert main([*base, "--key", str(missing), "--unsigned"]) == 2
    assert capsys.readouterr().err == "rover console: --key and --unsigned: choose one\n"
    assert main([*base, "--key", str(missing), "--connect-timeout", "0.1"]) == 2
    assert capsys.readouterr().err == (
        f"rover console: no uplink key at {missing}: make one with `rover keygen --out {missing}`\n"
    )


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ("abc", "--store-size 'abc': give a positive whole number"),
        ("1023", "--store-size 1023: the store holds at least 1024 bytes"),
        ("0K", "--store-size '0': give a positive whole number"),
        ("4096M", "--store-size 4096M: the store holds at most 4294967295 bytes"),
        ("99999999999999999999M", "the store holds at most 4294967295 bytes"),
    ],
)
def test_fsw_store_size_is_checked(size, message, capsys):
    assert main(["fsw", "--insecure", "--listen", "127.0.0.1:0", "--store-size", size]) == 2
    assert message in capsys.readouterr().err
