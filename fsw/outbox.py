"""Where the flight software's telemetry is made: housekeeping packets, events and verification
reports, each stamped with mission time and numbered per APID, then handed to store and forward.

Events and verification reports are precious (the store keeps them before housekeeping).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from fsw.clock import Clock
from fsw.packets.catalog import Catalog
from fsw.packets.reasons import Reason
from fsw.packets.schema import EventDef, TelemetryDef
from fsw.packets.timecode import MAX_COARSE
from fsw.tables.enums import Stage


class Sink(Protocol):
    """What takes each packet made (fsw.forward.StoreAndForward)."""

    def send(self, packet: bytes, *, precious: bool) -> None:
        """Downlink and/or store one packet."""
        ...


class Outbox:
    """Makes telemetry packets and hands them to the sink."""

    def __init__(self, catalog: Catalog, clock: Clock) -> None:
        self.catalog, self.clock = catalog, clock
        self.sink: Sink | None = None  # set once store and forward exists
        self.events_sent = 0
        self._seq: dict[int, int] = {}
        self._events = {e.name: e for e in catalog.events}
        self._verify = catalog.telemetry_packet("CMD_VERIFY")

    def housekeeping(self, packets: Iterable[tuple[TelemetryDef, dict[str, Any]]]) -> None:
        """Send housekeeping packets, each with its values."""
        for definition, values in packets:
            seq = self.next_seq(definition.apid)
            packet = self.catalog.encode_telemetry(definition, values, seq, self.stamp())
            self._send(packet, precious=False)

    def event(self, name: str, args: dict[str, Any]) -> None:
        """Raise an event."""
        event: EventDef = self._events[name]
        apid = self.catalog.event_apid
        packet = self.catalog.encode_event(event, args, self.next_seq(apid), self.stamp())
        self.events_sent += 1
        self._send(packet, precious=True)

    def verify(
        self,
        stage: Stage,
        apid: int,
        code: int,
        seq: int,
        reason: Reason,
        arg_index: int,
        sn: int = 0,
    ) -> None:
        """Send a command verification report; `sn` is the envelope's that carried the command."""
        values = {"stage": stage, "cmd_apid": apid, "cmd_code": code, "cmd_seq": seq,
                  "reason": reason, "arg_index": arg_index, "cmd_sn": sn}  # fmt: skip
        tm = self._verify
        packet = self.catalog.encode_telemetry(tm, values, self.next_seq(tm.apid), self.stamp())
        self._send(packet, precious=True)

    def next_seq(self, apid: int) -> int:
        """The sequence count of the next packet of `apid` (14 bits, wrapping)."""
        seq = self._seq.get(apid, 0)
        self._seq[apid] = (seq + 1) & 0x3FFF
        return seq

    def made(self, apid: int) -> int:
        """Packets of `apid` made so far, modulo 16384 (what the next count will be)."""
        return self._seq.get(apid, 0)

    def stamp(self) -> float:
        """Mission time now, as a time code can carry it."""
        return min(self.clock.now(), float(MAX_COARSE))

    def _send(self, packet: bytes, *, precious: bool) -> None:
        assert self.sink is not None, "the outbox has nowhere to send"
        self.sink.send(packet, precious=precious)
