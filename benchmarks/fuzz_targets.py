"""The targets of the fuzzing campaign (benchmarks/fuzz.py): each feeds one input to the real
code, checks what it did, and can say whether the link still works afterwards.

Properties checked on every input (a breach raises Violation; any other exception escaped):
- flight uplink (deframer, dispatcher, security): every byte fed is in a good packet, link fill,
  a delimiter, held for an unfinished frame, or discarded under a reason and reported in an
  UPLINK_DISCARDED event; every packet the deframer passed gets exactly one ACCEPTED or REJECTED
  report (or, a security refusal over the report rate limit, one count of `unreported`), every
  REJECTED report names a reason, and an input with nothing accepted leaves the
  mode, parameters, monitors, wheels and ARM as they were.
- board stream: every frame gives one message or one discard with a reason, and every message
  read is exactly the bytes of a frame that was sent.
- board endpoint: everything the board sends back is well-formed, of a board-to-host type;
  every bad frame (a board-to-host type counts as one) is answered with a REJECT of a
  receive-error reason and counted in rx_errors, and nothing else is (docs/board-protocol.md).
Health (after every batch): a PING with a fresh token gets its PING_REPLY; a board answers a
HELLO and a SETPOINT with a STATUS echoing the setpoint's seq.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

from cobs import cobs
from hypothesis import strategies as st

from benchmarks import fuzz_inputs as fi
from benchmarks.valid_commands import valid_packets
from fsw.clock import SimClock
from fsw.flight import FlightSoftware
from fsw.packets import ccsds, secure
from fsw.packets.framing import frame
from fsw.packets.reasons import Reason
from fsw.security import Key
from fsw.tables import CATALOG
from fsw.tables.enums import BoardKind, Stage
from hil.board.endpoint import BoardEndpoint
from hil.board.protocol import MsgType, RejectReason, encode
from hil.board.stream import MessageStream
from hil.sim import SimRover, Terrain
from tools.ground.verifier import DownlinkVerifier

START = 86400.0
VERIFY_APID = CATALOG.telemetry_packet("CMD_VERIFY").apid
EVENT_APID = CATALOG.event_apid
BOARD_TO_HOST = frozenset((MsgType.INFO, MsgType.STATUS, MsgType.REJECT))
RECEIVE_ERRORS = frozenset((RejectReason.BAD_FRAME, RejectReason.BAD_CRC,
                            RejectReason.UNKNOWN_TYPE, RejectReason.BAD_LENGTH))  # fmt: skip
"""REJECT reasons for a bad frame, each counted in rx_errors (docs/board-protocol.md)."""
UNTRUSTED_TYPE = frozenset((RejectReason.BAD_FRAME, RejectReason.BAD_CRC))
"""REJECT reasons whose type byte is 0: the type received cannot be trusted."""


class Violation(AssertionError):
    """A property of the code under test did not hold for an input."""


def _apid(packet: bytes) -> int:
    return ccsds.apid_of(packet)


def split(data: bytes, rng: random.Random) -> list[bytes]:
    """`data` cut at up to two random places: the receiver's state is kept across pieces."""
    cuts = sorted(rng.randrange(len(data) + 1) for _ in range(rng.choice((0, 0, 1, 2))))
    edges = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


class Target:
    """One thing fuzzed: its valid corpus, generators, the per-input check and the health check."""

    name = ""
    description = ""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.reasons: Counter[str] = Counter()
        self.corpus: list[bytes] = []

    def generate(self, rng: random.Random) -> bytes:
        """One input for the volume loop: a corpus entry, mutated."""
        return fi.mutate(rng.choice(self.corpus), rng, self.corpus)

    def strategy(self) -> st.SearchStrategy[bytes]:
        """Near-valid inputs, for hypothesis."""
        raise NotImplementedError

    def from_fuzzer(self, data: bytes) -> bytes:
        """An input made from a coverage-guided fuzzer's raw bytes (atheris)."""
        return data

    def run_one(self, data: bytes) -> None:
        """Feed one input and check the properties; Violation when one fails."""
        raise NotImplementedError

    def healthy(self) -> bool:
        """Whether the link still works: a valid exchange right after the fuzzed inputs."""
        raise NotImplementedError


# ---- the flight software's uplink ---------------------------------------------------------


class FlightUplink(Target):
    """Bytes into FlightSoftware.receive, as the ground link delivers them (the simulated rover
    behind it); with a key, the uplink requires authenticated envelopes."""

    name = "uplink"
    description = "raw byte streams into FlightSoftware.receive (deframer, CRC, header, APID)"
    key: Key | None = None

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.clock = SimClock(START)
        rover = SimRover(self.clock.now, Terrain(), seed=seed)
        self.out: list[bytes] = []
        self.ground = DownlinkVerifier(self.key)  # with a key, telemetry comes down sealed
        self.flight = FlightSoftware(rover, self.clock, self._heard, key=self.key)
        self.deframer = self.flight.uplink._deframer  # what the link counters are read from
        self.commands = valid_packets(self.rng)
        self.corpus = self.frames(self.commands)
        self.seq = self.token = 0
        self.sn = 0  # the highest authentication sequence number sent
        self.pings = 0

    def _heard(self, packet: bytes) -> None:
        """A packet going down, as the ground believes it (a refusal is a violation)."""
        verdict = self.ground.check(packet)
        if verdict.packet is None:
            raise Violation(f"the rover's own telemetry was refused: {verdict.why}")
        self.out.append(verdict.packet)

    def frames(self, commands: Sequence[bytes]) -> list[bytes]:
        """Streams of one to three frames of valid commands: the mutator's seeds."""
        rng = self.rng
        return [b"".join(frame(rng.choice(commands)) for _ in range(rng.randint(1, 3)))
                for _ in range(len(commands))]  # fmt: skip

    def seal(self, packet: bytes) -> bytes:
        """`packet` as the uplink wants it: bare, or in a fresh envelope under the key."""
        if self.key is None:
            return packet
        packet = packet.ljust(ccsds.HEADER_SIZE, b"\x00")  # a header to take the seq count from
        self.sn += 1
        return secure.seal(packet, self.key.secret, self.key.spi, self.sn)

    def strategy(self) -> st.SearchStrategy[bytes]:
        return fi.near_valid_stream([self.seal(p) for p in self.commands])

    def _accounted(self) -> int:
        d = self.deframer
        return d.good_bytes + sum(d.discarded_bytes.values()) + d.buffered

    def run_one(self, data: bytes) -> None:
        d = self.deframer
        bytes_before, packets_before = self._accounted(), d.packets
        frames_before = Counter(d.discarded_frames)
        discarded_before = Counter(d.discarded_bytes)
        state_before = self.state()
        unreported_before = self.flight.uplink.unreported
        held_before = self.flight.uplink.held
        self.out.clear()
        for piece in split(data, self.rng):
            self.flight.receive(piece)
        if self._accounted() - bytes_before + data.count(0) != len(data):
            raise Violation("bytes fed are neither delivered, discarded nor held")
        for reason, count in (d.discarded_frames - frames_before).items():
            if reason in (Reason.OK, Reason.IDLE_PACKET):
                raise Violation(f"a frame discarded under {reason.name}")
            self.reasons[f"link {reason.name}"] += count
        reported: Counter[int] = Counter()
        judged = accepted = 0
        for packet in self.out:
            apid = _apid(packet)
            if apid == VERIFY_APID:
                stage = self._verification(packet)
                judged += stage is not None
                accepted += stage is Stage.ACCEPTED
            elif apid == EVENT_APID:
                decoded = CATALOG.decode(packet)
                if decoded.name == "UPLINK_DISCARDED":
                    reported[decoded.values["reason"]] += decoded.values["count"]
        # reports over the rate limit are held and their bytes added to a later report
        discarded = d.discarded_bytes - discarded_before
        held = self.flight.uplink.held
        reported.update(held)
        discarded.update(held_before)
        if +reported != +discarded:
            raise Violation("UPLINK_DISCARDED events do not add up to the bytes discarded")
        # refusals over the uplink's report rate limit are counted, not reported
        judged += self.flight.uplink.unreported - unreported_before
        if judged != d.packets - packets_before:
            raise Violation(f"{d.packets - packets_before} packets delivered, {judged} judged")
        if not accepted and self.state() != state_before:
            raise Violation("nothing was accepted, yet the rover's state changed")

    def state(self) -> tuple:
        """What a rejected command must not change: mode, parameters, monitors, wheels, ARM."""
        f = self.flight
        return (f.mode, dict(f.params.values), list(f.monitors.enabled), list(f.isolated),
                f.arming.armed, f.arming.until)  # fmt: skip

    def _verification(self, packet: bytes) -> Stage | None:
        """The stage of a verification report if it is the first (ACCEPTED or REJECTED)."""
        values = CATALOG.decode(packet).values
        stage = values["stage"]
        if stage == Stage.ACCEPTED:
            self.reasons["command ACCEPTED"] += 1
            return Stage.ACCEPTED
        if stage == Stage.REJECTED:
            reason = Reason(values["reason"])
            if reason is Reason.OK:
                raise Violation("a REJECTED report without a reason")
            self.reasons[f"command REJECTED {reason.name}"] += 1
            return Stage.REJECTED
        return None

    def healthy(self) -> bool:
        self.flight.run(self.clock.now() + 1.0)  # let the fuzzed state play out a little
        self.seq, self.token = self.seq + 1, self.token + 1
        token = 0x5EED0000 + self.token
        ping = CATALOG.encode_command("PING", {"token": token}, self.seq & 0x3FFF)
        self.out.clear()
        self.flight.receive(frame(self.seal(ping)))
        for packet in self.out:
            if _apid(packet) == EVENT_APID:
                decoded = CATALOG.decode(packet)
                if decoded.name == "PING_REPLY" and decoded.values["token"] == token:
                    return True
        return False


class FlightDispatcher(FlightUplink):
    """Whole frames of packets whose CRC (and usually length field) is right but whose APID,
    code or arguments are anything: the dispatcher, not the CRC, has to judge them."""

    name = "dispatcher"
    description = "framed packets with good CRCs, any APID/code/arguments (command dispatcher)"

    def generate(self, rng: random.Random) -> bytes:
        packet = fi.mutate(rng.choice(self.commands), rng, self.commands)
        return frame(self.seal(fi.fix_packet(packet, fix_length=rng.random() < 0.9)))

    def strategy(self) -> st.SearchStrategy[bytes]:
        return fi.near_valid_packet(self.commands).map(lambda p: frame(self.seal(p)))

    def from_fuzzer(self, data: bytes) -> bytes:
        return frame(self.seal(fi.fix_packet(data)))


class SecuredUplink(FlightUplink):
    """The authenticated uplink: envelopes with one thing changed (CRC fixed up, so security
    judges the MAC), and well-signed envelopes around mutated commands (so the dispatcher does)."""

    name = "secured-uplink"
    description = "authenticated envelopes (HMAC, anti-replay) into a keyed FlightSoftware"
    key = Key(7, bytes(range(32)))

    def generate(self, rng: random.Random) -> bytes:
        command = fi.fix_packet(fi.mutate(rng.choice(self.commands), rng, self.commands))
        if rng.random() < 0.5:
            return frame(self.seal(command))  # signed: the dispatcher judges the command
        envelope = fi.mutate(self.seal(rng.choice(self.commands)), rng, self.commands)
        return frame(fi.fix_packet(envelope, fix_length=rng.random() < 0.9))

    def strategy(self) -> st.SearchStrategy[bytes]:
        envelopes = [self.seal(p) for p in self.commands]
        return st.one_of(
            fi.near_valid_packet(envelopes).map(frame),
            fi.near_valid_packet(self.commands).map(lambda p: frame(self.seal(p))),
        )

    def from_fuzzer(self, data: bytes) -> bytes:
        return frame(fi.fix_packet(data))


# ---- the board protocol -------------------------------------------------------------------


def board_corpus(rng: random.Random) -> list[bytes]:
    """Valid messages (unframed) of every type, both directions."""
    out = []
    for n in range(64):
        drive = [rng.randint(-2000, 2000) for _ in range(6)]
        steer = [rng.randint(-1571, 1571) for _ in range(4)]
        out += [
            encode(MsgType.HELLO, protocol=1),
            encode(MsgType.SETPOINT, seq=n, flags=n & 1, drive=drive, steer=steer),
            encode(MsgType.HEARTBEAT, count=n),
            encode(MsgType.STREAM, period_ms=rng.choice((0, 5, 100))),
            encode(MsgType.INJECT, fault=rng.randint(0, 3), wheel=rng.randint(0, 5)),
            encode(MsgType.REJECT, type=rng.randint(0, 255), reason=rng.randint(1, 7)),
            encode(MsgType.INFO, protocol=1, board=1, fw_major=1, fw_minor=0, fw_patch=0,
                   wheels=6, corners=4, counts_per_rev=4096, deadman_ms=500, max_drive=2000,
                   max_steer=1571),
            encode(MsgType.STATUS, answers=n, uptime_ms=n * 10, flags=1, stalled=0,
                   open_circuit=0, encoder_lost=0, rx_errors=0, encoders=[n] * 6,
                   currents=[673] * 6, steer=steer),
        ]  # fmt: skip
    return out


class BoardStream(Target):
    """Bytes into hil.board.stream.MessageStream (and protocol.decode behind it)."""

    name = "board-stream"
    description = "byte streams into the board link's MessageStream and protocol.decode"

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.stream = MessageStream()
        self.messages = board_corpus(self.rng)
        self.corpus = [frame(m) for m in self.messages]

    def generate(self, rng: random.Random) -> bytes:
        if rng.random() < 0.5:  # a message mutated, usually with its CRC fixed up, framed
            message = fi.mutate(rng.choice(self.messages), rng, self.messages)
            return frame(fi.fix_message(message) if rng.random() < 0.8 else message)
        seeds = [rng.choice(self.corpus) for _ in range(rng.randint(1, 3))]
        return fi.mutate(b"".join(seeds), rng, self.corpus)

    def strategy(self) -> st.SearchStrategy[bytes]:
        return fi.near_valid_board_message()

    def from_fuzzer(self, data: bytes) -> bytes:
        return frame(fi.fix_message(data)) if data[:1] < b"\x80" else data

    def run_one(self, data: bytes) -> None:
        s = self.stream
        before = s.frames + sum(s.discarded.values())
        messages: list[Any] = []
        for piece in [*split(data, self.rng), b"\x00"]:
            fed = s.feed(piece)
            messages += fed.messages
            for bad in fed.discarded:
                self.reasons[f"board {RejectReason(bad.reason).name}"] += 1
        chunks = [c for c in data.split(b"\x00") if c]
        if s.frames + sum(s.discarded.values()) - before != len(chunks):
            raise Violation(f"{len(chunks)} frames, not each read or discarded once")
        sent = set()
        for chunk in chunks:
            try:
                sent.add(cobs.decode(chunk))
            except cobs.DecodeError:
                continue
        for message in messages:
            self.reasons[f"board read {message.type.name}"] += 1
            if encode(message.type, **message.fields) not in sent:
                raise Violation(f"a {message.type.name} read that no frame carried")

    def healthy(self) -> bool:
        fed = self.stream.feed(frame(self.messages[7]))  # a STATUS
        return len(fed.messages) == 1 and not fed.discarded


class BoardBoard(Target):
    """Bytes into a board (hil.board.endpoint.BoardEndpoint, the Pi agent's and tests' board),
    at a clock that moves on a few milliseconds per input."""

    name = "board-endpoint"
    description = "byte streams into the board side, BoardEndpoint.receive and tick"

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.board = BoardEndpoint(BoardKind.RASPBERRY_PI)
        self.now = 0
        self.host = MessageStream()
        self.messages = board_corpus(self.rng)
        self.corpus = [frame(m) for m in self.messages if m[0] < 0x80]
        self.seq = 0
        self.out = 0

    generate = BoardStream.generate
    strategy = BoardStream.strategy
    from_fuzzer = BoardStream.from_fuzzer

    def _answers(self, sent: bytes) -> list[Any]:
        fed = self.host.feed(sent)
        self.out += len(sent)
        if fed.discarded:
            raise Violation(f"the board sent a bad frame: {fed.discarded[0].text}")
        wrong = [m.type.name for m in fed.messages if m.type not in BOARD_TO_HOST]
        if wrong:
            raise Violation(f"the board sent {wrong[0]}, a host-to-board type")
        return fed.messages

    def run_one(self, data: bytes) -> None:
        b = self.board
        errors_before, discarded_before = b.rx_errors, sum(b.stream.discarded.values())
        sent = b""
        for piece in split(data, self.rng):
            self.now += self.rng.choice((0, 1, 2, 5, 20, 600))
            sent += b.receive(piece, self.now)
        sent += b.tick(self.now, self.rng.choice((None, 0, 64)))
        answers = self._answers(sent)
        discarded = sum(b.stream.discarded.values()) - discarded_before
        rejects = [m for m in answers if m.type == MsgType.REJECT]
        bad_frames = [m for m in rejects if m["reason"] in RECEIVE_ERRORS]
        if b.rx_errors - errors_before != len(bad_frames) or len(bad_frames) < discarded:
            raise Violation(f"{discarded} frames discarded, {len(bad_frames)} bad-frame REJECTs, "
                            f"rx_errors moved by {b.rx_errors - errors_before}")  # fmt: skip
        for m in rejects:
            self.reasons[f"board REJECT {RejectReason(m['reason']).name}"] += 1
            if m["reason"] in UNTRUSTED_TYPE and m["type"] != 0:
                raise Violation(f"a {RejectReason(m['reason']).name} REJECT names type {m['type']}")

    def healthy(self) -> bool:
        self.seq = (self.seq + 1) & 0xFFFF
        self.now += 1
        sent = self.board.receive(frame(encode(MsgType.HELLO, protocol=1)), self.now)
        setpoint = encode(MsgType.SETPOINT, seq=self.seq, flags=1, drive=[100] * 6, steer=[0] * 4)
        sent += self.board.receive(frame(setpoint), self.now)
        answers = self._answers(sent)
        return any(m.type == MsgType.STATUS and m["answers"] == self.seq for m in answers)
