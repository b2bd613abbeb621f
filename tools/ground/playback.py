"""A session that replays a recorded telemetry log as if the rover were live.

Waiting reads the log forward; timeouts are the log's mission seconds. "Sending" a command finds
the next recorded uplink of exactly that command (same bytes but for the sequence count) and
follows its verification, so a test written against the in-process rover also checks a recorded
log. With `speed`, records are released at their recorded pace divided by `speed` (what
`rover replay --follow` shows); without it, as fast as they can be read.
"""

from __future__ import annotations

import itertools
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from fsw.packets import ccsds
from fsw.packets.reasons import PacketError
from fsw.packets.schema import CommandDef
from fsw.packets.timecode import from_cuc
from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLine
from tools.ground.session import GroundError, Session
from tools.ground.state import SentCommand
from tools.tlmlog import LogReader, Record, RecordType


class PlaybackSession(Session):
    """The story of a recorded log, told packet by packet as the ground waits for things."""

    def __init__(
        self,
        path: str | Path,
        dictionary: Dictionary | None = None,
        *,
        speed: float | None = None,
        show_uplinks: bool = False,
    ) -> None:
        super().__init__(dictionary or Dictionary.from_flight())
        self.verifier = None  # a log holds what its recorder verified, unwrapped
        self.path = Path(path)
        self.reader = LogReader(path)
        self.speed = speed
        self.show_uplinks = show_uplinks  # follow every recorded command's verification
        self._start = _first_time(self.reader)
        self._records: Iterator[Record] = iter(self.reader)
        self._next: Record | None = None  # read, not yet taken in: it lies past a deadline
        self._uplinks: list[Record] = []  # recorded commands not yet claimed by send()
        self._first: tuple[int, float] | None = None  # (received ns, wall) of the first record
        self.finished = False
        self._playing = False  # play() reads the log; waits must not

    def now(self) -> float:
        """Mission time of the latest packet read (before any, of the log's first packet)."""
        return self.state.time if self.state.time is not None else self._start

    def _advance(self, deadline: float) -> bool:
        """Take in the next record, unless its packet time lies past `deadline` (then False, and
        it is kept for the next wait): a wait never sees what came after its timeout."""
        if self._playing:
            raise GroundError(f"{self.path} is playing by itself: nothing to wait for")
        record = self._next if self._next is not None else next(self._records, None)
        self._next = None
        if record is None:
            self.finished = True
            return False
        when = _packet_time(record)
        if when is not None and when > deadline:
            self._next = record
            return False
        self._pace(record)
        self._apply(record)
        return True

    def _apply(self, record: Record) -> None:
        if record.type is not RecordType.UPLINK:
            self.take(record.packet, record.received_ns, record.type is RecordType.PLAYBACK)
        elif not self.show_uplinks:
            self._uplinks.append(record)
        else:
            found = uplinked(self.dictionary, record)
            if found is None:
                return
            seq, line = found
            sent = SentCommand(seq, line.definition, dict(line.args), line.text(), record.received,
                               sent_at=self.state.time)  # fmt: skip
            self.state.sent(sent)
            self.sent.append(sent)

    def _pace(self, record: Record) -> None:
        if self.speed is None:
            return
        if self._first is None:
            self._first = (record.received_ns, time.monotonic())
            return
        due = self._first[1] + (record.received_ns - self._first[0]) / 1e9 / self.speed
        left = due - time.monotonic()
        if left > 0:
            time.sleep(left)

    def play(self, stop: Callable[[], bool] | None = None) -> None:
        """Read the log to its end (or until `stop()`), pacing outside the lock so that
        another thread can look at the state meanwhile."""
        self._playing = True
        pending = [self._next] if self._next is not None else []
        self._next = None
        for record in itertools.chain(pending, self._records):
            if stop is not None and stop():
                return
            self._pace(record)
            with self._cond:
                self._apply(record)
        self.finished = True

    def send(self, command: CommandLine) -> SentCommand:
        """The next recorded uplink of this very command, followed from here on."""
        if self.show_uplinks:
            raise GroundError(f"{self.path} is a recording: commands cannot be sent to it")
        with self._cond:
            while True:
                for i, record in enumerate(self._uplinks):
                    seq = ccsds.seq_count_of(record.packet)
                    try:
                        expected = self.dictionary.encode_command(command.name, command.args, seq)
                    except PacketError:
                        continue
                    if record.packet == expected:
                        del self._uplinks[: i + 1]  # earlier ones were not asked for
                        sent = SentCommand(seq, command.definition, dict(command.args),
                                           command.text(), record.received,
                                           sent_at=self.state.time)  # fmt: skip
                        self.state.sent(sent)
                        self.sent.append(sent)
                        return sent
                if not self._advance(float("inf")):
                    raise GroundError(f"{self.path}: no further {command.text()} was sent")


_CUC = struct.Struct(">IH")


def _packet_time(record: Record) -> float | None:
    """The time code of a downlinked telemetry packet, read straight from its header."""
    packet = record.packet
    if record.type is RecordType.UPLINK or len(packet) < 12 or packet[0] & 0x10:
        return None
    return from_cuc(*_CUC.unpack_from(packet, 6))


def _first_time(reader: LogReader) -> float:
    """The time of the log's first telemetry packet (0 for a log without one)."""
    for record in reader.records():
        when = _packet_time(record)
        if when is not None:
            return when
    return 0.0


def uplinked(dictionary: Dictionary, record: Record) -> tuple[int, CommandLine] | None:
    """The sequence count and command of a recorded uplink (None if it is not one we can read)."""
    if record.type is not RecordType.UPLINK:
        return None
    try:
        packet = dictionary.decode(record.packet)
    except PacketError:
        return None
    if not isinstance(packet.definition, CommandDef):
        return None
    return packet.seq_count, CommandLine(packet.definition, dict(packet.values))
