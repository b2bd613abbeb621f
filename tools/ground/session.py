"""A ground session: the ground's view of one rover and what it can do with it: send a command,
take in packets, and wait for a verification, an event or a telemetry condition.

The same session drives three sources, so operator scripts, the console and tests are written
once: a live link (LinkSession, waits on the wall clock), the flight software in-process on the
simulated clock (tools.ground.inprocess, waits in mission time, seconds of CPU for hours of
driving), and a recorded log (tools.ground.playback, waits in the log's mission time).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from fsw.packets import ccsds, secure
from fsw.packets.catalog import Packet
from fsw.packets.reasons import PacketError
from fsw.security import Key
from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLine
from tools.ground.conditions import Condition
from tools.ground.link import GroundLink, StatusCallback, check_url
from tools.ground.signer import Signer
from tools.ground.state import GroundState, SentCommand, Update
from tools.ground.verifier import DownlinkVerifier, Verdict
from tools.merge import Merger
from tools.tlmlog import LogWriteError, LogWriter, RecordType

Listener = Callable[[Update], None]
"""Told of every packet taken in (on the thread that took it in)."""


class GroundError(RuntimeError):
    """Something the ground cannot do now (the link is down, the log has no such command)."""


class Session:
    """The ground's view of the rover, fed packets by a source; see the module docstring."""

    def __init__(self, dictionary: Dictionary, recorder: LogWriter | None = None) -> None:
        self.dictionary = dictionary
        self.recorder = recorder
        self.state = GroundState()
        self.listeners: list[Listener] = []
        self.on_sent: list[Callable[[SentCommand], None]] = []  # told before any report comes
        self.undecodable: Counter[str] = Counter()  # reason -> count
        self.merger = recorder.merger if recorder is not None else Merger()  # live + playback
        self.sent: list[SentCommand] = []
        self.signer: Signer | None = None  # seals each command when the uplink needs it
        # judges every live packet before it is believed; None: a source already judged (a log)
        self.verifier: DownlinkVerifier | None = DownlinkVerifier(None)
        self.on_refused: list[Callable[[Verdict], None]] = []  # told of each refused packet
        self.not_recording: str | None = None  # why recording stopped (a full disk), once it has
        self.on_recording_stopped: list[Callable[[str], None]] = []  # told that reason, once
        self._wire: dict[tuple[int, int], bytes] = {}  # (APID, seq) -> the bytes sent
        self._cond = threading.Condition(threading.RLock())
        self._next_seq = 0

    @property
    def lock(self) -> threading.RLock:
        """Held while a packet is taken in: hold it to read the state from another thread."""
        return self._cond  # type: ignore[return-value]  # a Condition is used as its lock

    # ---- what a source provides ---------------------------------------------------------------

    def now(self) -> float:
        """The clock timeouts are measured on (s)."""
        return time.monotonic()

    def _deadline(self, timeout: float) -> float:
        """When a wait of `timeout` s from now ends, on the clock now() reads."""
        return self.now() + timeout

    def ground_time_ns(self) -> int:
        """Ground time now (ns since 1970): what receive and send times are stamped with."""
        return time.time_ns()

    def _transmit(self, packet: bytes) -> None:
        raise GroundError("this session cannot send commands")

    def _advance(self, deadline: float) -> bool:
        """Let time pass towards `deadline` until something may have changed (called with the
        lock held); False when nothing more can ever come."""
        self._cond.wait(max(0.0, deadline - self.now()))
        return True

    def close(self) -> None:
        """Let go of the source and the recorder (telling why, if its last flush failed)."""
        recorder = self.recorder
        if recorder is not None:
            recorder.close()
            if recorder.failed is not None and self.not_recording is None:
                self.recorder = None
                self.not_recording = recorder.failed
                for told in list(self.on_recording_stopped):
                    told(recorder.failed)

    # ---- taking packets in --------------------------------------------------------------------

    def take(
        self, packet: bytes, received_ns: int | None = None, played: bool = False
    ) -> Update | None:
        """Take in one received packet: verify it (a refused one goes no further, told to
        `on_refused`), unwrap a playback (or `played`: a log's playback record), drop a duplicate
        of a packet already taken, record it, decode it, update the state (a playback never hides
        newer telemetry), tell listeners. None if nothing new."""
        received = self.ground_time_ns() if received_ns is None else received_ns
        with self._cond:
            if self.verifier is not None and not played:
                verdict = self.verifier.check(packet)
                if verdict.packet is None:  # never decoded, recorded, shown or matched
                    for told in list(self.on_refused):
                        told(verdict)
                    self._cond.notify_all()
                    return None
                packet = verdict.packet
            admitted = self.merger.admit(packet, played)
            if not admitted.fresh:
                return None
            packet = admitted.packet
            if self.recorder is not None:
                kind = RecordType.PLAYBACK if admitted.playback else RecordType.DOWNLINK
                self._record(packet, received, kind)
            try:
                if admitted.error is not None:
                    raise admitted.error
                decoded = self.dictionary.decode(packet)
            except PacketError as err:
                self.undecodable[err.reason.name] += 1
                self._cond.notify_all()
                return None
            update = self.state.add(decoded, received / 1e9, admitted.playback)
            for listener in list(self.listeners):  # before any waiter wakes: shown in order
                listener(update)
            self._cond.notify_all()
        return update

    # ---- commanding ---------------------------------------------------------------------------

    def send(self, command: CommandLine) -> SentCommand:
        """Send a checked command with the next sequence count; its reports will be matched."""
        with self._cond:
            if command.name == "SA_SET_ARSN" and self.signer is not None:
                self._reserve_arsn(int(command.args["arsn"]))
            seq = self._next_seq
            packet = self.dictionary.encode_command(
                command.name, command.args, seq, data=command.data
            )
            now = self.ground_time_ns()
            wire = packet if self.signer is None else self.signer.seal(packet)
            sn = 0 if self.signer is None else secure.unseal(wire).sn  # its reports must echo it
            sent = SentCommand(seq, command.definition, dict(command.args), command.text(),
                               now / 1e9, sent_at=self.state.time, sn=sn)  # fmt: skip
            self.state.sent(sent)  # before it goes: an in-process rover answers at once
            self._wire[(command.definition.apid, seq)] = wire
            try:
                self._transmit(wire)
            except BaseException:  # not sent: forget it, and reuse the sequence count
                self.state.unsent(sent)
                raise
            self._next_seq = (seq + 1) & ccsds.SEQ_COUNT_MASK
            self.sent.append(sent)
            for told in list(self.on_sent):  # under the lock: before its first report is taken
                told(sent)
            if self.recorder is not None:
                self._record(packet, now, RecordType.UPLINK)
        return sent

    def _record(self, packet: bytes, received_ns: int, kind: RecordType) -> None:
        """Record one packet; when the log cannot take it (disk full), stop recording, keep the
        log as it is, and tell the listeners why, once: the session goes on without a log."""
        assert self.recorder is not None
        try:
            self.recorder.write(packet, received_ns, kind)
        except LogWriteError as err:
            self.recorder.close()
            self.recorder = None
            self.not_recording = str(err)
            for told in list(self.on_recording_stopped):
                told(self.not_recording)

    def _reserve_arsn(self, arsn: int) -> None:
        """Check an SA_SET_ARSN's counter against this ground's numbering, and number every
        later command above it. Below the lowest number the signer may use next, the rover would
        count numbers already signed (and perhaps captured) as unused: a GroundError, not sent."""
        assert self.signer is not None
        lowest = max(self.signer.next_sn, self.signer.clock())
        if arsn < lowest:
            raise GroundError(
                f"SA_SET_ARSN arsn={arsn}: below this ground's numbering ({lowest}, the clock in "
                f"microseconds), commands signed before would run again if replayed; give "
                f"arsn={lowest} or more"
            )
        self.signer.next_sn = max(self.signer.next_sn, arsn + 1)

    def reserve_seqs(self, count: int) -> int:
        """Take `count` sequence counts that send() will not use (wrapping): the first. For
        commands that go up inside another, a stored sequence's steps, so their reports are
        never taken for a live command's."""
        with self._cond:
            first = self._next_seq
            self._next_seq = (first + count) & ccsds.SEQ_COUNT_MASK
        return first

    def retransmit(self, command: SentCommand) -> None:
        """Send a command's very bytes again, sequence number and all. If the first copy did
        arrive, an authenticated rover refuses this one as REPLAYED: a command whose fate is
        unknown can be repeated without ever running twice. (Unsigned, it would run again.)"""
        with self._cond:
            wire = self._wire.get((command.definition.apid, command.seq))
            if wire is None:
                raise GroundError(f"[{command.seq}] {command.name}: its bytes are gone")
            self._transmit(wire)
            command.copies += 1

    # ---- waiting ------------------------------------------------------------------------------

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until `predicate()` holds (checked as packets come) or `timeout` s have passed."""
        deadline = self._deadline(timeout)
        with self._cond:
            while not predicate():
                if self.now() >= deadline or not self._advance(deadline):
                    return predicate()
            return True

    def await_final(self, command: SentCommand, timeout: float) -> str | None:
        """The command's final stage (COMPLETED, FAILED or REJECTED), or None at the timeout."""
        self.wait_for(lambda: command.final is not None, timeout)
        return command.final

    def event_cursor(self) -> int:
        """A mark in the event list: await_event(since=mark) looks only at later events."""
        with self._cond:
            return len(self.state.events)

    def await_event(
        self,
        name: str,
        timeout: float,
        since: int = 0,
        where: Callable[[Packet], bool] | None = None,
    ) -> Packet | None:
        """The first event called `name` (and matching `where`) after mark `since`, or None."""
        wanted = self.dictionary.event(name).name
        found: list[Packet] = []

        def arrived() -> bool:
            for event in self.state.events[since:]:
                if event.name == wanted and (where is None or where(event)):
                    found.append(event)
                    return True
            return False

        self.wait_for(arrived, timeout)
        return found[0] if found else None

    def await_condition(self, condition: Condition, timeout: float) -> bool:
        """Whether the telemetry met `condition` within `timeout` s."""
        return self.wait_for(lambda: condition.holds(self.state.shown), timeout)


class LinkSession(Session):
    """A session over a live link (any pyserial URL); timeouts are wall-clock seconds."""

    def __init__(
        self,
        dictionary: Dictionary,
        url: str,
        *,
        baudrate: int = 115200,
        record: Path | None = None,
        on_status: StatusCallback | None = None,
        key: Key | None = None,
    ) -> None:
        check_url(url)  # a URL that can never work: refused before anything starts
        recorder = LogWriter(record, dictionary.fingerprint) if record is not None else None
        super().__init__(dictionary, recorder)
        hello = None
        if key is not None:
            self.signer = Signer(key, lambda: time.time_ns() // 1000)
            hello = self._proof
        self.verifier = DownlinkVerifier(key)  # with a key, only sealed telemetry is believed
        self.link = GroundLink(url, self._received, on_status, baudrate=baudrate, hello=hello)

    def _proof(self) -> bytes:
        """The first frame on a connection after one was refused: a signed NOOP, the proof of
        the key a rover asks of a ground that would take the link from another (a console that
        only listens has no command of its own to prove it with). Its sequence count is the last
        one, so the console's own numbering is untouched and its reports match no live command
        (but a NOOP sent as the 16,384th, and that one completes either way); its sequence
        number is fresh."""
        assert self.signer is not None  # only a session with a key says hello
        packet = self.dictionary.encode_command("NOOP", {}, ccsds.SEQ_COUNT_MASK)
        return self.signer.seal(packet)

    def _received(self, packet: bytes, received_ns: int) -> None:
        self.take(packet, received_ns)

    def start(self) -> LinkSession:
        """Start opening the link in the background."""
        self.link.start()
        return self

    def _transmit(self, packet: bytes) -> None:
        self.link.send(packet)

    def close(self) -> None:
        """Close the link, then the recorder."""
        self.link.close()
        super().close()
