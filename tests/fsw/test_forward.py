"""Store and forward on the flight software: nothing goes down out of contact, everything stored
then is played back after, in order and marked; PLAYBACK commands by time and by sequence range
with their edges; pacing, overflow, abort and clear."""

from __future__ import annotations

from typing import Any

import pytest

from fsw.clock import SimClock
from fsw.flight import FlightSoftware
from fsw.packets import playback
from fsw.packets.catalog import Packet
from fsw.packets.framing import frame
from fsw.store import MIN_SIZE
from fsw.tables import CATALOG
from hil.sim import SimRover, Terrain

START = 86400.0


class Pass:
    """Flight software whose relay contact a test switches, with everything it sent."""

    def __init__(self, **kwargs: Any) -> None:
        self.clock = SimClock(START)
        self.in_contact = True
        self.sent: list[bytes] = []
        self.flight = FlightSoftware(
            SimRover(self.clock.now, Terrain()),
            self.clock,
            self.sent.append,
            contact=lambda: self.in_contact,
            **kwargs,
        )
        self.seq = 0

    def run(self, seconds: float) -> None:
        self.flight.run(self.clock.now() + seconds)

    def send(self, name: str, **args: Any) -> int:
        seq, self.seq = self.seq, self.seq + 1
        self.flight.receive(frame(CATALOG.encode_command(name, args, seq)))
        return seq

    def live(self, since: int = 0) -> list[Packet]:
        return [CATALOG.decode(p) for p in self.sent[since:] if not playback.is_envelope(p)]

    def played(self, since: int = 0) -> list[Packet]:
        return [
            CATALOG.decode(playback.unwrap(p).packet)
            for p in self.sent[since:]
            if playback.is_envelope(p)
        ]

    def stages(self, seq: int) -> list[tuple[str, str]]:
        return [
            (v["stage"], v["reason"])
            for p in self.live()
            if p.name == "CMD_VERIFY" and (v := p.shown())["cmd_seq"] == seq
        ]

    def events(self, name: str) -> list[dict[str, Any]]:
        return [p.shown() for p in self.live() if p.name == name]


def key(p: Packet) -> tuple[int, int, float | None]:
    return (p.apid, p.seq_count, p.time)


def test_out_of_contact_nothing_goes_down_and_everything_is_played_back_after_in_order():
    r = Pass()
    r.run(5)
    r.in_contact = False
    before = len(r.sent)
    stored_from = len(r.flight.forward.store)
    r.run(30)
    assert len(r.sent) == before  # not a byte during the outage
    outage = list(r.flight.forward.store.entries.values())[stored_from:]
    r.in_contact = True
    r.run(20)
    played = r.played(before)
    assert [p.raw for p in played] == [e.packet for e in outage]  # all, oldest first, same bytes
    assert [p.time for p in played] == sorted(p.time for p in played)
    assert {p.name for p in played} >= {"HK", "MOBILITY", "STORE"}
    started, finished = r.events("PLAYBACK_STARTED"), r.events("PLAYBACK_FINISHED")
    assert started == [{"packets": len(outage), "cause": "CONTACT"}]
    assert finished == [{"sent": len(outage), "lost": 0, "cause": "CONTACT", "reason": "OK"}]
    assert r.flight.forward.store.pending == 0


def test_playback_is_paced_by_the_budget_per_control_cycle():
    r = Pass()
    r.in_contact = False
    r.run(20)
    waiting = r.flight.forward.store.pending
    assert waiting > 100
    r.in_contact = True
    before = len(r.sent)
    r.run(0.1)  # one control cycle
    assert len(r.played(before)) == 10  # PLAYBACK_BUDGET's default
    r.send("SET_PARAM", param="PLAYBACK_BUDGET", value=50)
    before = len(r.sent)
    r.run(0.1)
    assert len(r.played(before)) == 50


def test_the_store_overflows_once_loudly_and_keeps_counting():
    r = Pass(store_size=MIN_SIZE * 4)
    r.run(30)
    assert len(r.events("STORE_OVERFLOW")) == 1
    store = r.live()[-1]  # the last packet of a housekeeping period is STORE
    assert store.name == "STORE" and store.values["evicted_housekeeping"] > 1
    assert store.values["evicted_precious"] == 0  # the boot events are still there
    assert store.values["used"] <= MIN_SIZE * 4


def test_playback_by_time_includes_the_start_excludes_the_end_and_completes_when_sent():
    r = Pass()
    r.run(10)
    hk = [p for p in r.live() if p.name == "HK"]
    start, end = hk[2].time, hk[5].time
    seq = r.send("PLAYBACK_TIME", start=start, end=end)
    assert r.stages(seq) == [("ACCEPTED", "OK"), ("STARTED", "OK")]
    r.run(5)
    assert r.stages(seq)[-1] == ("COMPLETED", "OK")
    played = r.played()
    assert played and all(start <= p.time < end for p in played)
    assert [p.seq_count for p in played if p.name == "HK"] == [h.seq_count for h in hk[2:5]]
    stored = [p.raw for p in r.live() if p.time is not None and start <= p.time < end]
    assert [p.raw for p in played] == stored


def test_playback_by_sequence_range_includes_both_ends_of_one_apid():
    r = Pass()
    r.run(10)
    seq = r.send("PLAYBACK_SEQ", apid="TLM_HK", first=3, last=6)
    r.run(2)
    assert r.stages(seq)[-1] == ("COMPLETED", "OK")
    assert [(p.name, p.seq_count) for p in r.played()] == [("HK", n) for n in range(3, 7)]


def test_empty_and_inverted_ranges_are_rejected_and_change_nothing():
    r = Pass()
    r.run(5)
    inverted_time = r.send("PLAYBACK_TIME", start=START + 3, end=START + 2)
    empty_time = r.send("PLAYBACK_TIME", start=START + 3, end=START + 3)
    future = r.send("PLAYBACK_TIME", start=START + 100, end=START + 200)
    inverted_seq = r.send("PLAYBACK_SEQ", apid="TLM_HK", first=4, last=3)
    empty_seq = r.send("PLAYBACK_SEQ", apid="TLM_HK", first=100, last=200)
    r.run(2)
    assert r.stages(inverted_time) == [("REJECTED", "INVERTED_RANGE")]
    assert r.stages(empty_time) == [("REJECTED", "EMPTY_RANGE")]
    assert r.stages(future) == [("REJECTED", "EMPTY_RANGE")]
    assert r.stages(inverted_seq) == [("REJECTED", "INVERTED_RANGE")]
    assert r.stages(empty_seq) == [("REJECTED", "EMPTY_RANGE")]
    assert r.played() == [] and r.flight.forward.jobs == type(r.flight.forward.jobs)()


def test_a_commanded_playback_waits_out_an_outage_and_abort_fails_it():
    r = Pass()
    r.run(10)
    r.in_contact = False
    seq = r.send("PLAYBACK_SEQ", apid="TLM_HK", first=0, last=9)  # as a stored sequence would
    r.run(5)
    assert r.flight.forward.store.pending >= 10
    r.in_contact = True
    abort = r.send("PLAYBACK_ABORT")
    r.run(1)
    assert r.stages(abort)[-1] == ("COMPLETED", "OK")
    assert ("FAILED", "ABORTED") in r.stages(seq)
    finished = [(e["cause"], e["reason"]) for e in r.events("PLAYBACK_FINISHED")]
    # the outage's packets before the command, the command's, the outage's after it: in order
    assert finished == [("CONTACT", "ABORTED"), ("SEQUENCE", "ABORTED"), ("CONTACT", "ABORTED")]
    assert r.flight.forward.store.pending == 0 and r.played() == []


def test_store_clear_is_hazardous_and_empties_the_store():
    r = Pass()
    r.run(5)
    refused = r.send("STORE_CLEAR")
    assert r.stages(refused) == [("REJECTED", "NOT_ARMED")]
    r.send("ARM", command="STORE_CLEAR")
    cleared = r.send("STORE_CLEAR")
    assert r.stages(cleared)[-1] == ("COMPLETED", "OK")
    dropped = r.events("STORE_CLEARED")[0]["dropped"]
    assert dropped > 30
    assert len(r.flight.forward.store) < 5  # only what was sent after it


@pytest.mark.parametrize("clear", [False, True])
def test_abort_and_clear_out_of_contact_end_and_their_reports_wait_for_contact(clear):
    r = Pass()
    r.run(5)
    r.in_contact = False  # as a stored sequence running during an outage would
    r.send("PLAYBACK_SEQ", apid="TLM_HK", first=0, last=3)
    if clear:
        r.send("ARM", command="STORE_CLEAR")
    seq = r.send("STORE_CLEAR" if clear else "PLAYBACK_ABORT")
    r.run(2)  # returns: it used to loop for ever, each abort report starting a new playback
    assert r.flight.forward.jobs  # what was made out of contact waits for its playback
    r.in_contact = True
    r.run(2)
    finals = {(v["cmd_seq"], v["stage"]) for p in r.played() if p.name == "CMD_VERIFY"
              for v in [p.shown()]}  # fmt: skip
    assert (seq, "COMPLETED") in finals
