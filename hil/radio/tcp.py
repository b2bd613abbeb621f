"""The ground link over TCP: a listener and one ground holding the link at a time.

Who holds the link: the first connection takes it at once (listening needs no key: telemetry is
not secret here, and commands are authenticated anyway). While a ground holds it, a new
connection waits, its bytes held back from the flight software, until its first packet proves it
holds the uplink key (`vouch`, hil.radio.proof.KeyProof): then it takes the link and the old
ground is closed, so a console that crashed without closing comes back at once. A connection
whose first bytes are no proof, that sends nothing within PROOF_TIMEOUT, or that makes room for
newer ones (at most MAX_PENDING wait), is refused: the socket is closed before any telemetry,
and the reason is said here and counted (a CCSDS link has no room for a line of text; the ground
tool says what a close without telemetry means). If the holder leaves meanwhile, a waiting
connection takes the free link. Without `vouch` (--insecure,
or `rover fsw --newest-wins`) the newest connection wins, as before.

pyserial cannot listen on a port, so this uses the socket module, and keeps it to that."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable

from fsw.packets import ccsds
from fsw.packets.framing import Deframer, max_encoded_size
from fsw.tables import CATALOG
from hil.messages import Say, say_on_stderr
from hil.radio.base import QUEUE_SIZE, Radio

SEND_BUFFER = 64 * 1024
"""Bytes the kernel may hold for a ground that stopped reading, before the queue fills and
packets are dropped: bounded, so a ground that resumes is not minutes behind."""
BACKLOG = socket.SOMAXCONN
"""Connections the kernel completes before accept(): with 2, the third of a burst waited for a
SYN retry (p90 connect 1.02 s); the system's maximum lets a burst in at once."""
READ_SIZE = 65536
"""Bytes read from the ground at once: the most a reader holds before handing them on."""
PROOF_TIMEOUT = 3.0
"""s a new connection has to prove the key while another ground holds the link."""
PROOF_BYTES = 2 * (max_encoded_size(CATALOG.max_packet_size) + 2)
"""The most a waiting connection may send before its proof is whole (held, then delivered)."""
MAX_PENDING = 8
"""Connections that may wait to prove the key at once; a newer one takes the oldest's place."""
NOTE_BURST = 5
"""Lines about refused connections said at once; then one a NOTE_PERIOD (a connection flood is
summed up, not echoed)."""
NOTE_PERIOD = 1.0
"""s between lines about refused connections, past the burst."""
_POLL = 0.25  # s a waiting connection's reader looks whether the link became free

Vouch = Callable[[bytes], str | None]
"""Why a new connection's first packet does not prove the uplink key, or None when it does."""


def _commands(packet_type: ccsds.PacketType, _apid: int) -> bool:
    return packet_type == ccsds.PacketType.TELECOMMAND


class _Connection:
    """An accepted TCP connection, written to as a link."""

    def __init__(self, sock: socket.socket, name: str) -> None:
        self.sock, self.name = sock, name
        self.displaced = False  # waiting for its proof, it made room for a newer connection

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def shutdown(self) -> None:
        """Wake its reader and writer; the reader closes the socket."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


class TcpRadio(Radio):
    """Listens on host:port for one ground; see the module docstring for who holds the link."""

    def __init__(
        self,
        host: str,
        port: int,
        receive: Callable[[bytes], object],
        reset: Callable[[], None] | None = None,
        say: Say = say_on_stderr,
        queue_size: int = QUEUE_SIZE,
        *,
        vouch: Vouch | None = None,
        proof_timeout: float = PROOF_TIMEOUT,
        max_pending: int = MAX_PENDING,
    ) -> None:
        super().__init__(receive, reset, say, queue_size)
        self._vouch, self._proof_timeout, self._max_pending = vouch, proof_timeout, max_pending
        self._listener = listen(host, port)
        self.address: tuple[str, int] = self._listener.getsockname()[:2]
        self.where = f"tcp {_hostport(*self.address)}"
        self._waiting: deque[_Connection] = deque()  # waiting for a proof, oldest first (lock)
        self._note_lock = threading.Lock()  # the refusal lines' token bucket:
        self._notes, self._noted, self._unsaid = float(NOTE_BURST), time.monotonic(), 0

    def summary(self) -> str:
        """What the link carried, and what became of connections that wanted it."""
        n = self.counters
        taken = (
            f" ({n.proven} took over by proof, {n.refused} refused)" if n.proven + n.refused else ""
        )
        return super().summary() + taken

    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                sock, peer = self._listener.accept()
            except TimeoutError:  # look at close() now and then
                continue
            except OSError:  # closed, or out of descriptors for a moment
                self._closed.wait(0.05)
                continue
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
            conn = _Connection(sock, _hostport(*peer[:2]))
            self.counters.connections += 1
            if self._vouch is None:
                self._newest_wins(conn)
            elif self._claim(conn):
                self._say(f"ground {conn.name} connected")
                self._spawn(self._read, f"radio-ground-{conn.name}", conn)
            else:
                self._queue_pending(conn)
                self._spawn(self._pend, f"radio-pending-{conn.name}", conn)

    def _newest_wins(self, conn: _Connection) -> None:
        old = self._attach(conn)
        if isinstance(old, _Connection):
            self._say(f"ground {conn.name} connected; {old.name} replaced (newest wins)")
            old.shutdown()
        else:
            self._say(f"ground {conn.name} connected")
        self._spawn(self._read, f"radio-ground-{conn.name}", conn)

    def _queue_pending(self, conn: _Connection) -> None:
        """Let `conn` wait for its proof; the oldest waiting one makes room if there is none
        (a ground with the key proves itself within a round trip: a crowd of silent connections
        must not keep it out)."""
        with self._lock:
            if len(self._waiting) >= self._max_pending:
                self._waiting.popleft().displaced = True  # its reader refuses it within _POLL
            self._waiting.append(conn)
            self.counters.pending = len(self._waiting)

    def _pend(self, conn: _Connection) -> None:
        """A waiting connection's reader: the link if it proves the key (or the link is free),
        else refused and closed. Its bytes are held, then delivered in order or counted."""
        held = bytearray()
        try:
            why = self._await_proof(conn, held)
        finally:
            with self._lock:
                with contextlib.suppress(ValueError):  # not there: displaced
                    self._waiting.remove(conn)
                self.counters.pending = len(self._waiting)
        if why == "" and conn.displaced:
            why = f"made room for newer connections ({self._max_pending} may wait for a proof)"
        if why is None:
            self._read(conn, bytes(held))
            return
        with self._lock:
            self.counters.undelivered += len(held)
        if why:
            self._refuse(conn, why)
        else:  # it left, or the radio is closing: nothing to say
            conn.shutdown()
            conn.sock.close()

    def _await_proof(self, conn: _Connection, held: bytearray) -> str | None:
        """None once `conn` holds the link; else why it is refused ("": it left)."""
        deframer = Deframer(CATALOG.max_packet_size, accepts=_commands)
        deadline = time.monotonic() + self._proof_timeout
        while not self._closed.is_set() and not conn.displaced:
            if self._claim(conn):  # the holder left: a free link needs no proof
                self._say(f"ground {conn.name} connected (the link was free)")
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                return f"no proof of the uplink key within {self._proof_timeout:g} s"
            try:
                conn.sock.settimeout(min(left, _POLL))
                data = conn.sock.recv(PROOF_BYTES - len(held))
            except TimeoutError:
                continue
            except OSError:
                data = b""
            if not data:
                return ""
            held += data
            result = deframer.feed(data)
            if result.discarded:
                reasons = ", ".join(sorted(r.name for r in result.discarded))
                return f"its first bytes are not a good frame ({reasons})"
            if result.packets:
                return self._take_over(conn, result.packets[0])
            if len(held) >= PROOF_BYTES:
                return f"no whole packet in its first {PROOF_BYTES} bytes"
        return ""

    def _take_over(self, conn: _Connection, first: bytes) -> str | None:
        """Give `conn` the link if `first` proves the key (None), else why not."""
        assert self._vouch is not None  # only waiting connections get here
        why = self._vouch(first)
        if why is not None:
            return why
        old = self._attach(conn)
        with self._lock:
            self.counters.proven += 1
        if isinstance(old, _Connection):
            self._say(f"ground {conn.name} proved the uplink key and takes the link; "
                      f"{old.name} closed")  # fmt: skip
            old.shutdown()
        else:
            self._say(f"ground {conn.name} proved the uplink key and takes the free link")
        return None

    def _refuse(self, conn: _Connection, why: str) -> None:
        """Say why `conn` is refused (NOTE_BURST lines at once, then one a NOTE_PERIOD: the rest
        are summed up in the next line), then close it before any telemetry."""
        with self._lock:
            self.counters.refused += 1
        with self._note_lock:
            now = time.monotonic()
            self._notes = min(NOTE_BURST, self._notes + (now - self._noted) / NOTE_PERIOD)
            self._noted = now
            say = self._notes >= 1
            if say:
                more = f" ({self._unsaid} more refused since)" if self._unsaid else ""
                self._notes, self._unsaid = self._notes - 1, 0
            else:
                self._unsaid += 1
        if say:
            holder = self._link
            keeps = f"; {holder.name} keeps the link" if isinstance(holder, _Connection) else ""
            self._say(f"ground {conn.name} refused: {why}{keeps}{more}")
        conn.shutdown()
        conn.sock.close()

    def _read(self, conn: _Connection, held: bytes = b"") -> None:
        conn.sock.settimeout(None)
        with contextlib.suppress(OSError):
            if not held or self._deliver(conn, held):
                while (data := conn.sock.recv(READ_SIZE)) and self._deliver(conn, data):
                    pass
        if self._detach(conn) and not self._closed.is_set():
            self._say(f"ground {conn.name} disconnected")
        conn.shutdown()
        conn.sock.close()

    def _shutdown(self) -> None:
        link = self._link
        if isinstance(link, _Connection):
            link.shutdown()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept() at once on Linux
        self._listener.close()


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free one), or an OSError saying which."""
    where = f"tcp {_hostport(host, port)}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as err:
        raise OSError(err.errno, f"cannot listen on {where}: {err.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        if sys.platform != "win32":  # restart at once after ^C (on Windows it means steal)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as err:
        sock.close()
        raise OSError(err.errno, f"cannot listen on {where}: {err.strerror}") from None
    sock.settimeout(0.25)  # accept() looks at close() this often
    return sock


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
