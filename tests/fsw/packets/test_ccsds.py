import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacepackets.ccsds.spacepacket import PacketType as SpPacketType
from spacepackets.ccsds.spacepacket import SpacePacketHeader

from fsw.packets import ccsds
from fsw.tables import CATALOG


def test_header_words_for_a_telecommand():
    assert ccsds.packet_id(ccsds.PacketType.TELECOMMAND, 0x010) == 0x1810
    assert ccsds.packet_id(ccsds.PacketType.TELEMETRY, 0x7FE) == 0x0FFE
    assert ccsds.sequence_control(5) == 0xC005


def test_sequence_count_wraps_at_16384():
    assert ccsds.sequence_control(16384) == 0xC000
    assert ccsds.sequence_control(16385) == 0xC001


def test_apid_out_of_range():
    with pytest.raises(ValueError, match="APID 2048"):
        ccsds.packet_id(ccsds.PacketType.TELEMETRY, 2048)


@given(
    st.sampled_from(list(ccsds.PacketType)),
    st.integers(0, ccsds.MAX_APID),
    st.integers(0, 16383),
    st.integers(0, 0xFFFF),
)
def test_split_inverts_the_words(packet_type, apid, seq, length):
    h = ccsds.split(ccsds.packet_id(packet_type, apid), ccsds.sequence_control(seq), length)
    assert (h.version, h.packet_type, h.secondary_header, h.apid) == (0, packet_type, True, apid)
    assert (h.seq_flags, h.seq_count, h.packet_length) == (3, seq, length + 7)


def test_peek_needs_six_bytes():
    with pytest.raises(ValueError, match="shorter than a primary header"):
        ccsds.peek(b"\x18\x10\xc0")


def _every_packet_we_build():
    for c in CATALOG.commands:
        args = {
            a.name: (a.max if a.max is not None else a.wire.highest)
            if a.enum is None
            else next(iter(a.enum))
            for a in c.args
        }
        yield CATALOG.encode_command(c, args, 16383)
    for t in CATALOG.telemetry:
        yield CATALOG.encode_telemetry(
            t, {f.name: 1 if f.enum is None else next(iter(f.enum)) for f in t.fields}, 9999, 1.0
        )
    for e in CATALOG.events:
        yield CATALOG.encode_event(
            e, {f.name: 1 if f.enum is None else next(iter(f.enum)) for f in e.args}, 3, 2.0
        )


@pytest.mark.parametrize("packet", list(_every_packet_we_build()), ids=lambda p: p[:7].hex())
def test_spacepackets_reads_our_primary_header(packet):
    theirs = SpacePacketHeader.unpack(packet)
    ours = ccsds.peek(packet)
    assert theirs.apid == ours.apid
    assert int(theirs.packet_type) == int(ours.packet_type)
    assert theirs.packet_type == (SpPacketType.TC if ours.packet_type else SpPacketType.TM)
    assert theirs.seq_count == ours.seq_count
    assert theirs.data_len == ours.data_length
    assert theirs.packet_len == len(packet)
    assert theirs.sec_header_flag is True
    assert int(theirs.seq_flags) == 3
