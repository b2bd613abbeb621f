"""The inbox: the one bounded buffer between the radios' threads and the flight thread.

A radio's reader post()s uplink bytes as they arrive, from its own thread; the inbox keeps them
within a limit in bytes and in chunks, and drops (and counts, by what overflowed) what does not
fit, without ever blocking the radio. The flight thread take()s them a slice at a time, as the
per-cycle uplink budget allows (like cFS's per-cycle message limit), so a flood can neither fill
memory nor hold the control loop. A link reset (a new ground connection) travels in order with the
bytes, so a partial frame of the old link is forgotten exactly where the new link begins.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from fsw.ratelimit import TokenBucket

if TYPE_CHECKING:
    from fsw.params import ParamStore
    from fsw.uplink import Uplink

MAX_BYTES = 64 * 1024
"""Bytes the inbox holds at most: four cycles of the byte budget, a few seconds of the packet
budget in the smallest frames (a plan upload is a few kilobytes)."""
MAX_CHUNKS = 256
"""Chunks (reads of a radio) it holds at most: many small reads must not grow it either."""
_PACKETS = "UPLINK_PACKET_BUDGET"
RESET = None
"""What take() gives for a link reset, in order with the bytes."""
SLICE = 2048
"""Uplink bytes deframed at most in one step between cycles (garbage: about 20 us)."""
PACKET_STEP = 8
"""Command packets judged at most in one step (each authenticated, dispatched, reported: a
signed command costs some 200 us, a forged one 40): a cycle waits a millisecond or two at most."""


class Inbox:
    """A bounded, thread-safe queue of uplink bytes (post from any thread, take on one)."""

    def __init__(
        self,
        wake: Callable[[], None],
        max_bytes: int = MAX_BYTES,
        max_chunks: int = MAX_CHUNKS,
    ) -> None:
        self._wake = wake
        self.max_bytes, self.max_chunks = max_bytes, max_chunks
        self._items: deque[bytes | None] = deque()
        self._bytes = 0
        self._lock = threading.Lock()
        self.accepted_bytes = 0  # everything posted and kept, since boot
        self.taken_bytes = 0  # handed to the flight thread
        self.dropped_bytes = 0  # posted but did not fit
        self.dropped_chunks = 0  # posts (whole or in part) that did not fit
        self.resets = 0

    @property
    def waiting(self) -> int:
        """Bytes posted and not yet taken."""
        return self._bytes

    @property
    def pending(self) -> bool:
        """Whether anything (bytes or a reset) waits."""
        return bool(self._items)

    def post(self, data: bytes) -> bool:
        """Keep `data` for the flight thread if it fits (True); else keep what fits of it and
        count the rest as dropped (False). Never blocks on the flight thread."""
        if not data:
            return True
        was_empty = False
        with self._lock:
            room = self.max_bytes - self._bytes
            full = len(self._items) >= self.max_chunks or room <= 0
            kept = b"" if full else data[:room]
            if len(kept) < len(data):
                self.dropped_bytes += len(data) - len(kept)
                self.dropped_chunks += 1
            if kept:
                was_empty = not self._items
                self._items.append(kept)
                self._bytes += len(kept)
                self.accepted_bytes += len(kept)
        if kept and was_empty:
            self._wake()  # the flight thread looks when the inbox gains work
        return len(kept) == len(data)

    def post_reset(self) -> None:
        """The link was reopened: the flight thread forgets a partial frame at this point."""
        with self._lock:
            if self._items and self._items[-1] is RESET:
                return  # two resets in a row are one (and keep the inbox bounded)
            was_empty = not self._items
            self._items.append(RESET)
            self.resets += 1
        if was_empty:
            self._wake()

    def take(self, limit: int) -> bytes | None:
        """At most `limit` bytes, in order (part of a chunk: the rest stays first in line), or
        RESET where a link reset was posted; b"" when nothing waits."""
        with self._lock:
            if not self._items:
                return b""
            head = self._items[0]
            if head is RESET:
                self._items.popleft()
                return RESET
            if len(head) <= limit:
                self._items.popleft()
                part = head
            else:
                part, self._items[0] = head[:limit], head[limit:]
            self._bytes -= len(part)
            self.taken_bytes += len(part)
            return part


class Intake:
    """The flight thread's side: the inbox through the uplink a slice at a time, within a
    budget of bytes per control period (a token bucket on the flight software's clock)."""

    def __init__(
        self,
        inbox: Inbox,
        params: ParamStore,
        period: float,
        now: Callable[[], float],
        uplink: Uplink,
    ) -> None:
        """`params`: UPLINK_BUDGET (bytes) and UPLINK_PACKET_BUDGET (command packets) per
        control `period`, read each time (SET_PARAM applies at once); `uplink`: where the bytes
        go."""
        self.inbox, self._params, self._period, self._uplink = inbox, params, period, uplink
        self._bytes = self._bucket("UPLINK_BUDGET", now)
        self._packets = self._bucket(_PACKETS, now)
        self.deferred = 0  # control cycles that began with uplink input still waiting

    def _bucket(self, param: str, now: Callable[[], float]) -> TokenBucket:
        budget = self._params[param]
        return TokenBucket(budget / self._period, budget, now)

    def _set_rates(self) -> None:
        for bucket, param in ((self._bytes, "UPLINK_BUDGET"), (self._packets, _PACKETS)):
            bucket.burst = self._params[param]
            bucket.rate = bucket.burst / self._period

    def step(self) -> bool:
        """One bounded step (the executive's intake): judge up to PACKET_STEP waiting command
        packets, or else take a slice of the inbox through the deframer; whether there is more
        the budgets allow now."""
        self._set_rates()
        uplink = self._uplink
        if uplink.waiting:
            allowed = int(min(PACKET_STEP, self._packets.level()))
            if allowed <= 0:
                return False
            self._packets.spend(uplink.process(allowed))
            return bool(uplink.waiting) or self.inbox.pending
        allowed = int(min(SLICE, self._bytes.level()))
        if allowed <= 0:
            return False
        part = self.inbox.take(allowed)
        if part is RESET:
            uplink.resync()
            return True
        if not part:
            return False
        self._bytes.spend(len(part))
        uplink.feed(part)
        return bool(uplink.waiting) or self.inbox.pending

    @property
    def pending(self) -> bool:
        """Whether uplink input waits: bytes in the inbox or deframed packets not judged."""
        return bool(self.inbox.waiting or self._uplink.waiting)

    def cycle(self) -> None:
        """A control cycle begins: count it as deferred if input still waits, and let the uplink
        make the reports it had to hold back (the rate limit)."""
        if self.pending:
            self.deferred += 1
        self._uplink.tick()
