"""The emulated Uno as a user of it sees it: a pty that boots the board when opened, resets it
when opened again, keeps the board's clock on the wall clock, survives being stopped, unplugged
and plugged back in behind the same symlink, and never leaves a process behind."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import serial

from hil.board.protocol import MsgType, StatusFlag
from hil.firmware import simavr
from hil.firmware.simavr import EmulatedUno, ToolchainMissing, runner_binary
from tests.hil.firmware.conftest import BoardPort

emulated = pytest.mark.hardware_emulation


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, ended but not yet reaped by its new parent, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def opened(uno: EmulatedUno) -> BoardPort:
    """The Uno's port opened through its symlink, the boot INFO received."""
    port = BoardPort(uno.port)
    port.boot_info = port.expect(MsgType.INFO, timeout=5.0)
    return port


@emulated
def test_the_board_waits_halted_until_its_port_is_opened(emulated_uno):
    assert emulated_uno.pty.startswith("/dev/pts/")
    assert str(emulated_uno.link.readlink()) == emulated_uno.pty
    time.sleep(0.5)
    port = opened(emulated_uno)
    try:
        assert port.status()["uptime_ms"] < 200  # booted at the open, not at the start
    finally:
        port.close()


@emulated
def test_the_board_clock_keeps_to_the_wall_clock(board):
    """Each uptime was taken between its HEARTBEAT's sending and its STATUS's arrival, so the
    board's elapsed time lies between the inner and the outer wall-clock spans of the two round
    trips, however slow a busy host makes them (2 ms for millis() and the byte times)."""
    asked = time.monotonic()
    first = board.status()
    answered = time.monotonic()
    time.sleep(1.0)
    asked_again = time.monotonic()
    second = board.status()
    answered_again = time.monotonic()
    board_s = (second["uptime_ms"] - first["uptime_ms"]) / 1000
    inner, outer = asked_again - answered, answered_again - asked
    assert inner - 0.002 <= board_s <= outer + 0.002, (inner, board_s, outer)


@emulated
def test_fast_mode_runs_ahead_of_the_wall_clock(uno_elf):
    with EmulatedUno(uno_elf, fast=True) as uno:
        port = opened(uno)
        try:
            first, started = port.status(), time.monotonic()
            time.sleep(0.3)
            second, elapsed = port.status(), time.monotonic() - started
        finally:
            port.close()
    assert (second["uptime_ms"] - first["uptime_ms"]) / 1000 > 2 * elapsed


@emulated
def test_opening_the_port_again_resets_the_board(board, emulated_uno):
    board.greet()
    board.send(MsgType.SETPOINT, seq=5, flags=1, drive=[500] * 6, steer=[0] * 4)
    assert board.expect(MsgType.STATUS)["answers"] == 5
    time.sleep(0.2)
    board.close()
    again = opened(emulated_uno)
    try:
        status = again.status()
        assert status["uptime_ms"] < 200 and status["answers"] == 0
        assert status["encoders"] == [0] * 6
        assert not status["flags"] & StatusFlag.GREETED
    finally:
        again.close()


@emulated
def test_stop_unplug_and_restart_behind_the_same_symlink(emulated_uno):
    uno = emulated_uno
    port = opened(uno)
    first_pid, first_pty = uno.pid, uno.pty
    uno.unplug()  # SIGKILL: the pty vanishes under the open port
    assert not alive(first_pid) and not uno.running
    assert not uno.link.exists() and not uno.link.is_symlink()
    with pytest.raises(serial.SerialException):
        for _ in range(20):
            port.serial.read(1)
    port.close()

    uno.restart()
    assert uno.pid != first_pid and str(uno.link.readlink()) == uno.pty
    port = opened(uno)
    port.greet()
    port.close()

    pid = uno.pid
    started = time.monotonic()
    uno.stop()  # SIGTERM: exits cleanly at once
    assert time.monotonic() - started < 1.0 and not alive(pid)
    assert not uno.link.exists()
    uno.restart()
    assert uno.running and str(uno.link.readlink()) == uno.pty
    assert first_pty.startswith("/dev/pts/")


@emulated
def test_a_stopped_runner_exits_with_status_0(uno_elf):
    uno = EmulatedUno(uno_elf).start()
    uno.stop()
    assert uno.returncode == 0
    uno.start().unplug()
    assert uno.returncode == -9


@emulated
def test_leaving_the_context_leaves_no_process(uno_elf, tmp_path):
    with EmulatedUno(uno_elf, link=tmp_path / "uno") as uno:
        pid = uno.pid
        assert alive(pid)
    assert not alive(pid)
    assert not (tmp_path / "uno").exists()


@emulated
def test_the_runner_is_compiled_once(uno_elf):
    runner = runner_binary()
    built = runner.stat().st_mtime_ns
    assert runner_binary() == runner and runner.stat().st_mtime_ns == built
    assert os.access(runner, os.X_OK)


@emulated
def test_a_runner_ends_with_the_process_that_started_it(uno_elf):
    code = (
        "import sys, time; from hil.firmware.simavr import EmulatedUno; "
        "print(EmulatedUno(sys.argv[1]).start().pid, flush=True); time.sleep(60)"
    )
    root = Path(__file__).resolve().parents[3]
    parent = subprocess.Popen(
        [sys.executable, "-c", code, str(uno_elf)], stdout=subprocess.PIPE, text=True, cwd=root
    )
    pid = int(parent.stdout.readline())
    assert alive(pid)
    parent.kill()  # no atexit handler runs
    parent.wait()
    deadline = time.monotonic() + 2.0
    while alive(pid):
        assert time.monotonic() < deadline, "the runner outlived its parent"
        time.sleep(0.02)


def test_a_missing_toolchain_names_the_install_script(monkeypatch):
    monkeypatch.setattr(simavr.shutil, "which", lambda name: None)
    with pytest.raises(ToolchainMissing, match=r"install-toolchain\.sh"):
        simavr.firmware_elf()
