"""What `rover replay` tells about a log: counts, time span, gaps, CRC errors, undecodable packets,
checked against logs whose contents the test knows exactly."""

from collections import Counter

from fsw.packets.catalog import Catalog
from fsw.packets.crc import crc16
from fsw.packets.timecode import utc_iso
from fsw.tables import CATALOG
from tests.tools.replay.logs import corrupt, event, hk, reseal, rewrite, write
from tools import replay
from tools.replay.gaps import Gap
from tools.tlmlog import LogReader, RecordType

HK_APID = CATALOG.telemetry_packet("HK").apid
MOBILITY_APID = CATALOG.telemetry_packet("MOBILITY").apid


def by_name(summary):
    return {s.name: s for s in summary.sequences}


def test_counts_of_a_shipped_scenario_match_decoding_every_packet(rock_log, rock):
    s = replay.summary(rock)
    decoded = [(r.type, CATALOG.decode(r.packet)) for r in LogReader(rock_log)]
    kinds = Counter(p.name for t, p in decoded if p.kind == "telemetry")
    assert s.telemetry == dict(kinds)
    assert s.telemetry["HK"] == 300 and sum(s.telemetry.values()) == 2403
    assert s.events == dict(Counter(p.name for _, p in decoded if p.kind == "event"))
    assert s.events["MONITOR_TRIPPED"] == 1 and s.events["MOTION_STOPPED"] == 1
    assert s.commands == {"DRIVE": 1}
    assert s.records == 2412 and s.dictionary_matches
    assert s.missing == 0 and s.crc_errors == 0 and not s.undecodable and not s.idle
    times = [p.time for _, p in decoded if p.time is not None]
    assert s.packet_span == (min(times), max(times))
    assert s.packet_span[1] - s.packet_span[0] == 300.0


def test_the_plain_summary_reads_as_a_report(rock):
    text = replay.render_plain(replay.summary(rock))
    lines = text.splitlines()
    assert lines[0].startswith("log         ") and "2,412 records" in lines[0]
    a, b = rock.telemetry["HK"].time.min(), rock.telemetry["HK"].time.max()
    assert f"packets     {utc_iso(a - 1)} .. {utc_iso(b)}  (5 min 00 s)" in lines
    assert "telemetry   2,403 packets" in lines
    assert "              MONITOR_TRIPPED         1" in lines
    assert "uplinked    1 command" in lines
    assert "sequence    no gaps over 10 APIDs" in lines
    assert "CRC errors  0" in lines and "log reader  every record whole" in lines


def test_dropped_packets_are_reported_as_exact_gaps(rock_log, tmp_path):
    def drop(record):
        p = CATALOG.decode(record.packet)
        if (p.name, p.seq_count) in {("HK", 10), ("HK", 11), ("HK", 12), ("MOBILITY", 50)}:
            return None
        return record.packet

    rewrite(rock_log, tmp_path / "dropped.tlm", drop)
    r = replay.load(tmp_path / "dropped.tlm")
    s = replay.summary(r)
    hk_times = dict(
        zip(r.telemetry["HK"].seq_count.tolist(), r.telemetry["HK"].time.tolist(), strict=True)
    )
    mob = r.telemetry["MOBILITY"]
    mob_times = dict(zip(mob.seq_count.tolist(), mob.time.tolist(), strict=True))
    seqs = by_name(s)
    assert seqs["HK"].gaps == [Gap(9, 13, 3, hk_times[9], hk_times[13])]
    assert seqs["MOBILITY"].gaps == [Gap(49, 51, 1, mob_times[49], mob_times[51])]
    assert (seqs["HK"].missing, seqs["MOBILITY"].missing, s.missing) == (3, 1, 4)
    assert seqs["HK"].packets == 297 and seqs["WHEELS"].missing == 0
    lines = replay.render_plain(s).splitlines()
    assert "sequence    4 packets missing in 2 gaps over 10 APIDs" in lines
    assert "              HK (APID 0x100): 1 gap, 3 missing" in lines
    assert f"                after seq 9 ({utc_iso(hk_times[9])}), next 13: 3 missing" in lines


def test_a_wrap_from_16383_to_0_is_not_a_gap(tmp_path):
    seqs = [16381, 16382, 16383, 0, 1, 2]
    s = replay.summary(
        replay.load(write(tmp_path / "w.tlm", [hk(q, 100.0 + i) for i, q in enumerate(seqs)]))
    )
    assert by_name(s)["HK"].missing == 0 and by_name(s)["HK"].gap_count == 0


def test_a_gap_across_the_wrap_counts_what_is_missing(tmp_path):
    seqs = [16381, 16382, 1, 2]  # 16383 and 0 never arrived
    s = replay.summary(
        replay.load(write(tmp_path / "w.tlm", [hk(q, 100.0 + i) for i, q in enumerate(seqs)]))
    )
    assert by_name(s)["HK"].gaps == [Gap(16382, 1, 2, 101.0, 102.0)]


def test_a_counter_restart_after_a_reboot_is_not_a_gap(tmp_path):
    booted = {"major": 0, "minor": 1, "patch": 0, "boot_count": 2, "hardware": "SIMULATED"}
    packets = [hk(0, 10.0), hk(1, 11.0), hk(2, 12.0), event("BOOTED", booted, 0, 13.0), hk(0, 14.0)]
    s = replay.summary(replay.load(write(tmp_path / "r.tlm", packets)))
    assert by_name(s)["HK"].restarts == 1 and s.missing == 0
    without_boot = [hk(0, 10.0), hk(1, 11.0), hk(2, 12.0), hk(0, 14.0)]
    s = replay.summary(replay.load(write(tmp_path / "n.tlm", without_boot)))
    assert by_name(s)["HK"].missing == 16381  # with no reboot seen, a loss is all it can be


def test_a_packet_recorded_with_a_bad_crc_is_counted(rock_log, tmp_path):
    chosen = set()

    def damage(record):
        p = CATALOG.decode(record.packet)
        if p.name == "MOBILITY" and p.seq_count == 100:
            chosen.add(record.received_ns)
            return corrupt(record.packet)
        return record.packet

    rewrite(rock_log, tmp_path / "crc.tlm", damage)
    r = replay.load(tmp_path / "crc.tlm")
    s = replay.summary(r)
    assert s.crc_errors == 1 and s.crc_by_name == {"MOBILITY": 1}
    assert len(r.telemetry["MOBILITY"]) == 299 and s.records == 2412
    (bad,) = r.crc_errors
    assert bad.reason == "BAD_CRC" and bad.message.startswith("CRC mismatch: got 0x")
    assert bad.received_ns in chosen and bad.direction == RecordType.DOWNLINK
    # its header cannot be trusted, so the sequence shows the packet missing too
    assert by_name(s)["MOBILITY"].gaps[0].missing == 1
    lines = replay.render_plain(s).splitlines()
    assert "CRC errors  1 (MOBILITY 1)" in lines
    assert any(line.endswith(bad.message) and "BAD_CRC" in line for line in lines)


def test_undecodable_and_idle_packets_are_counted_with_reasons(tmp_path):
    unknown_apid = reseal(bytes.fromhex("09ffc0000008") + bytes(7))  # APID 0x1FF, nobody's
    idle = reseal(bytes.fromhex("0fffc0000003") + bytes(2))
    unknown_event = bytearray(event("PING_REPLY", {"token": 1}, 1, 5.0)[:-2])
    unknown_event[12:14] = (999).to_bytes(2, "big")
    packets = [
        hk(0, 1.0),
        event("PING_REPLY", {"token": 1}, 0, 4.0),
        reseal(bytes(unknown_event)),
        event("PING_REPLY", {"token": 1}, 2, 6.0),
        unknown_apid,
        idle,
        (CATALOG.encode_command("NOOP", {}, 3), RecordType.UPLINK),
        (hk(1, 2.0), RecordType.UPLINK),  # telemetry where a command should be
        hk(2, 3.0),
    ]
    r = replay.load(write(tmp_path / "u.tlm", packets))
    s = replay.summary(r)
    assert s.undecodable == {"UNKNOWN_APID": 1, "UNKNOWN_CODE": 1, "BAD_HEADER": 1}
    assert s.idle == 1 and s.commands == {"NOOP": 1} and s.crc_errors == 0
    messages = {b.reason: b.message for b in r.undecodable}
    assert messages["UNKNOWN_CODE"] == "no event id 999"
    assert messages["BAD_HEADER"] == "a telemetry (HK) recorded as uplink"
    # the unknown event's sequence count still counts: events 0, 1, 2 arrived, no gap
    assert by_name(s)["events"].missing == 0 and by_name(s)["events"].packets == 3
    assert by_name(s)["HK"].gaps == [Gap(0, 2, 1, 1.0, 3.0)]  # seq 1 went up, not down
    assert "undecodable 3 (BAD_HEADER 1, UNKNOWN_APID 1, UNKNOWN_CODE 1)" in replay.render_plain(s)


def test_what_the_log_reader_skipped_is_reported(rock_log, tmp_path):
    data = bytearray(rock_log.read_bytes())
    data[5000] ^= 0x10
    del data[-9:]
    path = tmp_path / "damaged.tlm"
    path.write_bytes(bytes(data))
    reader = LogReader(path)
    good = list(reader)
    s = replay.summary(replay.load(path))
    assert s.stats == reader.stats and s.records == len(good) == 2410
    assert s.stats.corrupt_records == 1 and s.stats.torn_tail_bytes
    line = next(x for x in replay.render_plain(s).splitlines() if x.startswith("log reader"))
    assert line == (
        "log reader  skipped 1 corrupt record, "
        f"a torn last record ({s.stats.torn_tail_bytes} bytes)"
    )


def test_sequence_counts_come_from_intact_packets_only(rock):
    ok = rock.seq_counts
    for i in range(0, len(ok.record), 97):
        packet = rock.packet(int(ok.record[i]))
        assert crc16(packet) == 0
        assert CATALOG.decode(packet).seq_count == ok.seq_count[i]


def test_telemetry_and_events_are_decoded_without_per_packet_parsing(rock_log, monkeypatch):
    decoded = []
    real = Catalog.decode
    monkeypatch.setattr(Catalog, "decode", lambda self, p: decoded.append(p) or real(self, p))
    phases = []
    r = replay.load(rock_log, progress=lambda phase, done, total: phases.append((phase, total)))
    assert len(decoded) == 1 and r.commands[0].name == "DRIVE"  # only the uplinked command
    assert ("reading", 2412) in phases and phases[-1] == ("decoding", 2412)
