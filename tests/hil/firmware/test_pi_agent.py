"""The Raspberry Pi agent over a pseudo-terminal, as CI runs it: the flight side opens the pty's
slave with pyserial, the agent serves the master (in a thread), or the agent opens a device path
itself (as a process, stopped by a signal)."""

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

import pytest
import serial

from hil.board.endpoint import STATUS_FRAME, BoardEndpoint
from hil.board.motors import SimulatedMotors
from hil.board.protocol import (
    PROTOCOL_VERSION,
    BoardFault,
    BoardKind,
    Message,
    MsgType,
    RejectReason,
    StatusFlag,
    encode_frame,
)
from hil.board.stream import MessageStream
from hil.firmware.pi import load_driver, serve

ROOT = Path(__file__).resolve().parents[3]
LINE_RATE = 115200 / 10 / STATUS_FRAME  # STATUS frames per second a 115200-baud line carries


class Flight:
    """The flight computer's end: frames out, messages in, over any read/write pair."""

    def __init__(self, read, write) -> None:
        self._read, self._write = read, write
        self.stream = MessageStream()
        self.heard: list[Message] = []

    @classmethod
    def on_path(cls, path: str) -> "Flight":
        port = serial.Serial(path, 115200, timeout=0.02)
        flight = cls(lambda: port.read(port.in_waiting or 1), port.write)
        flight.port = port
        return flight

    @classmethod
    def on_fd(cls, fd: int) -> "Flight":
        def read() -> bytes:
            ready, _, _ = select.select([fd], [], [], 0.02)
            try:
                return os.read(fd, 4096) if ready else b""
            except OSError:  # EIO: the agent has not opened its end yet
                time.sleep(0.02)
                return b""

        return cls(read, lambda data: os.write(fd, data))

    def send(self, kind: MsgType, **fields) -> None:
        self._write(encode_frame(kind, **fields))

    def wait_for(self, kind: MsgType, timeout: float = 3.0, again=None) -> Message:
        """The next message of `kind`; `again()` is called every 0.25 s until it comes."""
        deadline, next_try = time.monotonic() + timeout, 0.0
        while time.monotonic() < deadline:
            if again is not None and time.monotonic() >= next_try:
                again()
                next_try = time.monotonic() + 0.25
            for message in self.stream.feed(self._read()).messages:
                self.heard.append(message)
                if message.type is kind:
                    return message
        raise AssertionError(f"no {kind.name} within {timeout} s; heard {self.heard}")

    def greet(self) -> Message:
        """HELLO every 250 ms until INFO, as the bridge does after opening the port."""
        return self.wait_for(
            MsgType.INFO, again=lambda: self.send(MsgType.HELLO, protocol=PROTOCOL_VERSION)
        )


@pytest.fixture
def pty():
    master, slave = os.openpty()
    path = os.ttyname(slave)
    os.close(slave)  # the flight side opens the path itself, as it would /dev/ttyACM0
    yield master, path
    with contextlib.suppress(OSError):
        os.close(master)


@pytest.fixture
def agent(pty):
    """The agent serving the pty master in a thread; yields the slave path and what it said."""
    master, path = pty
    stop, said, result = threading.Event(), [], {}

    def run() -> None:
        result["agent"] = serve(master, stop=stop, say=said.append)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield path, said, result
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive(), "the agent did not stop"


def test_hello_is_answered_by_info_of_a_raspberry_pi(agent):
    path, said, _ = agent
    flight = Flight.on_path(path)
    info = flight.greet()
    assert info["board"] == BoardKind.RASPBERRY_PI
    assert info["protocol"] == PROTOCOL_VERSION
    assert said[0].startswith("rover board agent: RASPBERRY_PI with simulated motors on fd ")


def test_a_setpoint_is_answered_by_status_and_the_wheels_turn(agent):
    flight = Flight.on_path(agent[0])
    flight.greet()
    flight.send(MsgType.SETPOINT, seq=41, flags=1, drive=[1000] * 6, steer=[0, 0, 0, 0])
    status = flight.wait_for(MsgType.STATUS)
    assert status["answers"] == 41
    assert status["flags"] & StatusFlag.GREETED and status["flags"] & StatusFlag.SIMULATED
    time.sleep(0.3)
    flight.send(MsgType.SETPOINT, seq=42, flags=1, drive=[1000] * 6, steer=[0, 0, 0, 0])
    later = flight.wait_for(MsgType.STATUS)
    assert later["answers"] == 42
    assert all(count > 20 for count in later["encoders"])  # 1 rad/s for 0.3 s: ~150 counts
    flight.send(MsgType.INJECT, fault=BoardFault.STALL, wheel=3)
    assert flight.wait_for(MsgType.STATUS)["stalled"] == 0b1000


def test_garbage_is_rejected_and_the_next_message_still_works(agent):
    flight = Flight.on_path(agent[0])
    flight.greet()
    flight.port.write(b"\x00\xff\xfe\x00")  # a COBS block that claims 254 bytes
    reject = flight.wait_for(MsgType.REJECT)
    assert (reject["type"], reject["reason"]) == (0, RejectReason.BAD_FRAME)
    flight.port.write(b"\x13\x37" * 300 + b"\x00")  # noise longer than any frame
    assert flight.wait_for(MsgType.REJECT)["reason"] == RejectReason.BAD_LENGTH
    flight.send(MsgType.HEARTBEAT, count=1)
    assert flight.wait_for(MsgType.STATUS)["rx_errors"] == 2


def test_the_agent_survives_its_peer_closing_and_serves_the_next_one(agent):
    path, said, _ = agent
    first = Flight.on_path(path)
    first.greet()
    before = len(said)
    first.port.close()  # the flight computer goes away
    time.sleep(0.3)
    second = Flight.on_path(path)
    assert second.greet()["board"] == BoardKind.RASPBERRY_PI
    second.send(MsgType.HEARTBEAT, count=2)
    assert second.wait_for(MsgType.STATUS)["flags"] & StatusFlag.GREETED  # the board ran on
    assert said[before:] == [  # once, however many times it looked meanwhile
        f"{said[before].split(':')[0]}: Input/output error; retrying every 0.02 s",
        f"{said[before].split(':')[0]}: open again",
    ]


def test_streaming_fills_the_line_and_never_outruns_it(agent):
    flight = Flight.on_path(agent[0])
    flight.greet()
    flight.send(MsgType.STREAM, period_ms=1)
    flight.wait_for(MsgType.STATUS)
    start, count = time.monotonic(), 0
    while time.monotonic() - start < 1.0:
        count += len(flight.stream.feed(flight.port.read(flight.port.in_waiting or 1)).messages)
    assert 0.5 * LINE_RATE <= count <= 1.05 * LINE_RATE + 2


def agent_process(port: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hil.firmware.pi", port, "--retry", "0.1"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )


def stopped(process: subprocess.Popen, sig: signal.Signals) -> str:
    process.send_signal(sig)
    try:
        _, err = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    return err


def test_the_program_waits_for_its_device_survives_unplugging_and_stops_on_sigterm(pty, tmp_path):
    master, pty_path = pty
    tty.setraw(master)
    device = tmp_path / "serial0"
    process = agent_process(str(device))
    try:
        time.sleep(0.5)  # absent: several attempts, one message
        device.symlink_to(pty_path)  # plugged in
        flight = Flight.on_fd(master)
        assert flight.wait_for(MsgType.INFO)["board"] == BoardKind.RASPBERRY_PI  # boot INFO
        assert flight.greet()["board"] == BoardKind.RASPBERRY_PI
        flight.send(MsgType.SETPOINT, seq=7, flags=1, drive=[0] * 6, steer=[0] * 4)
        assert flight.wait_for(MsgType.STATUS)["answers"] == 7
        os.close(master)  # unplugged: the pty goes away
        device.unlink()
        time.sleep(0.5)
        assert process.poll() is None, "the agent died when its port went away"
    finally:
        err = stopped(process, signal.SIGTERM)
    lines = err.splitlines()
    assert (
        lines[0]
        == f"rover board agent: RASPBERRY_PI with simulated motors on {device} at 115200 baud"
    )
    assert lines[1].startswith(f"{device}: could not open port")  # absent: said once
    assert lines[1].endswith(f"No such file or directory: '{device}'; retrying every 0.1 s")
    assert lines[2] == f"{device}: open again"
    assert lines[3].startswith(f"{device}: ")  # unplugged (EIO, or pyserial's "device
    assert lines[3].endswith("retrying every 0.1 s")  # reports readiness..."): said once
    assert lines[4] == "rover board agent: SIGTERM, stopping"
    assert lines[5].startswith("rover board agent: stopped; ") and len(lines) == 6


def test_the_program_stops_cleanly_on_ctrl_c(tmp_path):
    process = agent_process(str(tmp_path / "absent"))
    time.sleep(0.5)
    assert "SIGINT, stopping" in stopped(process, signal.SIGINT)


def test_a_motor_driver_is_named_module_colon_class():
    assert isinstance(load_driver(None), SimulatedMotors)
    assert isinstance(load_driver("hil.board.motors:SimulatedMotors"), SimulatedMotors)
    for spec, text in [
        ("nocolon", "expected module:Class"),
        ("no_such_module_here:X", "No module named"),
        ("hil.board.motors:Nothing", "has no attribute"),
        ("collections:OrderedDict", "lacks members of MotorDriver"),
    ]:
        with pytest.raises(ValueError, match=text):
            load_driver(spec)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["loop://", "--driver", "nocolon"], "expected module:Class"),
        (["nosuch://port"], "nosuch://port: invalid URL"),
        (["loop://", "--baud", "0"], "baud rate 0 is not a standard one (e.g. 9600, 57600, "),
        (["loop://", "--baud", "123"], "baud rate 123 is not a standard one (e.g. 9600, 57600, "),
        (["loop://", "--retry", "-1"], "argument --retry: must be a positive number of seconds"),
        (["loop://", "--retry", "nan"], "argument --retry: must be a positive number of seconds"),
        (["nosuch", "--retry", "1e308"], "argument --retry: must be a positive number of seconds"),
    ],
)
def test_a_bad_command_line_exits_2_saying_why(args, text):
    out = subprocess.run(
        [sys.executable, "-m", "hil.firmware.pi", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert out.returncode == 2
    assert text in out.stderr


class FakeGpio:
    """Just enough of gpiozero for the README's driver skeleton: outputs and step counters."""

    class Motor:
        def __init__(self, forward: int, backward: int, pwm: bool = True) -> None:
            self.pins, self.value = (forward, backward), 0.0

    class RotaryEncoder:
        def __init__(self, a: int, b: int, max_steps: int = 16) -> None:
            self.pins, self.steps = (a, b), 0


def test_the_readme_driver_skeleton_plugs_into_a_board(tmp_path, monkeypatch):
    readme = (ROOT / "hil" / "firmware" / "pi" / "README.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", readme, re.S)
    (tmp_path / "mymotors.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(sys.modules, "gpiozero", FakeGpio)
    driver = load_driver("mymotors:HatDriver")
    board = BoardEndpoint(BoardKind.RASPBERRY_PI, driver)
    board.boot(0)
    board.receive(encode_frame(MsgType.HELLO, protocol=PROTOCOL_VERSION), 0)
    drive = [600, 600, 600, -600, 0, 2000]
    board.receive(encode_frame(MsgType.SETPOINT, seq=1, flags=1, drive=drive, steer=[5] * 4), 1)
    board.tick(2)
    assert [m.value for m in driver.motors] == [0.3, 0.3, 0.3, -0.3, 0.0, 1.0]
    driver.encoders[0].steps = 1920  # one wheel turn of the skeleton's gear motor
    out = board.receive(encode_frame(MsgType.INJECT, fault=BoardFault.STALL, wheel=5), 3)
    (status,) = MessageStream().feed(out).messages
    assert status["encoders"][0] == 4096 and status["stalled"] == 0b100000
    assert not status["flags"] & StatusFlag.SIMULATED
    board.tick(4)
    assert driver.motors[5].value == 0  # the stall is faked by holding the wheel
