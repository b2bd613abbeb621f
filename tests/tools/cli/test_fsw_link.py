"""`rover fsw` as an operator (or a script) runs it: it says where it listens, takes commands over
TCP or a serial line, stops cleanly with a summary, and refuses bad options in one line."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hil.support import Ground
from tools.cli import main
from tools.ground.signer import Signer, default_key_path, read_key
from tools.ground.verifier import DownlinkVerifier

LISTENING = re.compile(r"^rover fsw: ground link on tcp 127\.0\.0\.1:(\d+)$")


class Fsw:
    """`rover fsw` in a subprocess, its output collected line by line."""

    def __init__(self, *args: str, preexec: Callable[[], None] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tools", "fsw", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=preexec,  # noqa: PLW1509 (set before the child runs any thread)
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str | re.Pattern, timeout: float = 20.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if m := re.search(pattern, line):
                    return m
            assert self.proc.poll() is None or self._reader.is_alive(), self.lines
            time.sleep(0.01)
        raise AssertionError(f"no {pattern!r} in {self.lines}")

    def finish(self, timeout: float = 20.0) -> tuple[int, str]:
        try:
            code = self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self._reader.join(5)
        assert self.proc.stderr is not None
        return code, self.proc.stderr.read()


def test_rover_fsw_takes_a_command_over_tcp_and_exits_0():
    # 40 mission seconds at 20x: two wall seconds to connect and command before it stops
    fsw = Fsw("--listen", "127.0.0.1:0", "--speed", "20", "--duration", "40")
    port = int(fsw.wait_for(LISTENING).group(1))
    assert fsw.lines[0] == f"rover fsw: ground link on tcp 127.0.0.1:{port}"  # first, for scripts
    ground = Ground.tcp(("127.0.0.1", port))
    key = read_key(default_key_path())
    ground.signer = Signer(key, lambda: time.time_ns() // 1000)
    ground.verifier = DownlinkVerifier(key)  # the downlink comes sealed: only it is believed
    ground.send("PING", 42, token=42)
    assert ground.stages(42) == ["ACCEPTED", "STARTED", "COMPLETED"]
    hk = ground.until(lambda p: p.name == "HK")
    assert ground.verifier.verified == len(ground.heard) and not ground.verifier.refused
    code, err = fsw.finish()
    ground.close()
    assert (code, err) == (0, "")
    assert "PING reply, token 42" in "\n".join(fsw.lines)  # events still printed
    kept = Path(os.environ["ROVER_STATE_DIR"]) / "nvram" / "uplink-sn-1"  # survives a restart
    assert int(kept.read_text()) == ground.signer.next_sn - 1
    lease = kept.with_name("downlink-sn-1")  # the downlink's numbers stay above every one sent
    assert int(lease.read_text()) > ground.verifier.window.highest
    assert any(line.startswith("t+") and " HK " in line for line in fsw.lines)
    assert any(re.fullmatch(r"rover fsw: ground 127\.0\.0\.1:\d+ connected", x) for x in fsw.lines)
    summary = fsw.lines[-1]
    assert re.fullmatch(r"rover fsw: link: \d+ frames down, \d+ dropped .*, 1 connection", summary)
    assert int(summary.split()[3]) > hk.seq_count  # every HK since connecting, and more


def test_rover_fsw_stops_on_ctrl_c_with_a_summary():
    fsw = Fsw("--listen", "127.0.0.1:0", "--quiet")
    fsw.wait_for(LISTENING)
    fsw.wait_for("flight software on the simulated rover")
    fsw.proc.send_signal(signal.SIGINT)
    code, err = fsw.finish()
    assert (code, err) == (0, "")
    assert fsw.lines[-2:-1] == ["rover fsw: stopped"]
    assert re.fullmatch(
        r"rover fsw: link: 0 frames down, (\d+) dropped \(\1 with no ground.*", fsw.lines[-1]
    )
    assert not any(line.startswith("t+") for line in fsw.lines)  # --quiet


def test_rover_fsw_stops_on_sigterm_as_on_ctrl_c():
    # systemd's `systemctl stop` (and `kill PID`): the summary, then exit 0, a clean stop
    fsw = Fsw("--listen", "127.0.0.1:0", "--quiet", "--insecure")
    fsw.wait_for(LISTENING)
    fsw.wait_for("flight software on the simulated rover")
    fsw.proc.send_signal(signal.SIGTERM)
    code, err = fsw.finish()
    assert (code, err) == (0, "")
    assert fsw.lines[-2] == "rover fsw: stopped by SIGTERM"
    assert re.fullmatch(r"rover fsw: link: 0 frames down, (\d+) dropped .*", fsw.lines[-1])


def test_rover_fsw_over_a_serial_line():
    master, slave = os.openpty()
    tty.setraw(master)
    path = os.ttyname(slave)
    os.close(slave)
    try:
        fsw = Fsw("--link", path, "--baud", "57600", "--speed", "20", "--duration", "40", "--quiet")
        fsw.wait_for(f"^rover fsw: ground link on serial {path} at 57600 baud$")
        fsw.wait_for("flight software on the simulated rover")
        ground = Ground.fd(master)
        ground.signer = Signer(read_key(default_key_path()), lambda: time.time_ns() // 1000)
        for _ in range(100):  # until the emulator has opened its end
            ground.send("PING", 8, token=8)
            with contextlib.suppress(AssertionError):
                assert ground.stages(8, timeout=0.1)[-1] == "COMPLETED"
                break
        else:
            pytest.fail(f"no verification over {path}: {fsw.lines}")
        assert fsw.finish() == (0, "")
    finally:
        os.close(master)


def test_a_port_in_use_exits_2_with_one_line():
    taken = socket.create_server(("127.0.0.1", 0))
    port = taken.getsockname()[1]
    try:
        out = subprocess.run(
            [sys.executable, "-m", "tools", "fsw", "--listen", f"127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        taken.close()
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        f"rover fsw: cannot listen on tcp 127.0.0.1:{port}: Address already in use"
    ]
    assert out.stdout == ""


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--listen", "50200"], "--listen '50200': give HOST:PORT, e.g. 127.0.0.1:50200"),
        (["--listen", "localhost:http"], "--listen 'localhost:http': give HOST:PORT, e.g. "),
        (["--listen", "127.0.0.1:70000"], "--listen '127.0.0.1:70000': give HOST:PORT, e.g. "),
        (["--link", "nope://x"], "serial link nope://x: invalid URL, protocol 'nope' not known"),
        (["--hardware", "board"], "--hardware 'board': give sim, or serial://DEVICE for a board"),
        (["--hardware", "serial://"], "--hardware 'serial://': give sim, or serial://DEVICE"),
        (["--hardware", "serial://nope://x"], "board link nope://x: invalid URL, protocol 'nope'"),
        (["--hardware", "serial://loop://", "--speed", "10"], "--speed 10: a board keeps the "),
    ],
)
def test_bad_options_exit_2_with_one_line(args, reason, capsys):
    assert main(["fsw", *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"rover fsw: {reason}") and captured.err.count("\n") == 1
    assert captured.out == ""


@pytest.mark.parametrize("newest_wins", [False, True])
def test_a_new_ground_takes_the_link_only_with_the_key_unless_newest_wins(newest_wins):
    fsw = Fsw("--listen", "127.0.0.1:0", "--speed", "5", *["--newest-wins"] * newest_wins)
    port = int(fsw.wait_for(LISTENING).group(1))
    operator = Ground.tcp(("127.0.0.1", port))
    operator.signer = Signer(read_key(default_key_path()), lambda: time.time_ns() // 1000)
    operator.send("PING", 1, token=1)
    assert operator.stages(1)[-1] == "COMPLETED"
    stranger = Ground.tcp(("127.0.0.1", port))
    stranger.send("PING", 2, token=2)  # unsigned
    try:
        if newest_wins:
            fsw.wait_for(r"connected; 127\.0\.0\.1:\d+ replaced \(newest wins\)$")
            assert stranger.until(lambda p: p.name == "HK")
        else:
            fsw.wait_for(
                r"refused: its first packet \(APID 16\) is not signed with the uplink key; "
                r"127\.0\.0\.1:\d+ keeps the link$"
            )
            operator.send("PING", 3, token=3)
            assert operator.stages(3)[-1] == "COMPLETED"
            radio = operator.until(lambda p: p.name == "RADIO" and p.values["refused"] == 1)
            assert radio.shown()["connected"] == "YES" and radio.values["connections"] == 2
    finally:
        operator.close()
        stranger.close()
        fsw.proc.send_signal(signal.SIGINT)
    assert fsw.finish() == (0, "")
    summary = fsw.lines[-1]
    assert summary.endswith("2 connections" if newest_wins else "(0 took over by proof, 1 refused)")


def test_newest_wins_is_for_a_tcp_link(capsys):
    assert main(["fsw", "--link", "loop://", "--newest-wins"]) == 2
    assert capsys.readouterr().err == (
        "rover fsw: --newest-wins is for a TCP link; a serial line has one ground\n"
    )
