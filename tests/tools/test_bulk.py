import itertools
import logging

import ccsdspy
import ccsdspy.utils
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsw.packets.crc import append_crc, crc16
from fsw.packets.dictionary import export
from fsw.tables import CATALOG
from tools import bulk

HK = CATALOG.telemetry_packet("HK")


def hk_packets(n: int) -> list[bytes]:
    out = []
    for i in range(n):
        values = {
            f.name: (i * 7 + j) % 200 if f.enum is None else 1 for j, f in enumerate(HK.fields)
        }
        values["cpu_load"] = i / 3
        out.append(CATALOG.encode_telemetry(HK, values, i, 1000 + i * 0.5))
    return out


def test_vectorised_crc_matches_crcmod_for_odd_and_even_widths():
    rng = np.random.default_rng(1)
    for width in (1, 2, 3, 9, 10, 53, 54):
        rows = rng.integers(0, 256, size=(64, width), dtype=np.uint8)
        expected = [crc16(bytes(r)) for r in rows]
        assert bulk.crc16_rows(rows).tolist() == expected


def test_bulk_equals_one_by_one_decoding():
    items = hk_packets(300)
    result = bulk.decode_stream(b"".join(items), CATALOG)
    records = result.packets["HK"]
    assert len(records) == 300 and result.crc_errors == 0
    for rec, raw in zip(records, items, strict=True):
        one = CATALOG.decode(raw)
        for f in HK.fields:
            assert rec[f.name] == one.values[f.name], f.name
        assert rec["time_coarse"] + rec["time_fine"] / 65536 == one.time


def test_bad_crcs_are_counted_not_returned_and_mixed_streams_split():
    items = hk_packets(20)
    items[5] = items[5][:-1] + bytes([items[5][-1] ^ 1])
    event = CATALOG.encode_event("PING_REPLY", {"token": 1}, 0, 1.0)
    verify = CATALOG.encode_telemetry(
        "CMD_VERIFY",
        {
            "stage": 1,
            "cmd_apid": 16,
            "cmd_code": 2,
            "cmd_seq": 4,
            "reason": 0,
            "arg_index": 255,
            "cmd_sn": 0,
        },
        0,
        2.0,
    )
    stream = b"".join(items[:10]) + event + verify + b"".join(items[10:]) + verify[:9]
    result = bulk.decode_stream(stream, CATALOG)
    assert len(result.packets["HK"]) == 19 and result.crc_errors == 1
    assert len(result.packets["CMD_VERIFY"]) == 1 and result.unknown == 1
    assert result.truncated_bytes == 9


def test_uniform_file():
    data = b"".join(hk_packets(10))
    records, ok = bulk.decode_uniform(data, CATALOG, HK)
    assert ok.all() and records["uptime"].tolist() == [
        CATALOG.decode(p).values["uptime"] for p in hk_packets(10)
    ]
    with pytest.raises(ValueError, match="not a whole number of HK packets"):
        bulk.decode_uniform(data[:-1], CATALOG, HK)


def test_ccsdspy_decodes_our_housekeeping_to_the_same_values(tmp_path):
    logging.getLogger("ccsdspy").setLevel(logging.ERROR)
    doc = export(CATALOG)
    entry = next(t for t in doc["telemetry"] if t["name"] == "HK")
    kinds = {"uint": "uint", "int": "int", "float": "float"}
    fields = [
        ccsdspy.PacketField(name="time_coarse", data_type="uint", bit_length=32),
        ccsdspy.PacketField(name="time_fine", data_type="uint", bit_length=16),
    ]
    for f in entry["fields"]:
        fields.append(
            ccsdspy.PacketField(
                name=f["name"],
                data_type=kinds[doc["types"][f["type"]]["kind"]],
                bit_length=8 * f["size"],
            )
        )
    fields.append(ccsdspy.PacketField(name="crc", data_type="uint", bit_length=16))
    path = tmp_path / "hk.bin"
    items = hk_packets(200)
    path.write_bytes(b"".join(items))
    theirs = ccsdspy.FixedLength(fields).load(str(path), include_primary_header=True)
    assert theirs["CCSDS_APID"].tolist() == [HK.apid] * 200
    assert theirs["CCSDS_SEQUENCE_COUNT"].tolist() == list(range(200))
    for i, raw in enumerate(items):
        ours = CATALOG.decode(raw).values
        for f in HK.fields:
            assert theirs[f.name][i] == ours[f.name], (i, f.name)


def plain_walk(data: bytes) -> tuple[list[int], int]:
    out, pos = [], 0
    while len(data) - pos >= 6:
        size = int.from_bytes(data[pos + 4 : pos + 6], "big") + 7
        if pos + size > len(data):
            break
        out.append(pos)
        pos += size
    return out, len(data) - pos


HK_PACKET = hk_packets(1)[0]
EVENT = CATALOG.encode_event("PING_REPLY", {"token": 1}, 0, 1.0)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["hk", "event"]), st.integers(1, 700)), max_size=6),
    st.binary(max_size=8),
)
def test_offsets_taken_in_runs_equal_a_plain_walk(runs, tail):
    data = b"".join((HK_PACKET if kind == "hk" else EVENT) * count for kind, count in runs) + tail
    offsets, left = bulk.packet_offsets(data)
    assert (offsets.tolist(), left) == plain_walk(data)


def test_a_stream_with_events_between_housekeeping():
    items = hk_packets(500)
    stream = b"".join(p + (EVENT if i % 10 == 3 else b"") for i, p in enumerate(items))
    result = bulk.decode_stream(stream, CATALOG)
    assert len(result.packets["HK"]) == 500 and result.unknown == 50
    assert result.packets["HK"]["cmd_accepted"].tolist() == [
        CATALOG.decode(p).values["cmd_accepted"] for p in items
    ]


def test_ccsdspy_splits_our_mixed_stream_where_we_do(tmp_path):
    items = hk_packets(300)
    verify_report = CATALOG.encode_telemetry(
        "CMD_VERIFY",
        {
            "stage": 5,
            "cmd_apid": 16,
            "cmd_code": 2,
            "cmd_seq": 4,
            "reason": 0,
            "arg_index": 255,
            "cmd_sn": 0,
        },
        0,
        2.0,
    )
    stream = b"".join(
        p + (EVENT if i % 7 == 0 else b"") + (verify_report if i % 11 == 0 else b"")
        for i, p in enumerate(items)
    )
    path = tmp_path / "mixed.bin"
    path.write_bytes(stream)
    theirs = {apid: buf.read() for apid, buf in ccsdspy.utils.split_by_apid(str(path)).items()}
    offsets, left = bulk.packet_offsets(stream)
    assert left == 0
    ours: dict[int, bytes] = {}
    bounds = [*offsets.tolist(), len(stream)]
    for start, stop in itertools.pairwise(bounds):
        apid = int.from_bytes(stream[start : start + 2], "big") & 0x7FF
        ours[apid] = ours.get(apid, b"") + stream[start:stop]
    assert ours == theirs
    assert set(theirs) == {HK.apid, CATALOG.event_apid, CATALOG.telemetry_packet("CMD_VERIFY").apid}


def test_bulk_refuses_what_verify_refuses():
    items = hk_packets(3)
    body = bytearray(items[1][:-2])
    body[2] &= 0x3F  # sequence flags 0: a segment, which verify() refuses
    items[1] = append_crc(bytes(body))
    result = bulk.decode_stream(b"".join(items), CATALOG)
    assert len(result.packets["HK"]) == 2 and result.bad_headers == 1 and result.crc_errors == 0
