"""The ground link over TCP: a listener and one connection at a time, the newest winning (a
console that crashed without closing comes back at once). pyserial cannot listen on a port, so
this uses the socket module, and keeps it to that."""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import Callable

from hil.messages import Say, say_on_stderr
from hil.radio.base import QUEUE_SIZE, Radio

SEND_BUFFER = 64 * 1024
"""Bytes the kernel may hold for a ground that stopped reading, before the queue fills and
packets are dropped: bounded, so a ground that resumes is not minutes behind."""


class _Connection:
    """An accepted TCP connection, written to as a link."""

    def __init__(self, sock: socket.socket, name: str) -> None:
        self.sock, self.name = sock, name

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def shutdown(self) -> None:
        """Wake its reader and writer; the reader closes the socket."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


class TcpRadio(Radio):
    """Listens on host:port for one ground; the newest connection wins."""

    def __init__(
        self,
        host: str,
        port: int,
        receive: Callable[[bytes], object],
        reset: Callable[[], None] | None = None,
        say: Say = say_on_stderr,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        super().__init__(receive, reset, say, queue_size)
        self._listener = listen(host, port)
        self.address: tuple[str, int] = self._listener.getsockname()[:2]
        self.where = f"tcp {_hostport(*self.address)}"

    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                sock, peer = self._listener.accept()
            except TimeoutError:  # look at close() now and then
                continue
            except OSError:  # closed, or out of descriptors for a moment
                self._closed.wait(0.05)
                continue
            sock.settimeout(None)
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
            conn = _Connection(sock, _hostport(*peer[:2]))
            old = self._attach(conn)
            self.counters.connections += 1
            if isinstance(old, _Connection):
                self._say(f"ground {conn.name} connected; {old.name} replaced (newest wins)")
                old.shutdown()
            else:
                self._say(f"ground {conn.name} connected")
            self._spawn(self._read, f"radio-ground-{conn.name}", conn)

    def _read(self, conn: _Connection) -> None:
        with contextlib.suppress(OSError):
            while (data := conn.sock.recv(65536)) and self._deliver(conn, data):
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
        sock.listen(2)
    except OSError as err:
        sock.close()
        raise OSError(err.errno, f"cannot listen on {where}: {err.strerror}") from None
    sock.settimeout(0.25)  # accept() looks at close() this often
    return sock


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
