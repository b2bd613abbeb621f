"""The proof a new connection gives of the uplink key: a fresh envelope signed with it, and nothing
else (a bare command, another key, a forged MAC, a replay, a torn envelope)."""

from collections.abc import Callable

from fsw.packets import secure
from fsw.packets.crc import append_crc
from fsw.security import ReplayWindow
from fsw.tables import CATALOG
from hil.radio.proof import KeyProof
from tools.ground.signer import new_key

KEY = new_key(spi=7)
PING = CATALOG.encode_command("PING", {"token": 1}, 3)


def fresh(window: ReplayWindow) -> Callable[[int], str | None]:
    """The window's verdict on a number, as the flight software's would_admit gives it."""

    def judge(sn: int) -> str | None:
        judged = window.judge(sn, 64, ahead=10**12)
        return None if judged is None else judged[1]

    return judge


def proof(window: ReplayWindow | None = None) -> KeyProof:
    window = window or ReplayWindow()
    return KeyProof(KEY, fresh(window))


def test_a_fresh_envelope_signed_with_the_key_proves_it_and_leaves_the_window_alone():
    window = ReplayWindow()
    envelope = secure.seal(PING, KEY.secret, KEY.spi, 1000)
    assert proof(window)(envelope) is None
    assert window.highest == 0  # the flight software uses up its number when it runs it


def test_a_proof_copied_onto_another_connection_before_the_rover_ran_it_proves_nothing():
    judge = proof()  # the window has not seen it yet: it is on its way to the flight software
    envelope = secure.seal(PING, KEY.secret, KEY.spi, 1000)
    assert judge(envelope) is None
    assert judge(envelope) == (
        "its first packet is a replay (sequence number 1000 already proved the key on another "
        "connection)"
    )
    assert judge(secure.seal(PING, KEY.secret, KEY.spi, 1001)) is None  # a new proof still does


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


def test_with_the_counter_lost_a_newer_authentic_envelope_proves_the_key_and_an_older_one_not():
    """Nothing is fresh to a lost counter: judged by it, no ground with the key could take the
    link from a listener without it to send the SA_SET_ARSN that recovers the counter."""
    lost = ReplayWindow(None)
    judge = KeyProof(KEY, fresh(lost), known=lambda: lost.known)
    assert judge(secure.seal(PING, KEY.secret, KEY.spi, 1000)) is None
    assert judge(secure.seal(PING, KEY.secret, KEY.spi, 999)) == (
        "its first packet is a replay (sequence number 999 is not above 1000, the last proof's, "
        "and the anti-replay counter is unknown)"
    )
    assert judge(secure.seal(PING, KEY.secret, KEY.spi, 1001)) is None
    other = new_key(spi=7)
    assert judge(secure.seal(PING, other.secret, 7, 2000)) == (
        "the MAC of its first packet does not match the uplink key"
    )
