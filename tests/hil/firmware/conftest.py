"""Fixtures for tests against the real firmware on an emulated Uno (simavr).

`uno_elf` (session): the firmware built once. `emulated_uno`: a running EmulatedUno whose port is
a symlink in tmp_path (`uno.link`); nothing has opened it yet, so the AVR is still halted.
`board`: that Uno's port opened with pyserial, its boot INFO received, as a `BoardPort`.
Other test packages can reuse them: `from tests.hil.firmware.conftest import uno_elf, ...`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import serial

from hil.board.protocol import Message, MsgType, encode_frame
from hil.board.stream import Discarded, MessageStream
from hil.firmware.simavr import EmulatedUno, firmware_elf

BAUD = 115200
WAIT = 5.0
"""s to wait for an answer before failing: only an upper bound (an answer ends the wait), so
generous enough for a busy 2-core machine that holds this process up for a second or two.
Promptness is judged by the board's own clock (uptime_ms), never by these waits."""


class BoardPort:
    """A flight computer's end of the serial line, as a test drives it: frames out, messages in."""

    boot_info: Message | None = None  # the INFO the board sent when it booted (the fixture sets it)

    def __init__(self, port: str) -> None:
        self.serial = serial.Serial(port, BAUD, timeout=0, exclusive=True)  # as BoardLink does
        self.stream = MessageStream()
        self.discarded: list[Discarded] = []
        self._pending: list[tuple[float, Message]] = []

    def close(self) -> None:
        self.serial.close()

    def send(self, kind: MsgType, **fields: Any) -> float:
        """Send one message; the time it was written (time.monotonic())."""
        return self.write(encode_frame(kind, **fields))

    def write(self, data: bytes) -> float:
        """Send raw bytes (a frame, or a broken one); the time they were written."""
        self.serial.write(data)
        return time.monotonic()

    def _pump(self, timeout: float) -> None:
        self.serial.timeout = max(timeout, 0.0)
        data = self.serial.read(max(1, self.serial.in_waiting))
        now = time.monotonic()
        fed = self.stream.feed(data)
        self.discarded += fed.discarded
        self._pending += [(now, m) for m in fed.messages]

    def next(self, timeout: float = WAIT) -> tuple[float, Message]:
        """The next message and when it arrived; fails after `timeout` s."""
        deadline = time.monotonic() + timeout
        while not self._pending:
            left = deadline - time.monotonic()
            assert left > 0, f"no message from the board within {timeout} s"
            self._pump(min(left, 0.05))
        return self._pending.pop(0)

    def expect(self, kind: MsgType, timeout: float = WAIT) -> Message:
        """The next message, which must be of `kind`."""
        message = self.next(timeout)[1]
        assert message.type == kind, f"expected {kind.name}, got {message}"
        return message

    def wait_for(
        self, check: Callable[[Message], bool], timeout: float = WAIT
    ) -> tuple[float, Message]:
        """Skip messages until one passes `check`; it and its arrival time."""
        deadline = time.monotonic() + timeout
        while True:
            arrived, message = self.next(max(deadline - time.monotonic(), 0.001))
            if check(message):
                return arrived, message

    def quiet(self, seconds: float) -> list[Message]:
        """Everything that arrives within `seconds`."""
        end, out = time.monotonic() + seconds, []
        while (left := end - time.monotonic()) > 0:
            self._pump(min(left, 0.05))
        out, self._pending = [m for _, m in self._pending], []
        return out

    def status(self) -> Message:
        """A STATUS, asked for with a HEARTBEAT (nothing else may be on its way)."""
        self.send(MsgType.HEARTBEAT, count=0)
        return self.expect(MsgType.STATUS)

    def greet(self) -> Message:
        """HELLO of this protocol version; the INFO that answers it."""
        self.send(MsgType.HELLO, protocol=1)
        return self.expect(MsgType.INFO)


@pytest.fixture(scope="session")
def uno_elf() -> Path:
    """The firmware, built (or found up to date) once per session."""
    return firmware_elf()


@pytest.fixture
def emulated_uno(uno_elf: Path, tmp_path: Path) -> Iterator[EmulatedUno]:
    """A started emulated Uno behind the symlink tmp_path/ttyUno; stopped afterwards."""
    with EmulatedUno(uno_elf, link=tmp_path / "ttyUno") as uno:
        yield uno


@pytest.fixture
def board(emulated_uno: EmulatedUno) -> Iterator[BoardPort]:
    """The emulated Uno's port, opened; its boot INFO already received (`board.boot_info`)."""
    port = BoardPort(emulated_uno.port)
    try:
        port.boot_info = port.expect(MsgType.INFO, timeout=3 * WAIT)
        yield port
    finally:
        port.close()
