"""The flight computer's end of the board link: opens the port, waits for the board, handshakes,
keeps the link alive, and keeps the latest STATUS for the hardware port.

It never crashes the flight software: a board that is absent, unplugged, reset, silent or
speaking another protocol version is reported once, and the port is opened and greeted again
until the board is back. Everything runs on one thread of its own except `send_setpoint()` and
`inject()`, which the flight thread calls and which write at once (the round trip starts there).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import serial

from fsw.port import LinkStatus
from fsw.tables.enums import BoardKind
from hil.board.counters import LinkCounters
from hil.board.protocol import (
    PROTOCOL_VERSION,
    BoardFault,
    Message,
    MsgType,
    RejectReason,
    SetpointFlag,
    StatusFlag,
    VersionMismatch,
    check_info,
    encode_frame,
)
from hil.board.stream import MessageStream
from hil.messages import Say, error_text, say_on_stderr

BOOT_WAIT = 3.0
"""s the board has to answer after the port opens (an Uno's bootloader takes about 1.6 s)."""
HELLO_EVERY = 0.25
"""s between HELLOs while waiting for the board."""
SILENCE_LIMIT = 0.5
"""s without a good frame after which the board counts as lost and the port is reopened."""
HEARTBEAT_EVERY = 0.2
"""s without anything sent after which a HEARTBEAT goes (the flight software may be asleep)."""
RETRY = 0.5
"""s between attempts to open a port that is absent, or to greet a board that did not answer."""
REBOOT_SLACK_MS = 500
"""A board whose uptime is this far behind what the wall clock says it should be has rebooted
(even one whose boot INFO was lost), and its encoders are continued from where they were."""


@dataclass(frozen=True, slots=True)
class BoardState:
    """The latest STATUS, with encoder counts continued across board reboots."""

    received: float  # monotonic time it arrived
    answers: int
    uptime_ms: int
    flags: StatusFlag
    stalled: int
    open_circuit: int
    encoder_lost: int
    encoders: tuple[int, ...]  # board counts plus the offsets kept across reboots
    currents_ma: tuple[int, ...]
    steer_mrad: tuple[int, ...]


class BoardLink:
    """One board on one serial port (a device path or any pyserial URL)."""

    def __init__(
        self,
        url: str,
        baudrate: int = 115200,
        *,
        say: Say = say_on_stderr,
        boot_wait: float = BOOT_WAIT,
        silence_limit: float = SILENCE_LIMIT,
        retry: float = RETRY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if baudrate <= 0:
            raise ValueError(f"board link {url}: baud rate {baudrate} must be positive")
        try:  # checks the URL's scheme and the settings now; the thread opens it
            self._port = serial.serial_for_url(  # exclusive: no second program reads our board
                url, baudrate=baudrate, timeout=0.01, write_timeout=0.2, do_not_open=True,
                exclusive=True,
            )  # fmt: skip
        except (ValueError, serial.SerialException) as err:
            raise ValueError(f"board link {url}: {err}") from None
        self.url, self.baudrate = url, baudrate
        self._say, self._clock = say, clock
        self.boot_wait, self.silence_limit, self.retry = boot_wait, silence_limit, retry
        self.counters = LinkCounters()
        self.info: Message | None = None  # the board's last INFO
        self.state: BoardState | None = None  # its last STATUS
        self.connected = False
        self.last_error = ""
        self.updated = threading.Condition()  # notified at every STATUS and change of state
        self._stream = MessageStream()
        self._write_lock = threading.Lock()
        self._open = False
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = clock()
        self._last_rx = self._last_tx = self._last_hello = self._heard_through = -1e9
        self._alive = -1e9  # last good frame while connected (_heard_through: all read before)
        self._said: set[str] = set()  # refusals already reported on this connection
        self._seq = 0
        self._heartbeats = 0
        self._sent_at: dict[int, float] = {}  # setpoints awaiting their STATUS
        self._pending_lock = threading.Lock()  # the flight thread adds, the link thread takes
        self._offsets = [0] * 6

    # ---- for the flight thread -------------------------------------------------------------

    def start(self) -> None:
        """Start the link's thread: it opens the port and greets the board."""
        self._thread = threading.Thread(target=self._run, name="board-link", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the thread and let go of the port."""
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._close_port()

    def wait_connected(self, timeout: float) -> bool:
        """Wait until a board has answered the handshake (True) or `timeout` s passed."""
        with self.updated:
            return self.updated.wait_for(lambda: self.connected, timeout)

    def send_setpoint(self, drive_mrad: list[int], steer_mrad: list[int], powered: bool) -> int:
        """Send wheel rates and corner angles; returns the sequence number they went with."""
        self._seq = seq = (self._seq + 1) & 0xFFFF
        flags = SetpointFlag.POWERED if powered else SetpointFlag(0)
        data = encode_frame(
            MsgType.SETPOINT, seq=seq, flags=flags, drive=drive_mrad, steer=steer_mrad
        )
        if self.connected:
            with self._pending_lock:
                self._sent_at[seq] = self._clock()
                if len(self._sent_at) > 32:  # answers that never came are forgotten
                    del self._sent_at[next(iter(self._sent_at))]
            self._write(data)
        return seq

    def inject(self, fault: BoardFault, wheel: int) -> None:
        """Test only: make the board's motors have a fault (CLEAR removes them all)."""
        if not self.connected or not self._write(
            encode_frame(MsgType.INJECT, fault=fault, wheel=wheel)
        ):
            raise ConnectionError(f"board link {self.url}: no board is connected")

    def stream(self, period_ms: int) -> None:
        """Ask the board for a STATUS every `period_ms` unasked (0 stops)."""
        self._write(encode_frame(MsgType.STREAM, period_ms=period_ms))

    def silence(self) -> float:
        """s since a greeted board last sent a good frame (since the link started, if never; one
        never greeted is silent). While connected, counted to the link thread's last read: a
        busy host that held the thread up has not heard the board yet, not the board's silence."""
        until = self._heard_through if self.connected else self._clock()
        return max(0.0, until - max(self._alive, self._started))

    def status(self) -> LinkStatus:
        """The link as HW_LINK telemetry reports it."""
        info, state, n = self.info, self.state, self.counters
        firmware = (
            (0, 0, 0) if info is None else (info["fw_major"], info["fw_minor"], info["fw_patch"])
        )
        board = BoardKind.NONE
        if info is not None:
            with contextlib.suppress(ValueError):
                board = BoardKind(info["board"])
        return LinkStatus(
            connected=self.connected,
            board=board,
            firmware=firmware,
            board_uptime=0.0 if state is None else state.uptime_ms / 1000.0,
            frames_sent=n.frames_sent,
            frames_received=n.frames_received,
            crc_errors=n.crc_errors,
            bad_frames=n.bad_frames,
            rejects=n.rejects,
            board_rx_errors=n.board_rx_errors,
            timeouts=n.timeouts,
            connects=n.connects,
            rtt_last=n.rtt_last * 1000.0,
            rtt_mean=n.rtt_mean * 1000.0,
            rtt_max=n.rtt_max * 1000.0,
            silence=self.silence(),
        )

    # ---- the link's thread -----------------------------------------------------------------

    def _run(self) -> None:
        trouble = ""
        while not self._closed.is_set():
            try:
                self._port.open()
            except (OSError, ValueError, serial.SerialException) as err:
                trouble = self._trouble(trouble, f"cannot open it ({error_text(err)})")
                self._closed.wait(self.retry)
                continue
            self._open = True
            connects = self.counters.connects
            try:
                problem = self._session()
            except (OSError, ValueError, TypeError, serial.SerialException) as err:
                problem = f"lost ({error_text(err)})"  # TypeError: pyserial mid-close
            self._lost()
            self._close_port()
            if self._closed.is_set():
                return
            if self.counters.connects != connects:  # it was back for a while: say it again
                trouble = ""
            trouble = self._trouble(trouble, problem)
            self._closed.wait(self.retry)

    def _session(self) -> str:
        """Greet the board and serve the link until it fails; returns what went wrong."""
        self._stream.reset()
        with contextlib.suppress(OSError, serial.SerialException):
            self._port.reset_input_buffer()
        opened = self._clock()
        self._last_hello = -1e9
        self._write(b"\x00")  # ends whatever noise the board has half-read
        while not self._closed.is_set():
            listened = self._clock()  # what arrived before this, the read below returns
            problem = self._read()
            if problem:
                return problem
            self._heard_through = listened
            now = self._clock()
            if not self.connected:
                if now - opened > self.boot_wait:
                    self.counters.timeouts += 1
                    return (
                        f"no answer to HELLO within {self.boot_wait:g} s (is the board's firmware "
                        f"flashed, and its baud rate {self.baudrate}?)"
                    )
                if now - self._last_hello >= HELLO_EVERY:
                    self._hello()
            elif listened - self._last_rx > self.silence_limit:  # judged after reading
                self.counters.timeouts += 1
                return f"silent for {self.silence_limit:g} s"
            elif now - self._last_tx > HEARTBEAT_EVERY:
                self._heartbeats = (self._heartbeats + 1) & 0xFFFF
                self._write(encode_frame(MsgType.HEARTBEAT, count=self._heartbeats))
        return ""

    def _read(self) -> str:
        """Read and handle what the board sent; what went wrong with the handshake, if anything."""
        fed = self._stream.feed(self._port.read(self._port.in_waiting or 1))
        for d in fed.discarded:
            if d.reason is RejectReason.BAD_CRC:
                self.counters.crc_errors += 1
            else:
                self.counters.bad_frames += 1
        for message in fed.messages:
            problem = self._handle(message)
            if problem:
                return problem
        return ""

    def _handle(self, m: Message) -> str:
        now = self._clock()
        self._last_rx = now
        if self.connected:
            self._alive = now
        self.counters.frames_received += 1
        if m.type is MsgType.INFO:
            return self._info(m, now)
        if m.type is MsgType.STATUS:
            self._status(m, now)
        elif m.type is MsgType.REJECT:
            self.counters.rejects += 1
            reason = _name(RejectReason, m["reason"])
            kind = _name(MsgType, m["type"])
            if m["reason"] == RejectReason.NOT_GREETED:
                self._hello()  # the board rebooted without our noticing: greet it again
            elif m["reason"] != RejectReason.WRONG_VERSION and f"{kind}{reason}" not in self._said:
                self._said.add(f"{kind}{reason}")  # once per connection; all are counted
                self._say(f"board: refused {kind}: {reason} (said once; HW_LINK counts them)")
        return ""

    def _info(self, m: Message, now: float) -> str:
        try:
            check_info(m)
        except VersionMismatch as err:
            return str(err)
        answered = now - self._last_hello < 2 * HELLO_EVERY
        self.info = m
        if not answered:  # unasked: the board booted (reset, or plugged in again)
            if self.connected:
                self._say("board: rebooted; greeting it again")
            self._hello()
            return ""
        if not self.connected:
            self.counters.connects += 1
            kind = _name(BoardKind, m["board"])
            version = f"{m['fw_major']}.{m['fw_minor']}.{m['fw_patch']}"
            self._say(
                f"board: {kind} firmware {version} on {self.url}, protocol {PROTOCOL_VERSION}"
            )
            self.counters.new_link()
            self._said.clear()
            self._alive = now
            with self.updated:
                self.connected = True
                self.last_error = ""
                self.updated.notify_all()
        return ""

    def _status(self, m: Message, now: float) -> None:
        before = self.state
        encoders = m["encoders"]
        expected = 0 if before is None else before.uptime_ms + (now - before.received) * 1000
        if before is not None and m["uptime_ms"] < expected - REBOOT_SLACK_MS:  # rebooted
            self.counters.board_reboots += 1
            self._offsets = [r - b for r, b in zip(before.encoders, encoders, strict=True)]
        offsets = self._offsets
        self.counters.board_rx_errors = m["rx_errors"]
        with self._pending_lock:
            sent = self._sent_at.pop(m["answers"], None)
        if sent is not None:
            self.counters.answered(now - sent)
        flags = StatusFlag(m["flags"])
        state = BoardState(
            now,
            m["answers"],
            m["uptime_ms"],
            flags,
            m["stalled"],
            m["open_circuit"],
            m["encoder_lost"],
            tuple(b + o for b, o in zip(encoders, offsets, strict=True)),
            tuple(m["currents"]),
            tuple(m["steer"]),
        )
        with self.updated:
            self.state = state
            self.updated.notify_all()
        if not flags & StatusFlag.GREETED and now - self._last_hello >= HELLO_EVERY:
            self._hello()

    def _hello(self) -> None:
        self._last_hello = self._clock()
        self._write(encode_frame(MsgType.HELLO, protocol=PROTOCOL_VERSION))

    def _write(self, data: bytes) -> bool:
        """Write a frame (from either thread); False when it could not go. A failure closes
        nothing here: the link's thread notices and reopens."""
        with self._write_lock:
            if not self._open:
                return False
            try:
                self._port.write(data)
            except (OSError, ValueError, TypeError, serial.SerialException):
                return False
            self._last_tx = self._clock()
            if len(data) > 1:
                self.counters.frames_sent += 1
        return True

    def _lost(self) -> None:
        if self.connected:
            with self.updated:
                self.connected = False
                self.updated.notify_all()
        with self._pending_lock:
            self._sent_at.clear()

    def _close_port(self) -> None:
        with (
            self._write_lock,
            contextlib.suppress(OSError, ValueError, TypeError, serial.SerialException),
        ):
            self._open = False
            self._port.close()

    def _trouble(self, trouble: str, problem: str) -> str:
        """Say what is wrong, once until it changes or the board is back."""
        if not problem:
            return ""
        if problem != trouble:
            self.last_error = problem
            again = f"; trying again every {self.retry:g} s" if not self._closed.is_set() else ""
            self._say(f"board on {self.url}: {problem}{again}")
        return problem


def _name(enum: type, value: int) -> str:
    try:
        return str(enum(value).name)
    except ValueError:
        return f"0x{value:02X}"
