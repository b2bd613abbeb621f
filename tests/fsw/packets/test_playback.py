"""The playback envelope: round trips byte for byte, and every damaged envelope says why."""

import pytest

from fsw.packets import playback
from fsw.packets.crc import append_crc
from fsw.packets.integrity import DEFAULT_MAX_PACKET_SIZE
from fsw.packets.reasons import PacketError, Reason
from fsw.tables import CATALOG
from fsw.tables.enums import Apid

HK = CATALOG.telemetry_packet("HK")


def hk(seq: int = 5, time: float = 1000.25) -> bytes:
    values = {f.name: 0 if f.enum is None else next(iter(f.enum)).value for f in HK.fields}
    return CATALOG.encode_telemetry(HK, values, seq, time)


def test_the_envelope_carries_the_packet_byte_for_byte_with_its_own_count_and_time():
    inner = hk()
    envelope = playback.wrap(inner, 16383, 2000.5)
    assert len(envelope) == len(inner) + playback.OVERHEAD == len(inner) + 14
    assert playback.is_envelope(envelope) and not playback.is_envelope(inner)
    got = playback.unwrap(envelope)
    assert (got.packet, got.seq_count, got.time) == (inner, 16383, 2000.5)
    assert playback.wrap(got.packet, got.seq_count, got.time) == envelope


def test_the_envelope_is_a_well_formed_telemetry_packet_on_its_apid():
    envelope = playback.wrap(hk(), 3, 10.0)
    assert playback.APID == Apid.TLM_PLAYBACK
    assert envelope[0] & 0x10 == 0  # telemetry, not a telecommand
    assert ((envelope[0] << 8) | envelope[1]) & 0x7FF == 0x108
    assert ((envelope[4] << 8) | envelope[5]) + 7 == len(envelope)


def test_every_telemetry_packet_and_event_fits_an_envelope():
    rows = (*CATALOG.telemetry, *CATALOG.events)
    assert max(CATALOG.layout(r).max_size for r in rows) <= playback.room()


def test_a_packet_too_big_for_an_envelope_is_refused():
    room = playback.room(DEFAULT_MAX_PACKET_SIZE)
    with pytest.raises(ValueError, match=f"1..{room}|{room} bytes fit"):
        playback.wrap(b"\x00" * (room + 1), 0, 0.0)


def test_a_damaged_packet_inside_is_refused_with_its_reason():
    inner = bytearray(hk())
    inner[20] ^= 1  # its own CRC no longer holds; the envelope's is made afresh
    with pytest.raises(PacketError) as err:
        playback.unwrap(playback.wrap(bytes(inner), 0, 1.0))
    assert err.value.reason is Reason.BAD_CRC and "played back" in err.value.message


def test_a_damaged_envelope_is_a_bad_crc():
    envelope = bytearray(playback.wrap(hk(), 0, 1.0))
    envelope[8] ^= 0x80
    with pytest.raises(PacketError) as err:
        playback.unwrap(bytes(envelope))
    assert err.value.reason is Reason.BAD_CRC


def test_an_envelope_too_short_to_hold_a_packet_is_a_bad_length():
    short = bytearray(playback.wrap(hk(), 0, 1.0)[: playback.HEADER_SIZE])
    short[4:6] = (len(short) + 2 - 7).to_bytes(2, "big")
    with pytest.raises(PacketError) as err:
        playback.unwrap(append_crc(bytes(short)))
    assert err.value.reason is Reason.BAD_LENGTH


def test_another_apid_is_not_an_envelope():
    with pytest.raises(PacketError) as err:
        playback.unwrap(hk())
    assert err.value.reason is Reason.BAD_HEADER
