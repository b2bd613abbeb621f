"""Downlink authentication on the flight software: with a key every packet goes down sealed (live
and played back), checkable from the dictionary alone; sequence numbers never go back, not even
across a restart whose clock starts lower; the store keeps plain packets; without a key, plain."""

from __future__ import annotations

import hmac
import json

import pytest

from fsw import downlink_auth
from fsw.clock import SimClock
from fsw.downlink_auth import LEASE, DownlinkAuth
from fsw.flight import FlightSoftware
from fsw.packets import playback, secure
from fsw.packets.crc import append_crc
from fsw.security import Key
from fsw.tables import CATALOG
from fsw.tables.dictionary import flight_dictionary
from hil.sim import SimRover, Terrain
from tests.fsw.support import Rover
from tools.ground.verifier import DownlinkVerifier, Refusal

KEY = Key(7, bytes(range(32)))
START = 86400.0


def _flight(sent: list[bytes], clock: SimClock, **kwargs: object) -> FlightSoftware:
    return FlightSoftware(SimRover(clock.now, Terrain()), clock, sent.append, key=KEY, **kwargs)  # type: ignore[arg-type]


def third_party_check(doc: dict, secret: bytes, packet: bytes) -> tuple[int, bytes]:
    """What a ground with only `json` and `hmac` does from the dictionary: (sn, inner packet),
    or an AssertionError."""
    auth = doc["downlink_authentication"]
    label = bytes.fromhex(auth["key"]["label_hex"])
    key = hmac.new(secret, label + b"\x01", "sha256").digest()
    assert (int.from_bytes(packet[:2], "big") & 0x7FF) == auth["apid"]
    n = auth["mac"]["truncated_to_bytes"]
    body, mac = packet[: -n - 2], packet[-n - 2 : -2]
    assert hmac.compare_digest(hmac.new(key, body, "sha256").digest()[:n], mac)
    sn = int.from_bytes(packet[8:16], "big")
    return sn, packet[16 : -n - 2]


def test_every_packet_goes_down_sealed_and_a_third_party_ground_verifies_it_from_the_dictionary():
    sent: list[bytes] = []
    flight = _flight(sent, SimClock(START))
    flight.run(START + 3)
    doc = json.loads(json.dumps(flight_dictionary()))
    assert sent and all(secure.is_telemetry_envelope(p) for p in sent)
    sns, names = [], []
    for packet in sent:
        sn, inner = third_party_check(doc, KEY.secret, packet)
        sns.append(sn)
        names.append(CATALOG.decode(inner).name)
    assert sns == sorted(set(sns))  # strictly rising
    assert sns[0] >= START * 1e6  # microseconds of mission time
    assert {"BOOTED", "HK"} <= set(names)
    hk = [CATALOG.decode(third_party_check(doc, KEY.secret, p)[1]) for p in sent]
    assert {p.shown()["downlink_auth"] for p in hk if p.name == "HK"} == {"AUTHENTICATED"}
    # the store keeps the plain packets: no envelope's bytes in it
    assert all(
        not secure.is_telemetry_envelope(e.packet) for e in flight.forward.store.entries.values()
    )
    assert len(sent[0]) == len(next(iter(flight.forward.store.entries.values())).packet) + 34


def test_a_playback_goes_down_sealed_and_a_forged_one_is_refused():
    sent: list[bytes] = []
    in_contact = [False]
    clock = SimClock(START)
    flight = FlightSoftware(SimRover(clock.now, Terrain()), clock, sent.append, key=KEY,
                            contact=lambda: in_contact[0])  # fmt: skip
    flight.run(START + 5)
    assert sent == []  # out of contact: stored only
    in_contact[0] = True
    flight.run(START + 10)
    ground = DownlinkVerifier(KEY)
    inners = [ground.check(p).packet for p in sent]
    assert all(i is not None for i in inners) and ground.verified == len(sent)
    played = [i for i in inners if i is not None and playback.is_envelope(i)]
    assert played, "the packets stored out of contact were played back"
    # a relay rewrites a playback's time (and fixes both CRCs): the MAC gives it away
    victim = next(p for p in sent if playback.is_envelope(secure.unseal(p).command))
    inner = bytearray(secure.unseal(victim).command)
    inner[7] ^= 0x40
    forged_inner = append_crc(bytes(inner[:-2]))
    forged = append_crc(victim[:16] + forged_inner + victim[16 + len(forged_inner) : -2])
    fresh = DownlinkVerifier(KEY)
    verdict = fresh.check(forged)
    assert verdict.packet is None and verdict.refusal is Refusal.FORGED


def test_numbers_never_go_back_across_a_restart_whose_clock_starts_lower():
    kept: list[int] = []
    sent1: list[bytes] = []
    first = _flight(sent1, SimClock(START), downlink_lease=(0, kept.append))
    first.run(START + 2)
    assert kept == [int(START * 1e6) + LEASE]  # one write per lease, before the number is used
    ground = DownlinkVerifier(KEY)
    assert all(ground.check(p).packet is not None for p in sent1)
    sent2: list[bytes] = []
    second = _flight(sent2, SimClock(START - 1000.0), downlink_lease=(kept[-1], kept.append))
    second.run(START - 999.0)
    sn1 = [secure.unseal(p).sn for p in sent1]
    sn2 = [secure.unseal(p).sn for p in sent2]
    assert min(sn2) > max(sn1)  # without the lease they would start 1000 s of numbers lower
    assert all(ground.check(p).packet is not None for p in sent2)
    replayed = ground.check(sent1[-1])  # the relay plays an old packet again
    assert replayed.refusal is Refusal.REPLAYED


def test_a_lease_that_cannot_be_written_does_not_stop_the_telemetry():
    def full(_sn: int) -> None:
        raise OSError(28, "No space left on device")

    auth = DownlinkAuth(KEY, lambda: 5_000_000_000, keep=full)
    packets = [auth.seal(CATALOG.encode_command("PING", {"token": i}, i)) for i in range(3)]
    assert [secure.unseal(p).sn for p in packets] == [5_000_000, 5_000_001, 5_000_002]
    assert auth.keep_failed == 1  # tried once per lease, not per packet


def test_the_downlink_key_is_its_own():
    down = downlink_auth.downlink_key(KEY)
    assert down.spi == KEY.spi and down.secret != KEY.secret
    r = Rover()
    r.run(1)
    packet = r.flight.forward.store.entries[0].packet  # a plain telemetry packet
    # sealed with the uplink's own secret (a relay that learnt an uplink MAC's key) it fails
    tm = secure.seal(packet, KEY.secret, KEY.spi, 9, telemetry=True)
    assert DownlinkVerifier(KEY).check(tm).refusal is Refusal.FORGED
    good = secure.seal(packet, down.secret, KEY.spi, 9, telemetry=True)
    assert DownlinkVerifier(KEY).check(good).packet == packet


@pytest.mark.parametrize("key", [None, KEY])
def test_hk_says_whether_the_downlink_is_authenticated(key):
    r = Rover(key=key)
    r.run(2)
    expected = "INSECURE" if key is None else "AUTHENTICATED"
    assert r.last("HK")["downlink_auth"] == expected
    assert (r.verifier.verified > 0) == (key is not None)


def test_the_largest_packet_played_back_and_sealed_still_fits_a_ground_deframer():
    largest = max(CATALOG.layout(d).max_size for d in (*CATALOG.telemetry, *CATALOG.events))
    assert largest + playback.OVERHEAD + secure.OVERHEAD <= CATALOG.max_packet_size
