"""The ground's downlink verifier, alone and in a session: only sealed telemetry with a good MAC
and a fresh number is believed; a plain, forged, foreign, replayed or malformed packet is refused,
counted by kind, told, never recorded, decoded or matched to a command. Without a key packets
pass, counted as unverified."""

from __future__ import annotations

import pytest

from fsw.downlink_auth import downlink_key
from fsw.packets import secure
from fsw.packets.crc import append_crc
from fsw.packets.reasons import Reason
from fsw.security import Key
from fsw.tables import CATALOG
from fsw.tables.enums import Stage
from tools.dictionary import Dictionary
from tools.ground.cmdline import parse
from tools.ground.inprocess import InProcessSession
from tools.ground.signer import derived_key
from tools.ground.verifier import DownlinkVerifier, Refusal, Verdict
from tools.tlmlog import LogReader, RecordType

KEY = Key(3, bytes(range(100, 132)))
DOWN = downlink_key(KEY)


def report(seq: int, stage: Stage = Stage.COMPLETED, apid: int = 0x011, code: int = 0) -> bytes:
    values = {"stage": stage, "cmd_apid": apid, "cmd_code": code, "cmd_seq": seq,
              "reason": Reason.OK, "arg_index": 0, "cmd_sn": 0}  # fmt: skip
    return CATALOG.encode_telemetry("CMD_VERIFY", values, 5, 1000.0)


def sealed(packet: bytes, sn: int, key: Key = DOWN) -> bytes:
    return secure.seal(packet, key.secret, key.spi, sn, telemetry=True)


def test_a_good_envelope_is_believed_and_its_packet_given():
    v = DownlinkVerifier(KEY)
    assert v.check(sealed(report(1), 10)) == Verdict(report(1))
    assert v.verified == 1 and not v.refused
    assert v.summary() == "downlink verified (1)"


@pytest.mark.parametrize(
    ("packet", "refusal", "why"),
    [
        (report(1), Refusal.UNAUTHENTICATED, "a plain packet (APID 0x101)"),
        (sealed(report(1), 10, Key(4, DOWN.secret)), Refusal.UNAUTHENTICATED, "SPI 4"),
        (sealed(report(1), 10, Key(3, bytes(32))), Refusal.FORGED, "MAC does not match"),
        (sealed(report(1), 10, KEY), Refusal.FORGED, "forged"),  # the uplink's own secret
        (append_crc(bytes.fromhex("090cc0000010") + bytes(10)), Refusal.MALFORMED, "cannot hold"),
        (sealed(CATALOG.encode_command("PING", {"token": 1}, 1), 10), Refusal.MALFORMED,
         "one telemetry packet"),
        (sealed(sealed(report(1), 9), 10), Refusal.MALFORMED, "one telemetry packet"),
    ],
)  # fmt: skip
def test_what_is_refused_and_why(packet, refusal, why):
    v = DownlinkVerifier(KEY)
    verdict = v.check(packet)
    assert verdict.packet is None and verdict.refusal is refusal
    assert verdict.why.startswith(f"telemetry refused ({refusal.value}): ") and why in verdict.why
    assert v.refused == {refusal: 1} and v.verified == 0
    assert v.summary() == f"downlink verified (0); REFUSED 1 {refusal.value}"


def test_a_tampered_packet_with_good_crcs_is_forged_not_noise():
    good = bytearray(sealed(report(1), 10))
    good[16 + 12] ^= 1  # the report's stage, inside the MAC's cover
    inner = append_crc(bytes(good[16:-18][:-2]))
    tampered = append_crc(bytes(good[:16]) + inner + bytes(good[-18:-2]))
    assert DownlinkVerifier(KEY).check(tampered).refusal is Refusal.FORGED


def test_an_old_number_is_a_replay():
    v = DownlinkVerifier(KEY)
    first, second = sealed(report(1), 5_000), sealed(report(2), 6_000)
    assert v.check(first).packet and v.check(second).packet
    assert v.check(second).refusal is Refusal.REPLAYED  # the same packet again
    assert v.check(first).refusal is Refusal.REPLAYED  # an older one
    late = sealed(report(3), 5_500)  # not seen, within the window below the highest
    assert v.check(late).packet == report(3)
    assert "already used" in v.check(late).why


def test_without_a_key_everything_passes_unverified():
    v = DownlinkVerifier(None)
    assert v.check(report(1)) == Verdict(report(1))
    assert v.check(sealed(report(2), 10, Key(9, bytes(32)))) == Verdict(report(2))
    assert v.unverified == 2 and not v.required
    assert v.summary() == "downlink NOT VERIFIED (no key): 2 packets unverified"


def test_a_session_never_matches_records_or_shows_forged_telemetry(tmp_path):
    path = tmp_path / "s.tlm"
    s = InProcessSession(record=path)
    heard: list[bytes] = []
    take = s.take

    def spy(packet: bytes, *args, **kwargs):  # the bytes as they come down, sealed
        heard.append(packet)
        return take(packet, *args, **kwargs)

    s.take = spy
    told: list[Verdict] = []
    s.on_refused.append(told.append)
    seen = []
    s.listeners.append(seen.append)
    drive = s.send(parse(Dictionary.from_flight(), "DRIVE 1 0 0.0447"))
    s.run_for(1)
    before = len(seen)
    d = CATALOG.command("DRIVE")
    wrong = Key(1, bytes(32))  # a relay that guesses a key
    for forged in (report(drive.seq, apid=d.apid, code=d.code),
                   sealed(report(drive.seq, apid=d.apid, code=d.code), 2**62, wrong),
                   heard[-1]):  # fmt: skip
        assert s.take(forged) is None
    assert [v.refusal for v in told] == [Refusal.UNAUTHENTICATED, Refusal.FORGED,
                                         Refusal.REPLAYED]  # fmt: skip
    assert len(seen) == before
    assert s.await_final(drive, 3) is None and drive.stages == ["ACCEPTED", "STARTED"]
    assert s.await_final(drive, 60) == "COMPLETED"  # the rover's own report still counts
    s.close()
    reports = [CATALOG.decode(r.packet).shown() for r in LogReader(path)
               if r.type is RecordType.DOWNLINK and r.packet[1] == 0x01]  # fmt: skip
    assert [r["stage"] for r in reports if r["cmd_seq"] == drive.seq] == [
        "ACCEPTED", "STARTED", "COMPLETED"]  # fmt: skip
    assert s.verifier is not None and s.verifier.verified == len(heard) - 3  # all but forged


def test_an_in_process_session_without_authentication_says_its_telemetry_is_unverified():
    s = InProcessSession(authenticated=False)
    s.run_for(2)
    assert s.verifier is not None and not s.verifier.required
    assert s.verifier.unverified > 0 and s.state.value("HK", "downlink_auth") == "INSECURE"


def test_the_seeded_key_of_an_in_process_session_seals_the_downlink():
    s = InProcessSession()
    s.run_for(2)
    assert s.verifier is not None and s.verifier.key == downlink_key(derived_key(f"seed {s.seed}"))
    assert s.verifier.verified > 0 and not s.verifier.refused
    assert s.state.value("HK", "downlink_auth") == "AUTHENTICATED"
