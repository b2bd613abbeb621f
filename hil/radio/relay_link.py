"""The relay model in real time: between the radio and the flight software of `rover fsw`, frames
are held until their arrival times on the mission clock (a timer heap and one thread), then
handed on, corrupted or not at all, as the model says.

What is in flight is bounded each way (MAX_FLYING_FRAMES, MAX_FLYING_BYTES): a frame that finds
the relay full is dropped before the model sees it, and counted (`full`, in the summary).

Uplink: the radio hands raw byte chunks; they are cut into COBS frames at the 0x00 delimiters
(0x00 + content + 0x00, as the ground sent them) and each frame goes through the model. Downlink:
the flight software hands whole packets; each is framed as the radio frames it. Mission time may
run faster than the wall clock (`rate`): delays are mission seconds, waits are divided by it.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from dataclasses import replace

from fsw.packets.framing import DELIMITER, frame, max_encoded_size
from fsw.packets.integrity import DEFAULT_MAX_PACKET_SIZE
from fsw.port import RadioStatus
from hil.radio.relay import Delivery, RelayModel

IDLE_WAIT = 0.5  # wall s the scheduler sleeps with nothing to deliver (it is woken for more)
MAX_FLYING_FRAMES = 32768
"""Frames the relay holds in flight each way; more are dropped and counted (a flood of tiny
frames over a link with no rate limit would otherwise pile up for a whole light-time)."""
MAX_FLYING_BYTES = 4 * 1024 * 1024
"""Bytes the relay holds in flight each way, likewise."""
_SEP = bytes([DELIMITER])


class FrameSplitter:
    """Cuts a byte stream into frames at the delimiter; bytes between delimiters beyond
    `max_frame` (noise) are passed on as one frame, for the receiver to discard and count."""

    def __init__(self, max_frame: int = max_encoded_size(DEFAULT_MAX_PACKET_SIZE)) -> None:
        self.max_frame = max_frame
        self._buffer = b""

    def reset(self) -> None:
        """Forget a partial frame (the ground's link was reopened)."""
        self._buffer = b""

    def feed(self, data: bytes) -> list[bytes]:
        """The frames `data` completes."""
        *whole, self._buffer = (self._buffer + data).split(_SEP)
        out = [_SEP + part + _SEP for part in whole if part]
        if len(self._buffer) > self.max_frame:
            out.append(_SEP + self._buffer + _SEP)
            self._buffer = b""
        return out


class RelayLink:
    """Both directions of the relay, delivered on time by a scheduler thread."""

    def __init__(
        self,
        model: RelayModel,
        now: Callable[[], float],
        to_rover: Callable[[bytes], object],
        to_ground: Callable[[bytes], None],
        *,
        rate: float = 1.0,
    ) -> None:
        """`now`: mission time; `rate`: mission seconds per wall second; `to_rover` and
        `to_ground` take frames at their arrival times, on the scheduler thread."""
        self.model, self._now, self._rate = model, now, rate
        self._to_rover, self._to_ground = to_rover, to_ground
        self._splitter = FrameSplitter()
        self._heap: list[tuple[float, int, bool, bytes]] = []  # arrival, order, uplink?, frame
        self._flying = {True: [0, 0], False: [0, 0]}  # uplink? -> [frames, bytes] in the heap
        self.full = {True: 0, False: 0}  # uplink? -> frames dropped: the relay held too much
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="relay", daemon=True)

    def start(self) -> RelayLink:
        """Start delivering."""
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop delivering (frames still in flight are dropped)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)

    def contact(self) -> bool:
        """Whether a frame sent now would get down before the next LOS (the flight software's
        `contact` hook; RelayModel.downlink_clear)."""
        return self.model.downlink_clear(self._now())

    @property
    def in_flight(self) -> int:
        """Frames on their way either way."""
        with self._cond:
            return len(self._heap)

    def uplink(self, data: bytes) -> None:
        """Bytes from the ground, as the radio received them (any thread)."""
        with self._cond:
            now = self._now()
            for f in self._splitter.feed(data):
                if self._room(f, True):
                    self._schedule(self.model.uplink.send(now, f), True)

    def reset_uplink(self) -> None:
        """The ground's link was reopened: forget its partial frame (frames in flight fly on)."""
        with self._cond:
            self._splitter.reset()

    def downlink(self, packet: bytes) -> None:
        """A packet from the flight software (its thread): framed, then through the relay."""
        data = frame(packet)
        with self._cond:
            if self._room(data, False):
                self._schedule(self.model.downlink.send(self._now(), data), False)

    def summary(self) -> str:
        """What the relay did each way, for the closing line."""
        with self._cond:
            up, down = self.model.uplink.summary(), self.model.downlink.summary()
            flying = len(self._heap)
            full = self.full[True], self.full[False]
        text = f"relay: up {up}; down {down}"
        if any(full):
            text += f"; dropped with the relay full: {full[0]} up, {full[1]} down"
        return text + (f"; {flying} still in flight" if flying else "")

    def counted(self, status: RadioStatus) -> RadioStatus:
        """A radio's status with what this relay dropped, full, added (RADIO telemetry)."""
        return replace(status, relay_full_up=self.full[True], relay_full_down=self.full[False])

    def _room(self, data: bytes, up: bool) -> bool:
        """Whether `data` fits in flight that way (False: dropped and counted)."""
        frames, size = self._flying[up]
        if frames >= MAX_FLYING_FRAMES or size + len(data) > MAX_FLYING_BYTES:
            self.full[up] += 1
            return False
        return True

    def _schedule(self, d: Delivery, up: bool) -> None:
        if d.arrival is None:
            return
        heapq.heappush(self._heap, (d.arrival, next(self._order), up, d.frame))
        flying = self._flying[up]
        flying[0] += 1
        flying[1] += len(d.frame)
        self._cond.notify_all()

    def _due(self) -> list[tuple[bool, bytes]]:
        """Wait until something is due (or close); what is due, in order."""
        with self._cond:
            while not self._closed:
                now = self._now()
                if self._heap and self._heap[0][0] <= now:
                    due = []
                    while self._heap and self._heap[0][0] <= now:
                        _, _, up, data = heapq.heappop(self._heap)
                        due.append((up, data))
                        flying = self._flying[up]
                        flying[0] -= 1
                        flying[1] -= len(data)
                    return due
                wait = IDLE_WAIT
                if self._heap:
                    wait = min(wait, (self._heap[0][0] - now) / self._rate)
                self._cond.wait(max(wait, 0.0))
            return []

    def _run(self) -> None:
        while True:
            due = self._due()
            if not due:
                return
            for up, data in due:  # outside the lock: the receivers never block long
                (self._to_rover if up else self._to_ground)(data)
