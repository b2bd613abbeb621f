"""Read and decode a whole telemetry log at once.

Fixed-layout telemetry and events are picked out by their header bytes, all packets of a kind at
once, CRC-checked 16 bits a step (tools.bulk) and viewed as numpy records: no per-packet parsing.
What is left (uplinked commands, bad CRCs, unknown APIDs: few) goes through the per-packet decoder,
so every refusal carries the decoder's own reason and text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fsw.packets import ccsds
from fsw.packets.catalog import Catalog, Packet
from fsw.packets.crc import crc16
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.schema import EventDef
from fsw.packets.timecode import FINE_PER_SECOND
from tools.bulk import crc16_rows, dtype_of, gather_rows
from tools.dictionary import Dictionary
from tools.ground.names import command_names, event_text
from tools.replay.index import ProgressFn, RecordIndex, index_records, read_log
from tools.replay.model import (
    BadPacket,
    Command,
    Event,
    PacketTable,
    Replay,
    SeqCounts,
    native,
)
from tools.tlmlog import RecordType

EVENT_HEADERS = 15  # bytes before an event's arguments: primary, time code, id, severity


def load(
    path: str | Path, dictionary: Dictionary | None = None, progress: ProgressFn | None = None
) -> Replay:
    """Read the log at `path` and decode every packet with `dictionary` (default: this
    checkout's flight software). Raises LogError if the file is not a telemetry log."""
    data, header = read_log(path)
    dictionary = dictionary if dictionary is not None else Dictionary.from_flight()
    records = index_records(data, header.size, progress)
    decoder = _Decoder(data, records, dictionary.catalog, progress)
    decoder.fast_telemetry()
    decoder.fast_events()
    decoder.slow_rest()
    return Replay(
        path=Path(path),
        size=len(data),
        header=header,
        dictionary=dictionary,
        records=records,
        telemetry=decoder.tables,
        events=sorted(decoder.events, key=lambda e: e.record),
        commands=decoder.commands,
        crc_errors=decoder.crc_errors,
        undecodable=decoder.undecodable,
        idle=decoder.idle,
        seq_counts=decoder.seq_counts(),
        intact=decoder.intact,
        data=data,
    )


class _Decoder:
    """The header bytes of every recorded packet as arrays, and what has been decoded so far."""

    def __init__(
        self, data: bytes, records: RecordIndex, catalog: Catalog, progress: ProgressFn | None
    ) -> None:
        self.data = data
        self.records = records
        self.catalog = catalog
        self.names = command_names(catalog.commands)  # events name commands (tools.ground.names)
        self.progress = progress
        self.buf = np.frombuffer(data, dtype=np.uint8)
        self.offsets = records.packet_offsets
        self.lengths = records.lengths
        self.done = 0
        n = len(records)
        self.word0 = self._word(0)
        length_ok = self._word(4) + 7 == self.lengths
        self.downlink = (records.types == RecordType.DOWNLINK) | (
            records.types == RecordType.PLAYBACK
        )  # live and played back alike
        whole = (self._byte(2) >> 6) == ccsds.SEQ_UNSEGMENTED
        self.candidate = self.downlink & whole & length_ok
        self.claimed = np.zeros(n, dtype=bool)
        self.intact = np.zeros(n, dtype=bool)  # length field and CRC hold, not link fill
        self.tables: dict[str, PacketTable] = {}
        self.events: list[Event] = []
        self.commands: list[Command] = []
        self.crc_errors: list[BadPacket] = []
        self.undecodable: list[BadPacket] = []
        self.idle = 0

    def _byte(self, k: int) -> np.ndarray:
        """Byte k of every packet (clamped to the file for packets shorter than k)."""
        return self.buf[np.minimum(self.offsets + k, len(self.buf) - 1)].astype(np.int64)

    def _word(self, k: int) -> np.ndarray:
        return (self._byte(k) << 8) | self._byte(k + 1)

    def _tell(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress("decoding", self.done, len(self.records))

    def _good(self, chosen: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Those of the chosen packets (all `size` bytes) whose CRC holds, and their bytes."""
        rows = gather_rows(self.buf, self.offsets[chosen], size)
        good = crc16_rows(rows) == 0
        keep = chosen[good]
        self.claimed[keep] = True
        self.intact[keep] = True
        self._tell(len(keep))
        return keep, np.ascontiguousarray(rows[good])

    def fast_telemetry(self) -> None:
        """Every fixed-layout telemetry packet with a good CRC, as record arrays."""
        for tm in self.catalog.telemetry:
            layout = self.catalog.layout(tm)
            mine = self.candidate & (self.word0 == layout.packet_id) & (self.lengths == layout.size)
            keep, rows = self._good(np.flatnonzero(mine), layout.size)
            if len(keep):
                self.tables[tm.name] = PacketTable(
                    tm,
                    rows.view(dtype_of(layout)).reshape(-1),
                    self.records.received_ns[keep],
                    keep,
                )

    def fast_events(self) -> None:
        """Every event with a good CRC, its arguments read through numpy."""
        event_id = ccsds.packet_id(ccsds.PacketType.TELEMETRY, self.catalog.event_apid)
        chosen = np.flatnonzero(
            self.candidate & (self.word0 == event_id) & (self.lengths >= EVENT_HEADERS)
        )
        ids = ((self._byte(12) << 8) | self._byte(13))[chosen]
        severities = self._byte(14)[chosen]
        by_id = {e.id: e for e in self.catalog.events}
        for number in np.unique(ids).tolist():
            definition = by_id.get(number)
            if definition is None:
                continue
            size = self.catalog.layout(definition).size
            mine = (
                (ids == number)
                & (severities == definition.severity)
                & (self.lengths[chosen] == size)
            )
            keep, rows = self._good(chosen[mine], size)
            self._add_events(definition, keep, rows)

    def _add_events(self, definition: EventDef, keep: np.ndarray, rows: np.ndarray) -> None:
        packets = rows.view(dtype_of(self.catalog.layout(definition))).reshape(-1)
        names = [a.name for a in definition.args]
        times = packets["time_coarse"] + packets["time_fine"] / FINE_PER_SECOND
        seqs = native(packets["sequence_control"]) & ccsds.SEQ_COUNT_MASK
        values = packets[names].tolist() if names else [()] * len(packets)
        received = self.records.received_ns[keep]
        severity = definition.severity.name
        for record, time, at, seq, row in zip(
            keep.tolist(), times.tolist(), received.tolist(), seqs.tolist(), values, strict=True
        ):
            wire = dict(zip(names, row, strict=True))
            shown = {a.name: a.show(wire[a.name]) for a in definition.args}
            text = event_text(definition, wire, self.names)
            self.events.append(Event(record, time, at, seq, definition.name, severity, text, shown))

    def slow_rest(self) -> None:
        """Everything the fast paths did not take, through the per-packet decoder."""
        rest = np.flatnonzero(~self.claimed)
        for i in rest.tolist():
            start = int(self.offsets[i])
            packet = self.data[start : start + int(self.lengths[i])]
            direction = RecordType(int(self.records.types[i]))
            self.intact[i] = _intact(packet)
            try:
                decoded = self.catalog.decode(packet)
            except PacketError as err:
                self._refused(i, packet, direction, err)
                continue
            if (decoded.kind == "command") != (direction == RecordType.UPLINK):
                message = f"a {decoded.kind} ({decoded.name}) recorded as {direction.name.lower()}"
                self.undecodable.append(self._bad(i, packet, direction, Reason.BAD_HEADER, message))
            elif decoded.kind == "command":
                self.commands.append(self._command(i, decoded))
            else:  # pragma: no cover - the fast paths take every good telemetry packet
                raise AssertionError(f"{decoded.name} escaped the fast path")
        self._tell(len(rest))

    def _refused(self, i: int, packet: bytes, direction: RecordType, err: PacketError) -> None:
        if err.reason == Reason.IDLE_PACKET:
            self.idle += 1
            self.intact[i] = False
            return
        bad = self._bad(i, packet, direction, err.reason, err.message)
        (self.crc_errors if err.reason == Reason.BAD_CRC else self.undecodable).append(bad)

    def _bad(
        self, i: int, packet: bytes, direction: RecordType, reason: Reason, message: str
    ) -> BadPacket:
        apid = (ccsds.apid_of(packet)) if len(packet) >= 2 else None
        return BadPacket(
            i,
            int(self.records.offsets[i]),
            direction,
            int(self.records.received_ns[i]),
            apid,
            reason.name,
            message,
        )

    def _command(self, i: int, decoded: Packet) -> Command:
        return Command(
            i,
            int(self.records.received_ns[i]),
            decoded.seq_count,
            decoded.name,
            decoded.apid,
            decoded.definition.code,  # type: ignore[union-attr]
            decoded.shown(),
        )

    def seq_counts(self) -> SeqCounts:
        """The intact downlink telemetry packets (their headers can be trusted: an unknown APID
        or event id still counts), for gap counting."""
        telemetry = (self.word0 & ccsds.TYPE_BIT) == 0
        chosen = np.flatnonzero(self.intact & self.downlink & telemetry)
        timed = self.lengths[chosen] >= 14
        coarse = (self._word(6)[chosen] << 16) | self._word(8)[chosen]
        time = np.where(timed, coarse + self._word(10)[chosen] / FINE_PER_SECOND, np.nan)
        return SeqCounts(
            record=chosen,
            apid=self.word0[chosen] & ccsds.APID_MASK,
            seq_count=self._word(2)[chosen] & ccsds.SEQ_COUNT_MASK,
            time=time,
        )


def _intact(packet: bytes) -> bool:
    """Whether a packet's length field and CRC hold (so its header can be trusted)."""
    return (
        len(packet) >= ccsds.HEADER_SIZE + 2
        and ccsds.length_of(packet) == len(packet)
        and crc16(packet) == 0
    )
