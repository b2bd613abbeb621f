"""The authenticated envelope: its bytes, built independently, and what unsealing reports."""

import binascii
import hashlib
import hmac
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsw.packets import secure
from fsw.packets.crc import crc16
from fsw.packets.integrity import verify
from fsw.packets.reasons import PacketError, Reason
from fsw.tables import CATALOG
from fsw.tables.enums import Apid

KEY = bytes(range(32))
PING = CATALOG.encode_command("PING", {"token": 7}, 5)


def independent_envelope(command: bytes, key: bytes, spi: int, sn: int) -> bytes:
    """The envelope built with struct, hmac and binascii's CRC, not the project's code."""
    total = 6 + 2 + 8 + len(command) + 16 + 2
    seq = struct.unpack(">H", command[2:4])[0] & 0x3FFF
    head = struct.pack(">HHHHQ", 0x1800 | 0x0F0, 0xC000 | seq, total - 7, spi, sn)
    signed = head + command
    mac = hmac.new(key, signed, hashlib.sha256).digest()[:16]
    body = signed + mac
    return body + binascii.crc_hqx(body, 0xFFFF).to_bytes(2, "big")


def test_the_envelope_apid_is_the_tables():
    assert secure.APID == Apid.CMD_SECURE


def test_the_envelope_is_the_sdls_fields_around_the_packet_byte_for_byte():
    sealed = secure.seal(PING, KEY, 1, 42)
    assert sealed == independent_envelope(PING, KEY, 1, 42)
    assert len(sealed) == len(PING) + secure.OVERHEAD == len(PING) + 34
    assert verify(sealed) & 0x7FF == secure.APID  # a whole, good space packet to the deframer


def test_unsealing_gives_back_the_command_and_judges_the_mac():
    env = secure.unseal(secure.seal(PING, KEY, 3, 2**64 - 1))
    assert (env.spi, env.sn, env.seq_count, env.command) == (3, 2**64 - 1, 5, PING)
    assert secure.authentic(env, KEY)
    for bit in range(256):  # a key wrong by any one bit fails
        wrong = bytearray(KEY)
        wrong[bit // 8] ^= 1 << (bit % 8)
        assert not secure.authentic(env, bytes(wrong))


def test_an_envelope_too_short_for_a_command_is_bad_length():
    short = secure.seal(PING, KEY, 1, 1)
    cut = short[: secure.HEADER_SIZE + 8] + short[-secure.MAC_SIZE - 2 : -2]
    cut = cut[:4] + (len(cut) + 2 - 7).to_bytes(2, "big") + cut[6:]
    cut += crc16(cut).to_bytes(2, "big")
    with pytest.raises(PacketError) as err:
        secure.unseal(cut)
    assert err.value.reason is Reason.BAD_LENGTH and "cannot hold a command" in err.value.message


@pytest.mark.parametrize(("spi", "sn"), [(-1, 1), (0x10000, 1), (1, 0), (1, 2**64)])
def test_fields_that_do_not_fit_are_refused_when_sealing(spi, sn):
    with pytest.raises(ValueError):
        secure.seal(PING, KEY, spi, sn)


@given(st.binary(min_size=32, max_size=32), st.integers(1, 0xFFFF), st.integers(1, 2**64 - 1))
def test_round_trip(key, spi, sn):
    env = secure.unseal(secure.seal(PING, key, spi, sn))
    assert (env.spi, env.sn, env.command) == (spi, sn, PING) and secure.authentic(env, key)
