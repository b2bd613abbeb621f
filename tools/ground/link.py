"""The ground's end of the link to the rover: any pyserial URL (`socket://127.0.0.1:50200`,
`/dev/ttyACM0`, `loop://`), COBS frames both ways.

A reader thread opens the link, turns the bytes into verified telemetry packets and hands each to
a callback with its receive time. The link survives the rover going away, as fprime-gds's serial
adapter does: when the device is absent, unplugged or the emulator restarts, it says so once,
closes, and reopens it every `retry` seconds; nothing the ground does needs to start over.

While another ground holds a rover's TCP link, the rover gives it to a new connection only if its
first packet proves the uplink key (hil.radio.tcp): any fresh command signed with the key does. A
connection the rover closes before any telemetry came was most likely refused: said once, with
what to do, until one gets telemetry again; a link made with `hello` (a signed command) then
sends it first on every connection, before anything else can be sent, until telemetry comes. It
is not sent otherwise: a free link needs no proof, and the operator sees no command he did not
type (a console that types one proves itself with it). A ground whose link the rover closed after
telemetry, and that is then refused, was displaced by another ground that proved the key: it says
so and does not prove itself to take the link back (two consoles with the key would take it from
each other every few seconds for ever); it takes the link when it comes free.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import serial

from fsw.packets import ccsds
from fsw.packets.framing import Deframer, frame

SOCKET = "socket://"
READ_TIMEOUT = 0.1  # s a read waits before the thread looks whether it should stop

PacketCallback = Callable[[bytes, int], None]
"""Called on the reader thread with each good packet and its receive time (ns since 1970)."""
StatusCallback = Callable[[str], None]
"""Told, in one line, when the link comes up or goes down."""
Hello = Callable[[], bytes]
"""The packet sent first on a connection after a refusal: a signed command, the proof of the
uplink key."""
_HELD = "closed by the rover before any telemetry: another ground probably holds the link"
REFUSED = f"{_HELD}, and a new connection takes it only by proving the uplink key"
"""What a close before any telemetry means, for a link without a key to prove."""
REFUSED_WILL_PROVE = f"{_HELD}; proving the uplink key on the next connection to take it"
"""The same, for a link with a key that did not prove it yet."""
REFUSED_PROOF = (
    f"{_HELD}, and the rover did not take this link's signed first command as proof of the key "
    "(another key?)"
)
"""The same, for a link that sent its proof."""
DISPLACED = (
    "closed by the rover, and a new connection refused: another ground with the uplink key took "
    "the link; waiting for it to come free (not taking it back, or the two would take turns; "
    "restart to take it)"
)
"""What a link with a key says when it was displaced: it does not prove itself again."""
_REFUSALS = (REFUSED, REFUSED_WILL_PROVE, REFUSED_PROOF, DISPLACED)


class LinkDown(ConnectionError):
    """A command could not be sent because the link is not open."""


def telemetry_only(packet_type: ccsds.PacketType, _apid: int) -> bool:
    """What a ground deframer accepts: telemetry of any APID (the dictionary judges the rest)."""
    return packet_type == ccsds.PacketType.TELEMETRY


def check_url(url: str) -> None:
    """A ValueError, in one line, for a URL pyserial cannot open in any case (a socket:// URL
    is read here: pyserial only reads it when opening, and says so in garbled words)."""
    try:
        serial.serial_for_url(url, do_not_open=True)
    except (ValueError, serial.SerialException) as err:
        raise ValueError(f"link {url}: {_reason(err)}") from None
    if url.lower().startswith("socket://"):
        _check_socket(url)


def _check_socket(url: str) -> None:
    parts = urlsplit(url)
    host, colon, port = parts.netloc.rpartition(":")
    if not colon or host.endswith(":") or (":" in host and not host.startswith("[")):
        host, port = parts.netloc, ""  # no port, or an IPv6 address without its brackets
    problem = ""
    if not host.strip("[]"):
        problem = "no host"
    elif not port:
        problem = "no port"
    elif not port.isdigit() or not 0 < int(port) < 65536:
        problem = f"port {port!r} is not a number 1..65535"
    elif parts.path not in ("", "/"):
        problem = f"{parts.path!r} after the port"
    if problem:
        raise ValueError(f"link {url!r}: {problem}; write socket://HOST:PORT "
                         "(e.g. socket://127.0.0.1:50200, socket://[::1]:50200)")  # fmt: skip


class GroundLink:
    """One link to the rover, kept open by a reader thread until close()."""

    def __init__(
        self,
        url: str,
        on_packet: PacketCallback,
        on_status: StatusCallback | None = None,
        *,
        baudrate: int = 115200,
        retry: float = 1.0,
        hello: Hello | None = None,
    ) -> None:
        self.url = url
        self.hello = hello
        self.baudrate = baudrate
        self.retry = retry
        self.on_packet = on_packet
        self.on_status = on_status or (lambda _text: None)
        self.deframer = Deframer(accepts=telemetry_only)
        self.frames_sent = 0
        self.bytes_received = 0
        self.opened = 0  # times the link came up
        self.refused = 0  # connections closed by the other end before any data came
        self.last_error = ""  # why it last failed to open
        self._port: serial.SerialBase | None = None
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._up = threading.Event()
        self._closed_by_rover = False  # the last link with telemetry ended by the rover's close
        self._thread = threading.Thread(target=self._run, name=f"link {url}", daemon=True)

    @property
    def connected(self) -> bool:
        """Whether the link is open now."""
        return self._up.is_set()

    def start(self) -> GroundLink:
        """Start opening and reading the link in the background."""
        self._thread.start()
        return self

    def wait_connected(self, timeout: float) -> bool:
        """Wait until the link is open; whether it is."""
        return self._up.wait(timeout)

    def send(self, packet: bytes) -> None:
        """Send one packet as a COBS frame, or raise LinkDown."""
        data = frame(packet)
        with self._write_lock:
            port = self._port
            if port is None or not self._up.is_set():
                raise LinkDown(f"link {self.url} is down: not sent")
            failed = self._write(port, data)
        if failed is not None:  # outside the lock: closing takes it
            self._lost(port, failed)
            raise LinkDown(f"link {self.url} went down while sending: {_reason(failed)}")

    def close(self) -> None:
        """Stop the reader thread and close the link."""
        self._stop.set()
        port = self._port
        if port is not None:
            self._close(port)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(2 * READ_TIMEOUT + 1.0)

    # ---- the reader thread -----------------------------------------------------------------

    def _run(self) -> None:
        complained = ""
        displaced = False  # the rover closed this ground's link after telemetry (was it taken?)
        while not self._stop.is_set():
            try:
                port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=READ_TIMEOUT)
            except (serial.SerialException, OSError, ValueError) as err:
                text = self.last_error = _reason(err)
                if isinstance(err, ValueError):  # a URL pyserial cannot parse: retrying is useless
                    self.on_status(f"link {self.url}: cannot open ({text}); giving up")
                    return
                if text != complained:  # once per distinct reason, not every retry
                    self.on_status(f"link {self.url}: cannot open ({text}); retrying every "
                                   f"{self.retry:g} s")  # fmt: skip
                    complained = text
                displaced = False  # the rover went away: the one that comes back owes nothing
                self._stop.wait(self.retry)
                continue
            refused = complained in _REFUSALS  # "up" waits for telemetry
            if not refused:
                complained = ""
            self.deframer.reset()
            with self._write_lock:
                self._port = port
            if self._stop.is_set():  # close() came while it was opening
                self._close(port)
                return
            greet = complained in (REFUSED_WILL_PROVE, REFUSED_PROOF)
            if greet and not self._greet(port):
                continue
            self.opened += 1
            if not refused:
                self.on_status(f"link {self.url}: up")
            self._up.set()
            if self._read(port, say_up=refused):
                complained = ""
                displaced = self._closed_by_rover
            elif not self._stop.is_set():
                displaced = displaced or complained == DISPLACED
                complained = self._refused(complained, greeted=greet, displaced=displaced)
            self._close(port)  # whichever way reading ended (twice is harmless)
            if not self._stop.is_set():
                self._stop.wait(self.retry)

    def _refused(self, complained: str, *, greeted: bool, displaced: bool) -> str:
        """Count a connection closed before any telemetry and say what it means, unless that
        was said last; what was said. `displaced`: this ground held the link until the rover
        closed it."""
        self.refused += 1
        why = (
            REFUSED if self.hello is None
            else DISPLACED if displaced
            else REFUSED_PROOF if greeted
            else REFUSED_WILL_PROVE
        )  # fmt: skip
        self.last_error = why
        if why != complained:
            self.on_status(f"link {self.url}: {why}; retrying every {self.retry:g} s")
        return why

    def _greet(self, port: serial.SerialBase) -> bool:
        """Send the hello first, if any: the last connection was refused (False: the link
        failed meanwhile and is closed)."""
        if self.hello is None:
            return True
        data = frame(self.hello())  # outside the write lock: it may take the session's
        with self._write_lock:
            failed = self._write(port, data)
        if failed is not None:
            self._lost(port, failed)
            self._stop.wait(self.retry)
            return False
        return True

    def _read(self, port: serial.SerialBase, *, say_up: bool) -> bool:
        """Read until the link fails or close(); False when a TCP link was closed before any
        data came (refused). `say_up`: the last connection was refused, so "up" is said once
        data comes."""
        got = self._closed_by_rover = False
        while not self._stop.is_set():
            try:
                data = port.read(1)
                if data:  # then everything already there, without waiting
                    port.timeout = 0
                    data += port.read(65536)
                    port.timeout = READ_TIMEOUT
            except (serial.SerialException, OSError, TypeError, AttributeError) as err:
                # TypeError/AttributeError: pyserial's own state after close() from another thread
                if got or not self.url.startswith(SOCKET):  # only a rover's TCP link refuses
                    self._closed_by_rover = got and str(err).endswith("socket disconnected")  # EOF
                    self._lost(port, err)
                    return True
                return False
            if not data:
                continue
            if not got and say_up:
                self.on_status(f"link {self.url}: up")
            got = True
            now = time.time_ns()
            self.bytes_received += len(data)
            for packet in self.deframer.feed(data).packets:
                try:
                    self.on_packet(packet, now)
                except Exception as err:  # a bug of the ground's: said, and the link reads on
                    self.on_status(f"link {self.url}: a packet received could not be taken in "
                                   f"({type(err).__name__}: {err}); please report it")  # fmt: skip
        return got

    def _write(self, port: serial.SerialBase, data: bytes) -> BaseException | None:
        """Write one frame and count it (under the write lock); the error that stopped it."""
        try:
            port.write(data)
            port.flush()
        except (serial.SerialException, OSError) as err:
            return err
        self.frames_sent += 1
        return None

    def _lost(self, port: serial.SerialBase, err: BaseException) -> None:
        if self._up.is_set() and not self._stop.is_set():
            self.on_status(f"link {self.url}: down ({_reason(err)}); reconnecting")
        self._close(port)

    def _close(self, port: serial.SerialBase) -> None:
        self._up.clear()
        with self._write_lock:
            if self._port is port:
                self._port = None
        with contextlib.suppress(serial.SerialException, OSError):
            port.close()


def _reason(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    if isinstance(err, serial.SerialException) and ": [Errno" in text:
        text = "[Errno" + text.split(": [Errno", 1)[1]
    return text
