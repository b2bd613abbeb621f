"""Turns the byte stream of a board link into messages: COBS frames split at 0x00, then checked.

I/O-free and incremental, for both ends of the link (the flight computer's bridge and the Python
boards): bytes in; messages and, for every frame thrown away, the reason out. Never raises.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from cobs import cobs

from hil.board.protocol import MAX_MESSAGE, BoardProtocolError, Message, RejectReason, decode

MAX_FRAME = MAX_MESSAGE + MAX_MESSAGE // 254 + 1
"""The longest COBS encoding of any message; a longer run between delimiters is noise."""


@dataclass(frozen=True, slots=True)
class Discarded:
    """One frame thrown away: why, the message type byte when it could be read, and the text."""

    reason: RejectReason
    type: int
    text: str


@dataclass
class Fed:
    """What one chunk of bytes gave."""

    messages: list[Message] = field(default_factory=list)
    discarded: list[Discarded] = field(default_factory=list)


class MessageStream:
    """Frames to messages, with counts of good frames and of discarded ones by reason."""

    def __init__(self) -> None:
        self.frames = 0
        self.discarded: Counter[RejectReason] = Counter()
        self._buffer = bytearray()
        self._overlong = False

    def feed(self, data: bytes | bytearray | memoryview) -> Fed:
        """Messages completed by `data`, and the frames discarded on the way."""
        out = Fed()
        view = bytes(data)
        start = 0
        while True:
            end = view.find(0, start)
            if end < 0:
                self._hold(view[start:], out)
                return out
            self._buffer += view[start:end]
            start = end + 1
            chunk, overlong = bytes(self._buffer), self._overlong
            self._buffer.clear()
            self._overlong = False
            if overlong:
                self._drop(out, RejectReason.BAD_LENGTH, 0, "a frame longer than any message")
            elif chunk:
                self._frame(chunk, out)

    def reset(self) -> None:
        """Forget a partial frame (the link was reopened); counters are kept."""
        self._buffer.clear()
        self._overlong = False

    def _hold(self, tail: bytes, out: Fed) -> None:
        if self._overlong:
            return
        self._buffer += tail
        if len(self._buffer) > MAX_FRAME:
            self._buffer.clear()
            self._overlong = True

    def _frame(self, encoded: bytes, out: Fed) -> None:
        if len(encoded) > MAX_FRAME:
            self._drop(out, RejectReason.BAD_LENGTH, 0, "a frame longer than any message")
            return
        try:
            message = cobs.decode(encoded)
        except cobs.DecodeError:
            self._drop(out, RejectReason.BAD_FRAME, 0, "a frame whose COBS encoding is broken")
            return
        try:
            decoded = decode(message)
        except BoardProtocolError as err:
            kind = message[0] if message and err.reason is not RejectReason.BAD_CRC else 0
            self._drop(out, err.reason, kind, str(err))
            return
        self.frames += 1
        out.messages.append(decoded)

    def _drop(self, out: Fed, reason: RejectReason, kind: int, text: str) -> None:
        self.discarded[reason] += 1
        out.discarded.append(Discarded(reason, kind, text))
