"""The Raspberry Pi agent: one board endpoint served on a serial port, kept up whatever happens.

`serve(port)` runs the board protocol (hil.board.endpoint, board kind RASPBERRY_PI) on a device
path or pyserial URL (/dev/serial0, /dev/ttyGS0, socket://..., loop://), or on an already-open
file descriptor such as a pty master (CI, tests). A bad frame is answered and forgotten; a port
that is absent or goes away is reported once and reopened every `retry` seconds (a file
descriptor is polled until its other end is open again) while the board keeps running; `stop`
ends it cleanly.

Streamed STATUS never outruns the line: the agent models the bytes still in flight at the baud
rate (a pty or USB gadget has no real baud rate) and also asks the port (pyserial's out_waiting)
when it can, and lets the endpoint stream only when a whole STATUS frame fits in TX_BUDGET.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import termios
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import serial

from hil.board.endpoint import STATUS_FRAME, BoardEndpoint
from hil.board.protocol import BoardKind
from hil.firmware.pi.driver import MotorDriver
from hil.messages import Say, error_text, say_on_stderr

RETRY = 1.0
"""s between attempts to reopen a serial port that is absent or went away."""
PEER_POLL = 0.02
"""s between looks at a file descriptor whose other end is closed (a pty nobody opened)."""
POLL = 0.002
"""s a read waits for bytes: the motors, dead-man and stream advance at least this often."""
TX_BUDGET = 2 * STATUS_FRAME
"""Bytes allowed in flight before a streamed STATUS waits: one on the wire, one queued."""
WRITE_TIMEOUT = 0.05
"""s a serial write may wait for room before its bytes are dropped (never block the board)."""


class LinkLost(Exception):
    """The port went away (unplugged, closed by the other end)."""


class Link(Protocol):
    """What the agent needs of a port."""

    def read(self) -> bytes:
        """Bytes received, waiting at most POLL; raises LinkLost."""
        ...

    def write(self, data: bytes) -> int:
        """Write without blocking for long; bytes written (the rest is dropped); LinkLost."""
        ...

    def queued(self) -> int:
        """Bytes the port still holds to send, if it can tell (else 0)."""
        ...

    def close(self) -> None:
        """Let go of the port."""
        ...


class FdLink:
    """An open file descriptor (a pty master, a tty), made raw and non-blocking; not ours to
    close."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        with contextlib.suppress(termios.error):
            tty.setraw(fd)  # on a pty master this sets the slave's line discipline: raw bytes
        os.set_blocking(fd, False)

    def read(self) -> bytes:
        """Bytes received within POLL."""
        try:
            ready, _, _ = select.select([self.fd], [], [], POLL)
            if not ready:
                return b""
            data = os.read(self.fd, 4096)
        except BlockingIOError:
            return b""
        except OSError as err:  # EIO: a pty whose other end is closed
            raise LinkLost(err.strerror or str(err)) from None
        if not data:
            raise LinkLost("end of file")
        return data

    def write(self, data: bytes) -> int:
        """As much of `data` as fits now."""
        try:
            return os.write(self.fd, data)
        except BlockingIOError:
            return 0
        except OSError as err:
            if err.errno == errno.EIO:  # nobody on the other end: as good as sent
                return 0
            raise LinkLost(err.strerror or str(err)) from None

    def queued(self) -> int:
        """Unknown for a pty: 0."""
        return 0

    def close(self) -> None:
        """Nothing: the caller owns the descriptor."""


class SerialLink:
    """A port opened through pyserial's serial_for_url."""

    def __init__(self, url: str, baudrate: int) -> None:
        self.port = serial.serial_for_url(
            url, baudrate=baudrate, timeout=POLL, write_timeout=WRITE_TIMEOUT, do_not_open=True
        )
        self.port.open()

    def read(self) -> bytes:
        """Bytes received within POLL."""
        try:
            return bytes(self.port.read(self.port.in_waiting or 1))
        except (OSError, serial.SerialException, TypeError, ValueError) as err:
            raise LinkLost(error_text(err)) from None

    def write(self, data: bytes) -> int:
        """`data`, or what got out of it before WRITE_TIMEOUT."""
        try:
            return self.port.write(data) or 0
        except serial.SerialTimeoutException:
            return 0
        except (OSError, serial.SerialException, TypeError, ValueError) as err:
            raise LinkLost(error_text(err)) from None

    def queued(self) -> int:
        """pyserial's out_waiting, where the port has one."""
        try:
            return int(self.port.out_waiting)
        except (AttributeError, NotImplementedError, OSError, serial.SerialException):
            return 0

    def close(self) -> None:
        """Close the port."""
        with contextlib.suppress(OSError, serial.SerialException):
            self.port.close()


class LinePacer:
    """Bytes still on the line at `baudrate` (10 bit times per byte), from what was written."""

    def __init__(self, baudrate: int) -> None:
        self.bytes_per_s = baudrate / 10
        self._queued, self._at = 0.0, 0.0

    def queued(self, now: float) -> float:
        """Bytes not yet on the wire at `now` (s)."""
        return max(0.0, self._queued - (now - self._at) * self.bytes_per_s)

    def sent(self, count: int, now: float) -> None:
        """`count` bytes were written at `now`."""
        self._queued, self._at = self.queued(now) + count, now


@dataclass
class AgentCounters:
    """What the agent did, for its log line and for tests."""

    received: int = 0  # bytes read
    sent: int = 0  # bytes written
    dropped: int = 0  # bytes that did not fit (a peer that stopped reading)
    opened: int = 0  # times the port was opened (or found open again)
    lost: int = 0  # times it went away


class Agent:
    """One board endpoint and the clock it runs on; `run` serves it on ports as they come."""

    def __init__(
        self,
        endpoint: BoardEndpoint,
        baudrate: int,
        say: Say = say_on_stderr,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint, self.baudrate, self.say, self.clock = endpoint, baudrate, say, clock
        self.counters = AgentCounters()
        self._start = clock()
        self._boot_info = endpoint.boot(self.now_ms())

    def now_ms(self) -> int:
        """Milliseconds since the agent started (the board's clock)."""
        return int((self.clock() - self._start) * 1000)

    def run(
        self, opener: Callable[[], Link], name: str, stop: threading.Event, retry: float
    ) -> None:
        """Serve on what `opener` opens until `stop` is set, reopening it when it goes away."""
        trouble, up = "", False  # what is wrong now (said once until it is over); port working

        def came_back() -> None:
            nonlocal trouble, up
            self.counters.opened += 1
            up = True
            if trouble:
                self.say(f"{name}: open again")
            trouble = ""

        while not stop.is_set():
            try:
                link = opener()
            except (OSError, ValueError, serial.SerialException) as err:
                trouble = self._trouble(name, trouble, error_text(err), retry)
                self._idle(stop, retry)
                continue
            try:
                self._serve(link, stop, came_back)
                return
            except LinkLost as err:
                if up:  # not an fd whose other end is still closed
                    self.counters.lost += 1
                    up = False
                trouble = self._trouble(name, trouble, str(err), retry)
            finally:
                link.close()
            self._idle(stop, retry)

    def _serve(self, link: Link, stop: threading.Event, came_back: Callable[[], None]) -> None:
        """Serve one open port until it goes away (LinkLost) or `stop` is set."""
        pacer, first = LinePacer(self.baudrate), True
        self._write(link, pacer, self._boot_info)  # only the first port ever sees it
        self._boot_info = b""
        while not stop.is_set():
            data = link.read()
            if first:  # it opened and reads: whatever was wrong is over
                came_back()
                first = False
            now = self.now_ms()
            if data:
                self.counters.received += len(data)
                self._write(link, pacer, self.endpoint.receive(data, now))
            in_flight = max(pacer.queued(self.clock()), link.queued())
            self._write(link, pacer, self.endpoint.tick(now, int(TX_BUDGET - in_flight)))

    def _write(self, link: Link, pacer: LinePacer, data: bytes) -> None:
        if not data:
            return
        written = link.write(data)
        pacer.sent(written, self.clock())
        self.counters.sent += written
        self.counters.dropped += len(data) - written

    def _idle(self, stop: threading.Event, seconds: float) -> None:
        """Wait `seconds` (or until stopped), the board running on: no port, nothing sent."""
        deadline = self.clock() + seconds
        while not stop.is_set() and self.clock() < deadline:
            self.endpoint.tick(self.now_ms(), tx_room=0)
            stop.wait(min(POLL * 5, max(0.0, deadline - self.clock())))

    def _trouble(self, name: str, trouble: str, text: str, retry: float) -> str:
        if not trouble:
            self.say(f"{name}: {text}; retrying every {retry:g} s")
        return trouble or text


def serve(
    port: str | int,
    baudrate: int = 115200,
    *,
    motors: MotorDriver | None = None,
    stop: threading.Event | None = None,
    retry: float = RETRY,
    say: Say = say_on_stderr,
) -> Agent:
    """Serve the board protocol on `port` (a device path, a pyserial URL, or an open file
    descriptor) until `stop` is set; the agent, with its endpoint and counters, at the end."""
    if baudrate not in serial.Serial.BAUDRATES:
        raise ValueError(f"baud rate {baudrate} is not a standard one (e.g. 9600, 57600, 115200)")
    stop = stop if stop is not None else threading.Event()
    agent = Agent(BoardEndpoint(BoardKind.RASPBERRY_PI, motors), baudrate, say)
    kind = "simulated motors" if agent.endpoint.motors.simulated else "a motor driver"
    if isinstance(port, int):
        fd_link, name, retry = FdLink(port), f"fd {port}", min(retry, PEER_POLL)

        def opener() -> Link:
            return fd_link  # an fd is not reopened: the agent waits for its other end
    else:
        name = port
        try:  # the scheme and settings are checked now; the port is opened (and reopened) later
            serial.serial_for_url(port, baudrate=baudrate, do_not_open=True)
        except (ValueError, serial.SerialException) as err:
            raise ValueError(f"{port}: {err}") from None

        def opener() -> Link:
            return SerialLink(port, baudrate)

    say(f"rover board agent: RASPBERRY_PI with {kind} on {name} at {baudrate} baud")
    agent.run(opener, name, stop, retry)
    return agent
