import signal
import subprocess
import sys
import textwrap
import time
import zlib

import pytest

from tools import tlmlog
from tools.tlmlog import (
    HEAD_SIZE,
    HEADER_SIZE,
    RECORD_OVERHEAD,
    LogError,
    LogReader,
    LogWriter,
    RecordType,
)

DICT = bytes.fromhex("0123456789abcdef")


def packets(n: int) -> list[bytes]:
    return [bytes([i % 250 + 1]) * (9 + i % 7) for i in range(n)]


def write(path, items, **kw):
    with LogWriter(path, DICT, **kw) as w:
        for i, p in enumerate(items):
            w.write(p, 1_000_000_000 + i, RecordType.UPLINK if i % 5 == 4 else RecordType.DOWNLINK)


def test_write_then_read_back_everything(tmp_path):
    path = tmp_path / "a.tlm"
    items = packets(50)
    write(path, items)
    reader = LogReader(path)
    records = list(reader)
    assert [r.packet for r in records] == items
    assert [r.received_ns for r in records] == [1_000_000_000 + i for i in range(50)]
    assert records[4].type == RecordType.UPLINK and records[0].type == RecordType.DOWNLINK
    assert reader.header.dictionary == DICT and reader.header.version == 1
    assert reader.stats.records == 50 and reader.stats.torn_tail_bytes == 0


def test_a_second_pass_over_the_records_leaves_the_main_reading_and_its_stats_alone(tmp_path):
    path = tmp_path / "a.tlm"
    write(path, packets(10))
    reader = LogReader(path)
    main = iter(reader)
    first = [next(main).packet for _ in range(3)]
    assert [r.packet for r in reader.records()] == packets(10)
    rest = [r.packet for r in main]
    assert first + rest == packets(10)
    assert reader.stats.records == 10


def test_a_torn_last_record_at_every_cut_is_skipped_never_read(tmp_path):
    path = tmp_path / "a.tlm"
    items = packets(3)
    write(path, items)
    whole = path.read_bytes()
    last = len(whole) - (RECORD_OVERHEAD + len(items[-1]))
    for cut in range(last, len(whole)):
        path.write_bytes(whole[:cut])
        reader = LogReader(path)
        assert [r.packet for r in reader] == items[:2], cut
        assert reader.stats.torn_tail_bytes == cut - last


def test_zero_filled_tail_after_power_loss(tmp_path):
    path = tmp_path / "a.tlm"
    write(path, packets(3))
    path.write_bytes(path.read_bytes() + bytes(4096))
    reader = LogReader(path)
    assert len(list(reader)) == 3 and reader.stats.torn_tail_bytes == 4096


def test_corrupt_record_in_the_middle_is_skipped_and_reading_resumes(tmp_path):
    path = tmp_path / "a.tlm"
    items = packets(10)
    write(path, items)
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + RECORD_OVERHEAD + 5 + 20] ^= 0x40  # inside record 1
    path.write_bytes(bytes(data))
    reader = LogReader(path)
    assert [r.packet for r in reader] == [items[0], *items[2:]]
    assert reader.stats.corrupt_records == 1


def test_writer_cuts_a_torn_tail_before_appending(tmp_path):
    path = tmp_path / "a.tlm"
    items = packets(4)
    write(path, items)
    path.write_bytes(path.read_bytes()[:-5])
    with LogWriter(path, DICT) as w:
        assert w.recovered_bytes == RECORD_OVERHEAD + len(items[-1]) - 5
        w.write(b"\x09" * 12, 5)
    reader = LogReader(path)
    assert [r.packet for r in reader] == [*items[:3], b"\x09" * 12]
    assert reader.stats.torn_tail_bytes == 0


def test_appending_keeps_what_was_there(tmp_path):
    path = tmp_path / "a.tlm"
    write(path, packets(2))
    write(path, packets(3))
    assert len(list(LogReader(path))) == 5


def test_refuses_to_append_to_a_log_of_another_dictionary(tmp_path):
    path = tmp_path / "a.tlm"
    write(path, packets(1))
    with pytest.raises(LogError, match="start a new log"):
        LogWriter(path, b"\xff" * 8)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello world, not a log at all......", "not a telemetry log"),
        (b"", "not a telemetry log"),
    ],
)
def test_not_a_log(tmp_path, content, message):
    path = tmp_path / "x.tlm"
    path.write_bytes(content)
    with pytest.raises(LogError, match=message):
        LogReader(path)


def test_corrupt_header_and_future_version(tmp_path):
    path = tmp_path / "x.tlm"
    header = tlmlog.encode_header(DICT, 1)
    path.write_bytes(header[:20] + b"\x00" + header[21:])
    with pytest.raises(LogError, match="header is corrupt"):
        LogReader(path)
    future = bytearray(header)
    future[9] = 2
    body = bytes(future[:-4])
    path.write_bytes(body + zlib.crc32(body).to_bytes(4, "big"))
    with pytest.raises(LogError, match="format version 2"):
        LogReader(path)


def test_record_sizes_are_checked():
    with pytest.raises(ValueError, match=r"1\.\.65535"):
        tlmlog.encode_record(b"", 0)


WRITER = textwrap.dedent(
    """
    import sys
    from tools.tlmlog import LogWriter
    w = LogWriter(sys.argv[1], bytes(8))
    i = 0
    while True:
        w.write(bytes([i % 200 + 1]) * (20 + i % 30), i)
        i += 1
        if i % 100 == 0:
            print(i, flush=True)
    """
)


def test_kill_9_mid_write_loses_nothing_that_was_flushed(tmp_path):
    path = tmp_path / "killed.tlm"
    for attempt in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        reported = 0
        deadline = time.monotonic() + 10
        while reported < 2000 * (attempt + 1) and time.monotonic() < deadline:
            reported = int(proc.stdout.readline())
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        records = list(LogReader(path))
        # each run restarts its counter at 0; every record the writer said it wrote is there, intact
        runs = [r for r in records if r.received_ns == 0]
        assert len(runs) == attempt + 1
        last_run = records[records.index(runs[-1]) :]
        assert len(last_run) >= reported
        assert all(
            r.packet == bytes([r.received_ns % 200 + 1]) * (20 + r.received_ns % 30)
            for r in records
        )


def test_reader_starts_where_the_header_says_it_ends(tmp_path):
    path = tmp_path / "grown.tlm"
    record = tlmlog.encode_record(b"\x01" * 10, 5)
    grown = bytearray(tlmlog.encode_header(DICT, 1))
    grown[10:12] = (40).to_bytes(
        2, "big"
    )  # a header 8 bytes longer, as a later minor version may write
    body = bytes(grown[:28])
    path.write_bytes(body + zlib.crc32(body).to_bytes(4, "big") + b"\x00" * 8 + record)
    assert [r.packet for r in LogReader(path)] == [b"\x01" * 10]
    grown[10:12] = (9999).to_bytes(2, "big")
    body = bytes(grown[:28])
    path.write_bytes(body + zlib.crc32(body).to_bytes(4, "big") + record)
    with pytest.raises(LogError, match="header size 9999 is impossible"):
        LogReader(path)


def test_a_torn_record_that_carries_a_whole_record_inside_is_not_read_as_one(tmp_path):
    # a downlinked file or playback packet may hold log bytes, sync marker and all
    path = tmp_path / "a.tlm"
    inner = tlmlog.encode_record(b"FAKE-PACKET", 42)
    with LogWriter(path, DICT) as w:
        w.write(b"\x01" * 12, 1)
        w.write(b"\xeb\x90" + inner + b"\x02" * 40, 2)
    path.write_bytes(path.read_bytes()[:-3])
    reader = LogReader(path)
    assert [r.packet for r in reader] == [b"\x01" * 12]
    assert reader.stats.torn_tail_bytes == RECORD_OVERHEAD + 2 + len(inner) + 40 - 3
    with LogWriter(path, DICT) as w:
        w.write(b"\x03" * 9, 3)
    reader = LogReader(path)
    assert [r.packet for r in reader] == [b"\x01" * 12, b"\x03" * 9]
    assert reader.stats == tlmlog.ScanStats(records=2)


def test_a_corrupt_head_mid_file_is_passed_over_to_the_next_record(tmp_path):
    path = tmp_path / "a.tlm"
    items = packets(4)
    write(path, items)
    data = bytearray(path.read_bytes())
    second = HEADER_SIZE + RECORD_OVERHEAD + len(items[0])
    data[second + 13] ^= 0xFF  # the length field of record 1: its head CRC no longer holds
    path.write_bytes(bytes(data))
    reader = LogReader(path)
    assert [r.packet for r in reader] == [items[0], *items[2:]]
    assert reader.stats.skipped_bytes == RECORD_OVERHEAD + len(items[1])


def test_a_second_writer_is_refused_not_interleaved(tmp_path):
    path = tmp_path / "a.tlm"
    with LogWriter(path, DICT) as first:
        first.write(b"\x01" * 9, 1)
        with pytest.raises(LogError, match="another process is writing this log"):
            LogWriter(path, DICT)
        first.write(b"\x02" * 9, 2)
    with LogWriter(path, DICT) as again:  # the lock went with the first writer
        again.write(b"\x03" * 9, 3)
    assert [r.received_ns for r in LogReader(path)] == [1, 2, 3]


def test_scan_reads_slices_and_bytearrays_as_it_reads_bytes(tmp_path):
    path = tmp_path / "a.tlm"
    write(path, packets(5))
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + RECORD_OVERHEAD + 9 + 20] ^= 1  # corrupt record 1's packet
    expected = [r.packet for r in tlmlog.scan(bytes(data))]
    assert len(expected) == 4
    assert [r.packet for r in tlmlog.scan(data)] == expected
    assert [r.packet for r in tlmlog.scan(memoryview(b"X" * 10 + bytes(data))[10:])] == expected


def test_records_of_a_later_type_are_skipped_and_kept(tmp_path):
    path = tmp_path / "a.tlm"
    with LogWriter(path, DICT) as w:
        w.write(b"\x01" * 9, 1)
    with path.open("ab") as f:
        f.write(tlmlog.encode_record(b"\x07" * 9, 2, 7))  # a type this code does not know
    reader = LogReader(path)
    assert [r.packet for r in reader] == [b"\x01" * 9]
    assert reader.stats.unknown_records == 1
    with LogWriter(path, DICT) as w:
        assert w.recovered_bytes == 0
        w.write(b"\x03" * 9, 3)
    reader = LogReader(path)
    assert len(list(reader)) == 2 and reader.stats.unknown_records == 1


def test_unwritable_path(tmp_path):
    with pytest.raises(LogError, match="cannot write"):
        LogWriter(tmp_path / "no" / "such" / "dir.tlm", DICT)


def log_of(*records: bytes) -> bytes:
    return tlmlog.encode_header(DICT, 0) + b"".join(records)


def test_a_damaged_head_does_not_hand_reading_to_a_false_head_inside_its_packet(tmp_path):
    # record 2's packet carries a log head claiming a record longer than the file; record 2's
    # own head is then damaged: reading must resume at record 3, not trust the false head
    false_head = tlmlog.encode_record(b"\x00" * 60000, 9)[:HEAD_SIZE]
    records = [tlmlog.encode_record(bytes([i]) * 12, i) for i in range(1, 10)]
    records[1] = tlmlog.encode_record(b"\x02" * 5 + false_head + b"\x02" * 5, 2)
    data = bytearray(log_of(*records))
    data[HEADER_SIZE + len(records[0]) + 6] ^= 0x01  # a bit of record 2's receive time
    path = tmp_path / "a.tlm"
    path.write_bytes(bytes(data))
    reader = LogReader(path)
    assert [r.received_ns for r in reader] == [1, 3, 4, 5, 6, 7, 8, 9]
    assert reader.stats.skipped_bytes == len(records[1]) and reader.stats.torn_tail_bytes == 0
    with LogWriter(path, DICT) as w:
        assert w.recovered_bytes == 0  # nothing good is cut off
        w.write(b"\x64" * 9, 100)
    assert [r.received_ns for r in LogReader(path)] == [1, 3, 4, 5, 6, 7, 8, 9, 100]


def test_a_record_inside_a_damaged_record_is_not_returned():
    inner = tlmlog.encode_record(b"FAKE-PACKET", 42)
    records = [
        tlmlog.encode_record(b"A" * 12, 1),
        tlmlog.encode_record(b"B" * 20 + inner + b"B" * 20, 2),
        tlmlog.encode_record(b"C" * 12, 3),
    ]
    data = bytearray(log_of(*records))
    data[HEADER_SIZE + len(records[0]) + 5] ^= 0x10  # damage record 2's head
    assert [r.packet for r in tlmlog.scan(bytes(data))] == [b"A" * 12, b"C" * 12]


def test_a_zeroed_last_head_hides_no_record_inside_it(tmp_path):
    inner = tlmlog.encode_record(b"FAKE-PACKET", 42)
    last = tlmlog.encode_record(b"B" * 20 + inner + b"B" * 20, 2)
    path = tmp_path / "a.tlm"
    path.write_bytes(
        log_of(tlmlog.encode_record(b"A" * 12, 1), bytes(HEAD_SIZE) + last[HEAD_SIZE:])
    )
    reader = LogReader(path)
    assert [r.packet for r in reader] == [b"A" * 12]
    assert reader.stats.torn_tail_bytes == len(last)
    with LogWriter(path, DICT) as w:
        assert w.recovered_bytes == len(last)
    assert [r.packet for r in LogReader(path)] == [b"A" * 12]


FULL_DISK_WRITER = textwrap.dedent(
    """
    import resource, sys
    from tools.tlmlog import LogWriter, LogWriteError
    resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000))  # EFBIG past 4000 bytes, for real
    w = LogWriter(sys.argv[1], bytes(8), flush_each=sys.argv[2] == "each")
    i = 0
    try:
        while True:
            w.write(bytes([i % 200 + 1]) * 50, i)
            i += 1
            if sys.argv[2] == "batched" and i % 7 == 0:
                w.flush()
    except LogWriteError as err:
        first = str(err)
    try:
        w.write(b"more", 0)
    except LogWriteError as err:
        assert str(err) == first, (str(err), first)
    w.close()
    print(w.records)
    print(first)
    """
)


@pytest.mark.parametrize("mode", ["each", "batched", "unflushed"])
def test_a_full_disk_stops_the_writer_with_one_line_and_leaves_the_log_whole(tmp_path, mode):
    path = tmp_path / "full.tlm"
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK_WRITER, str(path), mode],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    written, message = done.stdout.splitlines()
    assert int(written) > 50  # unflushed too: the records of a batch that reached the file stay
    assert f"{path}: cannot write (File too large)" in message
    assert "intact up to its last whole record" in message and "Traceback" not in done.stderr
    reader = LogReader(path)
    records = list(reader)
    assert len(records) == int(written) > 0
    assert reader.stats.torn_tail_bytes == 0 and reader.stats.corrupt_records == 0
    assert [r.packet for r in records] == [bytes([i % 200 + 1]) * 50 for i in range(len(records))]
    # and a writer that comes back (space freed) appends after the last whole record
    with LogWriter(path, bytes(8)) as again:
        again.write(b"\x07" * 9, 99)
    assert [r.packet for r in LogReader(path)][-1] == b"\x07" * 9
