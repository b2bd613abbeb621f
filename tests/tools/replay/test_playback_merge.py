"""A pass over the relay that lost frames and had an outage, merged with the rover's playback:
the ground's archive has every packet once and `rover replay` finds no gap; the same pass without
the playback shows the gaps; and the ground's state keeps the newest telemetry."""

from __future__ import annotations

import random
from pathlib import Path

from fsw.clock import SimClock
from fsw.flight import FlightSoftware
from fsw.packets import playback
from fsw.packets.framing import frame
from fsw.tables import CATALOG
from hil.sim import SimRover, Terrain
from tests.tools.replay.logs import EPOCH_NS, FINGERPRINT
from tools import replay
from tools.dictionary import Dictionary
from tools.ground.playback import PlaybackSession
from tools.ground.session import Session
from tools.tlmlog import LogReader, LogWriter, RecordType

START = 3600.0
LOS = (START + 40.0, START + 70.0)
LOSS = 0.05


def fly(path: Path, with_playback: bool) -> Session:
    """Two minutes: 5% of the live frames of the first 100 s lost at random, an outage from
    40 s to 70 s (a PING from a stored sequence answered in it), then a PLAYBACK_TIME of the
    first 100 s; recorded through a ground session. (The playback's own frames arrive: a lossy
    playback is asked for again, which is the same thing twice.)"""
    clock = SimClock(START)
    session = Session(Dictionary.from_flight(), LogWriter(path, FINGERPRINT))
    chance = random.Random(6)

    def downlink(packet: bytes) -> None:
        if playback.is_envelope(packet):
            if not with_playback:
                return
        elif clock.now() < START + 100.0 and chance.random() < LOSS:
            return
        session.take(packet, EPOCH_NS + clock.now_ns())

    def contact() -> bool:
        return not LOS[0] <= clock.now() < LOS[1]

    flight = FlightSoftware(SimRover(clock.now, Terrain()), clock, downlink, contact=contact)
    flight.run(START + 50.0)
    flight.receive(frame(CATALOG.encode_command("PING", {"token": 9}, 1)))
    flight.run(START + 100.0)
    start, end = START, clock.now()
    command = CATALOG.encode_command("PLAYBACK_TIME", {"start": start, "end": end}, 0)
    flight.receive(frame(command))
    flight.run(START + 120.0)
    session.close()
    return session


def test_a_pass_played_back_has_no_gaps_and_no_duplicates(tmp_path):
    path = tmp_path / "pass.tlm"
    session = fly(path, with_playback=True)
    s = replay.summary(replay.load(path))
    assert s.missing == 0, [(q.name, q.gaps) for q in s.sequences if q.missing]
    assert all(q.repeats == 0 for q in s.sequences)
    records = list(LogReader(path))
    assert len({r.packet for r in records}) == len(records)  # each packet once
    assert any(r.type is RecordType.PLAYBACK for r in records)
    assert session.merger.duplicates > 0  # the playback re-sent what had arrived live
    assert "no gaps" in replay.render_plain(s)


def test_the_same_pass_without_playback_reports_its_gaps(tmp_path):
    path = tmp_path / "lossy.tlm"
    fly(path, with_playback=False)
    s = replay.summary(replay.load(path))
    hk = next(q for q in s.sequences if q.name == "HK")
    assert hk.missing >= 30  # the outage alone lost 30 housekeeping periods
    assert all(r.type is RecordType.DOWNLINK for r in LogReader(path))


def test_played_back_housekeeping_never_hides_the_newest(tmp_path):
    session = fly(tmp_path / "state.tlm", with_playback=True)
    hk = session.state.latest["HK"]
    assert hk.time is not None and hk.time >= START + 119.0
    assert session.state.time is not None and session.state.time >= hk.time
    played = [e for e in session.state.events if e.time is not None and LOS[0] <= e.time < LOS[1]]
    assert played  # events raised during the outage reached the ground, by playback


def test_a_log_session_marks_playback_records(tmp_path):
    path = tmp_path / "marks.tlm"
    fly(path, with_playback=True)
    marks: list[bool] = []
    log = PlaybackSession(path)
    log.listeners.append(lambda update: marks.append(update.playback))
    log.play()
    assert True in marks and False in marks
    assert log.state.latest["HK"].time is not None and log.state.latest["HK"].time >= START + 119
