"""Live and played-back packets merged: each intact packet once, damaged ones always, playbacks
recorded as PLAYBACK records that older readers skip, memory bounded and kept across a reopen."""

from fsw.packets import playback
from fsw.tables import CATALOG
from tests.tools.replay.logs import FINGERPRINT, hk
from tools.merge import Merger
from tools.tlmlog import LogReader, LogWriter, RecordType


def test_the_same_packet_live_and_played_back_is_let_through_once():
    m = Merger()
    live = hk(7, 100.0)
    first = m.admit(live)
    again = m.admit(playback.wrap(live, 0, 200.0))
    assert (first.fresh, first.playback) == (True, False)
    assert (again.fresh, again.playback, again.packet) == (False, True, live)
    missed = hk(8, 101.0)
    got = m.admit(playback.wrap(missed, 1, 200.1))
    assert (got.fresh, got.playback, got.packet) == (True, True, missed)
    assert (m.duplicates, m.played) == (1, 1)


def test_damaged_packets_are_never_taken_for_duplicates():
    damaged = bytearray(hk(1, 1.0))
    damaged[20] ^= 1
    m = Merger()
    assert m.admit(bytes(damaged)).fresh and m.admit(bytes(damaged)).fresh


def test_an_envelope_that_does_not_unwrap_is_kept_with_its_reason():
    inner = bytearray(hk(1, 1.0))
    inner[20] ^= 1
    got = Merger().admit(playback.wrap(bytes(inner), 0, 2.0))
    assert got.fresh and got.error is not None and got.error.reason.name == "BAD_CRC"


def test_memory_is_bounded_oldest_forgotten_first():
    m = Merger(memory=3)
    packets = [hk(n, float(n)) for n in range(4)]
    for p in packets:
        m.admit(p)
    assert len(m) == 3
    assert not m.admit(packets[3]).fresh  # remembered
    assert m.admit(packets[0]).fresh  # forgotten: the horizon has passed it


def test_the_recorder_writes_one_archive_with_playback_records(tmp_path):
    path = tmp_path / "pass.tlm"
    a, b, c = hk(1, 1.0), hk(2, 2.0), hk(3, 3.0)
    with LogWriter(path, FINGERPRINT) as log:
        assert log.receive(a, 1) and log.receive(c, 3)
        assert log.receive(playback.wrap(b, 0, 4.0), 4)  # lost live, played back
        assert not log.receive(playback.wrap(a, 1, 4.1), 5)  # heard live already
    records = list(LogReader(path))
    assert [(r.packet, r.type) for r in records] == [
        (a, RecordType.DOWNLINK),
        (c, RecordType.DOWNLINK),
        (b, RecordType.PLAYBACK),
    ]


def test_a_reopened_log_remembers_what_it_holds(tmp_path):
    path = tmp_path / "pass.tlm"
    a = hk(1, 1.0)
    with LogWriter(path, FINGERPRINT) as log:
        log.receive(a, 1)
    with LogWriter(path, FINGERPRINT) as log:
        assert not log.receive(playback.wrap(a, 0, 9.0), 2)
    assert len(list(LogReader(path))) == 1


def test_an_event_played_back_is_a_playback_record(tmp_path):
    event = CATALOG.encode_event("PING_REPLY", {"token": 5}, 0, 10.0)
    path = tmp_path / "e.tlm"
    with LogWriter(path, FINGERPRINT) as log:
        log.receive(playback.wrap(event, 0, 20.0), 1)
    (record,) = LogReader(path)
    assert record.type is RecordType.PLAYBACK and CATALOG.decode(record.packet).name == "PING_REPLY"
