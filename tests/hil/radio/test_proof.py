"""The proof a new connection gives of the uplink key: a fresh envelope signed with it, and nothing
else (a bare command, another key, a forged MAC, a replay, a torn envelope)."""

from fsw.packets import secure
from fsw.packets.crc import append_crc
from fsw.security import ReplayWindow
from fsw.tables import CATALOG
from hil.radio.proof import KeyProof
from tools.ground.signer import new_key

KEY = new_key(spi=7)
PING = CATALOG.encode_command("PING", {"token": 1}, 3)


def proof(window: ReplayWindow | None = None) -> KeyProof:
    window = window or ReplayWindow()
    return KeyProof(KEY, lambda sn: window.judge(sn, 64))


def test_a_fresh_envelope_signed_with_the_key_proves_it_and_uses_up_nothing():
    window = ReplayWindow()
    judge = proof(window)
    envelope = secure.seal(PING, KEY.secret, KEY.spi, 1000)
    assert judge(envelope) is None
    assert judge(envelope) is None  # judging consumed nothing: the flight software does that
    assert window.highest == 0


def test_a_bare_command_proves_nothing():
    assert proof()(PING) == "its first packet (APID 16) is not signed with the uplink key"


def test_another_key_or_a_forged_mac_proves_nothing():
    other = new_key(spi=7)
    assert proof()(secure.seal(PING, other.secret, 7, 5)) == (
        "the MAC of its first packet does not match the uplink key"
    )
    assert proof()(secure.seal(PING, KEY.secret, 8, 5)) == (
        "it signs with SPI 8; this rover has SPI 7"
    )


def test_a_replayed_envelope_is_no_proof():
    window = ReplayWindow()
    window.accept(1000)  # the flight software executed it once
    why = proof(window)(secure.seal(PING, KEY.secret, KEY.spi, 1000))
    assert why == "its first packet is a replay (sequence number 1000 was already used)"


def test_an_envelope_too_short_to_hold_a_command_proves_nothing():
    torn = append_crc(secure.seal(PING, KEY.secret, KEY.spi, 5)[: secure.HEADER_SIZE])
    why = proof()(torn)
    assert why is not None and why.startswith("its first packet is no proof: an authenticated")
