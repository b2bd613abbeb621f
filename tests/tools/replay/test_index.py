"""The vectorised walk over a log's records finds exactly what tools.tlmlog's reader finds, on
whole logs and on damaged ones."""

import dataclasses
import struct
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from fsw.packets.crc import crc16
from tools.replay.index import index_records, read_log
from tools.tlmlog import (
    HEADER_SIZE,
    LogReader,
    RecordType,
    ScanStats,
    encode_header,
    encode_record,
    scan,
)


def reader_view(data: bytes) -> tuple[list[tuple[int, int, int, int]], ScanStats]:
    """What LogReader returns for these bytes: (offset, type, received, length) per record."""
    stats = ScanStats()
    records = [
        (r.offset, int(r.type), r.received_ns, len(r.packet))
        for r in scan(data, HEADER_SIZE, stats)
    ]
    return records, stats


def index_view(data: bytes) -> tuple[list[tuple[int, int, int, int]], ScanStats]:
    index = index_records(data, HEADER_SIZE)
    records = list(
        zip(
            index.offsets.tolist(),
            index.types.tolist(),
            index.received_ns.tolist(),
            index.lengths.tolist(),
            strict=True,
        )
    )
    return records, index.stats


def assert_agree(data: bytes) -> None:
    ours, our_stats = index_view(data)
    theirs, their_stats = reader_view(data)
    assert ours == theirs
    assert dataclasses.asdict(our_stats) == dataclasses.asdict(their_stats)


def test_a_whole_log_agrees_with_the_reader(rock_log):
    data, header = read_log(rock_log)
    index = index_records(data, header.size)
    records = list(LogReader(rock_log))
    assert len(index) == len(records) == 2412
    assert index.offsets.tolist() == [r.offset for r in records]
    assert index.stats.records == 2412 and index.stats.torn_tail_bytes == 0


def record_of_type(packet: bytes, rtype: int) -> bytes:
    """A good record of any type number (encode_record refuses unknown ones)."""
    head = struct.pack(">HBBqH", 0xEB90, rtype, 0, 7, len(packet))
    head += crc16(head).to_bytes(2, "big")
    return head + packet + struct.pack(">I", zlib.crc32(head + packet))


def nested(inner: int) -> bytes:
    """A record whose packet carries whole records (a downlinked file may)."""
    carried = b"".join(encode_record(bytes([i + 1]) * 5, i) for i in range(inner))
    return encode_record(b"\x01\x02" + carried + b"\x03", 99)


PIECES = st.one_of(
    st.binary(min_size=1, max_size=30).map(lambda p: encode_record(p, 5, RecordType.DOWNLINK)),
    st.binary(min_size=1, max_size=30).map(lambda p: encode_record(p, 6, RecordType.UPLINK)),
    st.integers(1, 3).map(nested),
    st.sampled_from([0, 3, 200]).map(lambda t: record_of_type(b"later", t)),
    st.just(b"\xeb\x90\xeb\x90"),  # false syncs between records
)
DAMAGE = st.lists(
    st.tuples(st.sampled_from(["flip", "cut", "delete", "insert"]), st.integers(0, 10**6)),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=25), DAMAGE)
def test_damaged_logs_agree_with_the_reader(pieces, damage):
    data = bytearray(encode_header(b"\0" * 8, 0) + b"".join(pieces))
    for kind, where in damage:
        if len(data) <= HEADER_SIZE:
            break
        at = HEADER_SIZE + where % (len(data) - HEADER_SIZE)
        if kind == "flip":
            data[at] ^= 1 << (where % 8)
        elif kind == "cut":
            del data[at:]
        elif kind == "delete":
            del data[at : at + 1 + where % 40]
        else:
            data[at:at] = b"\xeb\x90" + bytes(where % 30)
    assert_agree(bytes(data))


def test_damage_in_a_real_log_is_counted_as_the_reader_counts_it(rock_log):
    data = bytearray(rock_log.read_bytes())
    data[5000] ^= 0x10  # inside a record: its CRC-32 fails, skipped exactly
    data[20000:20003] = b"\0\0\0"  # a damaged head: resynchronise
    data[40000:40000] = b"\xeb\x90" * 3  # false syncs
    del data[-7:]  # a torn tail
    assert_agree(bytes(data))
    _, stats = index_view(bytes(data))
    assert stats.corrupt_records >= 1 and stats.skipped_bytes and stats.torn_tail_bytes
