"""The deframer against what a real serial line does: noise, splits, bit flips, cuts, runaways."""

from collections import Counter

import pytest
from cobs import cobs
from hypothesis import given, settings
from hypothesis import strategies as st

from fsw.packets.ccsds import PacketType
from fsw.packets.crc import append_crc
from fsw.packets.framing import Deframer, frame, max_encoded_size
from fsw.packets.reasons import Reason
from fsw.tables import CATALOG

PING = CATALOG.encode_command("PING", {"token": 0x00AB00CD}, 9)  # has zeros to stuff
NOOP = CATALOG.encode_command("NOOP", {}, 10)
HK = CATALOG.encode_telemetry(
    "HK", {f.name: 0 for f in CATALOG.telemetry_packet("HK").fields}, 1, 5.0
)


def uplink() -> Deframer:
    return Deframer(accepts=lambda t, apid: t == PacketType.TELECOMMAND and CATALOG.knows(t, apid))


def feed_all(d: Deframer, *chunks: bytes):
    packets, discarded = [], Counter()
    for c in chunks:
        r = d.feed(c)
        packets += r.packets
        discarded.update(r.discarded)
    return packets, discarded


def test_one_frame():
    packets, discarded = feed_all(uplink(), frame(PING))
    assert packets == [PING] and not discarded


def test_frame_has_no_zero_inside_and_costs_little():
    f = frame(PING)
    assert f[0] == 0 and f[-1] == 0 and 0 not in f[1:-1]
    assert len(f) == len(PING) + 3  # one COBS overhead byte and two delimiters


def test_garbage_between_frames_is_counted_and_the_next_frame_arrives():
    garbage = b"\x37\x99\x01\x02 line noise \xff"
    packets, discarded = feed_all(uplink(), frame(PING) + garbage + frame(NOOP))
    assert packets == [PING, NOOP]
    assert discarded == {Reason.BAD_FRAME: len(garbage)}


def test_garbage_that_is_valid_cobs_is_caught_by_the_crc_or_length():
    noise = cobs.encode(b"\x18\x10\xc0\x00\x00\x02\x00\x12\x34")  # a NOOP with a wrong CRC
    packets, discarded = feed_all(uplink(), b"\x00" + noise + frame(NOOP))
    assert packets == [NOOP] and discarded == {Reason.BAD_CRC: len(noise)}


@pytest.mark.parametrize("cut", range(len(frame(PING)) + 1))
def test_split_at_every_byte_boundary(cut):
    f = frame(PING) + frame(NOOP)
    d = uplink()
    packets, discarded = feed_all(d, f[:cut], f[cut:])
    assert packets == [PING, NOOP] and not discarded and d.buffered == 0


def test_byte_by_byte():
    stream = frame(PING) + frame(HK) + frame(NOOP)
    d = Deframer(accepts=CATALOG.knows)
    packets, _ = feed_all(d, *(bytes([b]) for b in stream))
    assert packets == [PING, HK, NOOP]


def _cobs_code_positions(encoded: bytes) -> set[int]:
    positions, i = set(), 0
    while i < len(encoded):
        positions.add(i)
        i += encoded[i]
    return positions


@pytest.mark.parametrize("packet", [PING, HK], ids=["PING", "HK"])
def test_every_single_bit_flip_is_refused_and_the_next_frame_still_arrives(packet):
    f = frame(packet)
    codes = {p + 1 for p in _cobs_code_positions(f[1:-1])}
    for index in range(1, len(f) - 1):
        for bit in range(8):
            bad = bytearray(f)
            bad[index] ^= 1 << bit
            packets, discarded = feed_all(Deframer(accepts=CATALOG.knows), bytes(bad) + frame(NOOP))
            assert packets == [NOOP], (index, bit)
            assert discarded, (index, bit)
            if index not in codes and bad[index] != 0:
                # a data byte changed: the length field or the CRC catches it
                length_field = index - 1 in _data_positions_of_length_field(f)
                expected = Reason.BAD_LENGTH if length_field else Reason.BAD_CRC
                assert set(discarded) == {expected}, (index, bit, discarded)


def _data_positions_of_length_field(f: bytes) -> set[int]:
    """Positions in the encoded frame (after its leading delimiter) of packet bytes 4 and 5."""
    encoded = f[1:-1]
    codes = _cobs_code_positions(encoded)
    data_index, found = 0, set()
    for pos in range(len(encoded)):
        if pos in codes:
            if pos:
                data_index += 1  # the zero this code stands for
            continue
        if data_index in (4, 5):
            found.add(pos)
        data_index += 1
    return found


@pytest.mark.parametrize("keep", [1, 3, 8, 12, 13])  # the whole frame is 14
def test_truncated_frame(keep):
    f = frame(PING)
    cut = f[: 1 + keep] + b"\x00"
    packets, discarded = feed_all(uplink(), cut + frame(NOOP))
    assert packets == [NOOP]
    assert set(discarded) <= {Reason.BAD_FRAME, Reason.BAD_LENGTH}
    assert sum(discarded.values()) == keep


def test_truncated_at_a_cobs_block_edge_is_a_bad_length():
    f = frame(PING)  # PING's token 0x00AB00CD puts zeros in the packet, so there are block edges
    edges = [p for p in _cobs_code_positions(f[1:-1]) if p > 4]
    cut = f[: 1 + edges[0]] + b"\x00"
    _, discarded = feed_all(uplink(), cut)
    assert set(discarded) == {Reason.BAD_LENGTH}


def test_oversize_frame_is_refused_and_the_buffer_stays_bounded():
    d = Deframer(max_packet_size=64, accepts=CATALOG.knows)
    runaway = b"\x01" * 10_000  # no delimiter for a long time
    r1 = d.feed(b"\x00" + runaway)
    assert d.buffered <= max_encoded_size(64)
    r2 = d.feed(runaway + frame(NOOP))
    assert r2.packets == [NOOP]
    total = Counter(r1.discarded) + Counter(r2.discarded)
    assert total == {Reason.OVERSIZE: 20_000}


def test_packet_over_maximum_inside_a_legal_frame():
    d = Deframer(max_packet_size=20, accepts=CATALOG.knows)
    packets, discarded = feed_all(d, frame(HK) + frame(NOOP))  # HK is 53 bytes
    assert packets == [NOOP] and set(discarded) == {Reason.OVERSIZE}


def test_unknown_apid_and_wrong_direction():
    packets, discarded = feed_all(uplink(), frame(HK) + frame(NOOP))
    assert packets == [NOOP] and discarded == {Reason.UNKNOWN_APID: len(frame(HK)) - 2}


def test_counters_by_reason_accumulate():
    d = uplink()
    feed_all(d, frame(PING) + b"\x55\x55" + frame(HK) + frame(NOOP))
    assert d.packets == 2
    assert d.discarded_frames == {Reason.BAD_FRAME: 1, Reason.UNKNOWN_APID: 1}
    assert d.discarded_bytes[Reason.BAD_FRAME] == 2


def test_reset_forgets_a_partial_frame():
    d = uplink()
    d.feed(frame(PING)[:6])
    d.reset()
    packets, _ = feed_all(d, frame(NOOP)[1:])  # the rest of a frame whose start was lost
    assert packets == [NOOP]


@settings(max_examples=500)
@given(st.lists(st.binary(max_size=300), max_size=8), st.data())
def test_any_input_never_raises_and_every_byte_is_accounted_for(chunks, data):
    d = Deframer(max_packet_size=128, accepts=CATALOG.knows)
    good = frame(NOOP)
    chunks = [*chunks, good]  # a good frame after whatever came before must still arrive
    fed = 0
    packets = []
    for chunk in chunks:
        split = data.draw(st.integers(0, len(chunk)))
        for part in (chunk[:split], chunk[split:]):
            fed += len(part)
            packets += d.feed(part).packets
            assert d.buffered <= d.max_frame
    delimiters = sum(c.count(0) for c in chunks)
    assert fed == sum(d.discarded_bytes.values()) + d.good_bytes + delimiters + d.buffered
    assert packets[-1] == NOOP


@settings(max_examples=200)
@given(st.lists(st.sampled_from([PING, NOOP, HK]), min_size=1, max_size=10), st.binary(max_size=40))
def test_frames_after_noise_all_arrive(sequence, noise):
    d = Deframer(accepts=CATALOG.knows)
    stream = noise + b"".join(frame(p) for p in sequence)
    assert feed_all(d, stream)[0] == sequence


def test_idle_packets_are_dropped_without_counting_an_error():
    idle = append_crc(bytes([0x07, 0xFF, 0xC0, 0x00, 0x00, 0x03, 0x55, 0x55]))
    d = Deframer(accepts=CATALOG.knows)
    packets, discarded = feed_all(d, frame(idle) + frame(HK))
    assert packets == [HK] and not discarded and d.idle_packets == 1
