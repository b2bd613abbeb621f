"""What every radio has: the outgoing queue and its writer thread, the counters, and the one
link frames go to (swapped under a lock so uplink bytes of a replaced link are never delivered)."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from fsw.packets.framing import frame
from fsw.port import RadioStatus
from hil.messages import Say, say_on_stderr

QUEUE_SIZE = 256
"""Frames waiting for the writer: about a minute of housekeeping."""
FULL_BACKOFF = 0.005
"""Seconds a reader rests after the flight software dropped bytes (its inbox full): a flood at
loopback speed then waits on TCP flow control instead of taking a core from the control loop."""


@dataclass
class LinkCounters:
    """What the radio did. Each counter is written by one thread only, so none needs a lock."""

    sent: int = 0  # frames written to the ground (writer thread)
    no_ground: int = 0  # packets dropped: no ground connected (flight thread)
    queue_full: int = 0  # packets dropped: the ground stopped reading (flight thread)
    lost: int = 0  # frames whose write failed, or that waited while the ground left (writer)
    received: int = 0  # uplink bytes (reader, under the radio's lock)
    connections: int = 0  # grounds connected, or times the device was opened
    # TCP only, each written under the radio's lock (several connections' threads count them):
    pending: int = 0  # connections waiting now to prove the uplink key (a gauge)
    proven: int = 0  # connections that proved the key and took the link from another ground
    refused: int = 0  # connections closed without the link: no proof, a bad one, or too many
    undelivered: int = 0  # uplink bytes never handed on: a refused or replaced connection's

    @property
    def dropped(self) -> int:
        """Every downlink packet that did not reach a ground."""
        return self.no_ground + self.queue_full + self.lost


class Link(Protocol):
    """Where the writer puts frames: a connection or a serial port."""

    def write(self, data: bytes) -> object:
        """Write all of `data` (may block; raises when the link is gone)."""
        ...


class Radio:
    """The queue, the writer and the counters; TcpRadio and SerialRadio add a transport."""

    where = "radio"  # what the start-up line says the link is

    def __init__(
        self,
        receive: Callable[[bytes], object],
        reset: Callable[[], None] | None = None,
        say: Say = say_on_stderr,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        self._receive, self._reset, self._say = receive, reset, say
        self.counters = LinkCounters()
        self._queue: queue.Queue[bytes] = queue.Queue(queue_size)
        self._link: Link | None = None  # where frames go now; None: no ground
        self._lock = threading.Lock()  # orders a change of link against uplink deliveries
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def connected(self) -> bool:
        """Whether a ground (or the serial device) is there now."""
        return self._link is not None

    def start(self) -> None:
        """Start the reader and writer threads."""
        self._spawn(self._write_loop, "radio-writer")
        self._spawn(self._run, "radio-reader")

    def send(self, packet: bytes) -> None:
        """Queue a packet for the ground (the flight thread's downlink: never blocks)."""
        if self._link is None:
            self.counters.no_ground += 1
            return
        self.send_frame(frame(packet))

    def send_frame(self, data: bytes) -> None:
        """Queue a frame as it is (the relay's, perhaps corrupted); never blocks. Call it from
        one thread only, as send(): the counters have one writer."""
        if self._link is None:
            self.counters.no_ground += 1
            return
        try:
            self._queue.put_nowait(data)
        except queue.Full:
            self.counters.queue_full += 1

    def status(self) -> RadioStatus:
        """The counters as RADIO telemetry reports them (read from the flight thread: each
        counter is an int read whole; together they may be a few bytes apart)."""
        n = self.counters
        return RadioStatus(
            connected=self.connected,
            connections=n.connections,
            pending=n.pending,
            proven=n.proven,
            refused=n.refused,
            bytes_up=n.received,
            undelivered=n.undelivered,
            frames_down=n.sent,
            dropped_down=n.dropped,
        )

    def summary(self) -> str:
        """What the link carried and dropped, in a line."""
        n = self.counters
        return (
            f"{n.sent} frames down, {n.dropped} dropped ({n.no_ground} with no ground, "
            f"{n.queue_full} queue full, {n.lost} lost in writing); {n.received} bytes up"
            f"{f', {n.undelivered} not delivered' if n.undelivered else ''}, "
            f"{n.connections} connection{'s' * (n.connections != 1)}"
        )

    def close(self) -> None:
        """Stop the threads and let go of the link."""
        self._closed.set()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(b"")  # wake the writer
        self._shutdown()
        for t in self._threads:
            t.join(timeout=2.0)

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads = [t for t in self._threads if t.is_alive()]  # grounds come and go
        self._threads.append(thread)  # only once started: close() may come at any moment (^C)

    def _attach(self, link: Link) -> Link | None:
        """Make `link` the link (the one before is returned); forget any partial frame."""
        with self._lock:
            old, self._link = self._link, link
            if self._reset is not None:
                self._reset()
        return old

    def _claim(self, link: Link) -> bool:
        """Make `link` the link only if there is none (True: it is now); as _attach."""
        with self._lock:
            if self._link is not None:
                return False
            self._link = link
            if self._reset is not None:
                self._reset()
            return True

    def _deliver(self, link: Link, data: bytes) -> bool:
        """Hand uplink bytes on if `link` is still the link (False: it was replaced)."""
        with self._lock:
            if self._link is not link:
                self.counters.undelivered += len(data)
                return False
            self.counters.received += len(data)
            kept = self._receive(data)
        if kept is False:  # FlightSoftware.post: the inbox was full, the excess dropped
            time.sleep(FULL_BACKOFF)
        return True

    def _detach(self, link: Link) -> bool:
        """Forget `link` if it is still the link (True: it was)."""
        with self._lock:
            if self._link is not link:
                return False
            self._link = None
            return True

    def _write_loop(self) -> None:
        c = self.counters
        while True:
            try:
                frames = [self._queue.get(timeout=0.5)]
            except queue.Empty:
                frames = []
            if self._closed.is_set():
                return
            with contextlib.suppress(queue.Empty):
                while 0 < len(frames) < 64:  # a burst (HK, verification reports) in one write
                    frames.append(self._queue.get_nowait())
            link = self._link
            try:
                if frames and link is not None:
                    link.write(b"".join(frames))
                    c.sent += len(frames)
                else:
                    c.lost += len(frames)  # queued while the ground left
            except Exception:  # the ground left mid-write (the reader reports it), or pyserial
                c.lost += len(frames)  # raised anything while closed under us: write on

    def _run(self) -> None:
        raise NotImplementedError

    def _shutdown(self) -> None:
        raise NotImplementedError
