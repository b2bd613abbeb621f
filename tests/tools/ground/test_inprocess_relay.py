"""An in-process session through the relay model: light-time both ways, LOS, loss and bit errors
on the simulated clock, the same run for the same seed."""

from dataclasses import replace

import pytest

from fsw.packets.framing import frame
from fsw.packets.reasons import Reason
from hil.radio.relay import Fate
from hil.radio.relay_profile import QUEQIAO, LosWindow
from tools.dictionary import Dictionary
from tools.ground.cmdline import parse
from tools.ground.inprocess import InProcessSession
from tools.runner import EPOCH_NS

D = Dictionary.from_flight()


def receipts(s: InProcessSession) -> list[tuple[str, float, float]]:
    """(packet name, packet time, ground receive time) of everything the ground takes in."""
    got: list[tuple[str, float, float]] = []
    s.listeners.append(
        lambda u: got.append((u.packet.name, u.packet.time, (s.ground_time_ns() - EPOCH_NS) / 1e9))
    )
    return got


def test_a_pings_reply_comes_back_after_twice_the_light_time_and_the_uplink_hop():
    s = InProcessSession(relay=QUEQIAO, authenticated=False)
    uplink_bits = len(frame(D.encode_command("PING", {"token": 7}, 0))) * 8
    ping = s.send(parse(D, "PING 7"))
    assert s.await_final(ping, 30) == "COMPLETED"
    expected = 2 * 1.75 + uplink_bits / 125  # the reports leave at once, at 285 kbit/s
    assert ping.finished - ping.sent == pytest.approx(expected, abs=0.12)
    reply = s.await_event("PING_REPLY", 1)
    assert reply is not None and reply.values["token"] == 7


def test_without_a_relay_the_reply_is_immediate():
    s = InProcessSession(authenticated=False)
    ping = s.send(parse(D, "PING 7"))
    assert s.await_final(ping, 5) == "COMPLETED"
    assert ping.finished - ping.sent < 0.2


def test_every_packet_reaches_the_ground_a_light_time_after_it_was_made():
    s = InProcessSession(relay=QUEQIAO)
    got = receipts(s)
    s.run_for(10)
    lags = [received - made for _, made, received in got]
    assert len(lags) > 40
    assert min(lags) >= 1.75 and max(lags) < 1.75 + 0.1


def test_nothing_arrives_from_a_los_window_and_the_flight_software_knows_it():
    profile = replace(QUEQIAO, los=(LosWindow(10.0, 20.0),))
    s = InProcessSession(relay=profile)
    start = s.now()
    got = receipts(s)
    s.run_for(15)
    assert not s.flight.contact()
    s.run_for(25)
    assert s.flight.contact()
    received = [r - start for _, _, r in got]
    assert not [r for r in received if 10.0 + 1.75 + 0.01 < r < 30.0 + 1.75]  # nothing heard
    assert [r for r in received if r < 10.0 + 1.75] and [r for r in received if r >= 31.75]


def test_a_command_sent_into_los_is_never_answered():
    profile = replace(QUEQIAO, los=(LosWindow(10.0, 20.0),))
    s = InProcessSession(relay=profile, authenticated=False)
    s.run_for(8)  # the ping reaches the relay at 9.75 and needs 1.92 s more: into the LOS
    ping = s.send(parse(D, "PING 1"))
    assert s.await_final(ping, 40) is None
    assert s.relay is not None and s.relay.model.uplink.fates[Fate.LOS] == 1
    again = s.send(parse(D, "PING 2"))  # after the LOS
    assert s.await_final(again, 10) == "COMPLETED"


def test_loss_and_bit_errors_are_the_same_for_the_same_seed():
    def run(seed: int) -> tuple[list[float], int]:
        s = InProcessSession(relay=replace(QUEQIAO, loss=0.1, ber=2e-4), seed=seed)
        got = receipts(s)
        s.run_for(60)
        assert s.relay is not None
        return [t for name, t, _ in got if name == "HK"], sum(s.relay.discarded.values())

    a, b, c = run(1), run(1), run(2)
    assert a == b and a != c
    hk, discarded = a
    assert 35 < len(hk) < 60  # of 60: a tenth lost, about a tenth more corrupted
    assert discarded > 0


def test_corrupted_frames_are_discarded_by_the_grounds_crc_check():
    s = InProcessSession(relay=replace(QUEQIAO, ber=1e-3))
    s.run_for(20)
    assert s.relay is not None
    fates = s.relay.model.downlink.fates
    discarded = s.relay.discarded
    assert sum(discarded.values()) > 10
    assert discarded[Reason.BAD_CRC] > 0
    framing = {Reason.BAD_CRC, Reason.BAD_FRAME, Reason.BAD_LENGTH, Reason.BAD_HEADER,
               Reason.UNKNOWN_APID, Reason.OVERSIZE}  # fmt: skip
    assert set(discarded) <= framing
    assert sum(discarded.values()) <= sum(fates.values())
