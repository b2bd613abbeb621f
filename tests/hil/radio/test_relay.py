"""The relay model: light-time, rate queueing, LOS window edges, loss and bit errors, seeds."""

import math
from collections import Counter
from dataclasses import replace

import pytest

from hil.radio.relay import Fate, LosSchedule, RelayModel
from hil.radio.relay_profile import QUEQIAO, LosWindow, RelayProfile


def model(**changes: object) -> RelayModel:
    return RelayModel(replace(QUEQIAO, **changes))


def test_a_30_byte_frame_reaches_the_rover_after_the_light_time_and_1_92_s_at_125_bit_s():
    d = model().uplink.send(10.0, bytes(30))
    assert d.fate is Fate.DELIVERED
    assert d.arrival == pytest.approx(10.0 + 1.75 + 30 * 8 / 125)  # 1.75 + 1.92 s
    assert d.frame == bytes(30)


def test_frames_sent_back_to_back_queue_behind_each_other():
    m = model()
    first = m.uplink.send(0.0, bytes(30))
    second = m.uplink.send(0.0, bytes(30))
    assert second.start == pytest.approx(first.end)
    assert second.arrival == pytest.approx(first.arrival + 1.92)
    later = m.uplink.send(100.0, bytes(30))  # the queue drained long ago
    assert later.arrival == pytest.approx(100.0 + 1.75 + 1.92)


def test_a_downlink_frame_leaves_at_285_kbit_s_then_crosses_the_light_time():
    m = model()
    d = m.downlink.send(5.0, bytes(57))
    assert d.end == pytest.approx(5.0 + 57 * 8 / 285_000)
    assert d.arrival == pytest.approx(d.end + 1.75)


def test_a_burst_takes_its_bits_over_the_rate_to_drain():
    m = model(downlink_rate=700.0)
    arrivals = [m.downlink.send(0.0, bytes(70)).arrival for _ in range(5)]
    assert arrivals[-1] == pytest.approx(5 * 70 * 8 / 700 + 1.75)
    assert arrivals == sorted(arrivals)


def test_a_frame_that_would_wait_longer_than_the_backlog_is_dropped():
    m = model(backlog=3.0)  # 1.92 s per 30-byte frame: the third would wait 3.84 s
    fates = [m.uplink.send(0.0, bytes(30)).fate for _ in range(3)]
    assert fates == [Fate.DELIVERED, Fate.DELIVERED, Fate.OVERFLOW]


def test_the_lab_profile_delivers_at_once():
    d = RelayModel(RelayProfile()).downlink.send(3.0, b"\x00abc\x00")
    assert (d.arrival, d.fate) == (3.0, Fate.DELIVERED)


# ---- loss of signal --------------------------------------------------------------------------

LOS = (LosWindow(100.0, 50.0),)


def test_a_frame_ending_exactly_as_los_begins_gets_through():
    m = model(los=LOS, downlink_rate=80.0)  # 10 bytes: 1 s on the hop
    assert m.downlink.send(99.0, bytes(10)).fate is Fate.DELIVERED
    m = model(los=LOS, downlink_rate=80.0)
    assert m.downlink.send(99.0 + 1e-6, bytes(10)).fate is Fate.LOS


def test_a_frame_starting_exactly_as_los_ends_gets_through():
    m = model(los=LOS, downlink_rate=80.0)
    assert m.downlink.send(150.0, bytes(10)).fate is Fate.DELIVERED
    m = model(los=LOS, downlink_rate=80.0)
    assert m.downlink.send(150.0 - 1e-6, bytes(10)).fate is Fate.LOS


def test_uplink_los_applies_on_the_relays_hop_to_the_rover_after_the_light_time():
    m = model(los=LOS)  # 30 bytes: 1.92 s on the hop, after 1.75 s
    assert m.uplink.send(100.0 - 1.75 - 1.92, bytes(30)).fate is Fate.DELIVERED
    assert m.uplink.send(150.0 - 1.75 - 1e-6, bytes(30)).fate is Fate.LOS
    m = model(los=LOS)
    assert m.uplink.send(150.0 - 1.75, bytes(30)).fate is Fate.DELIVERED


def test_a_frame_lost_in_los_still_took_its_time_on_the_hop():
    m = model(los=LOS, downlink_rate=80.0)
    lost = m.downlink.send(149.5, bytes(10))
    after = m.downlink.send(149.5, bytes(10))
    assert lost.fate is Fate.LOS
    assert after.start == pytest.approx(150.5) and after.fate is Fate.DELIVERED


def test_contact_and_next_contact_around_a_window():
    s = LosSchedule(LOS, origin=1000.0)
    assert s.in_contact(1099.999) and not s.in_contact(1100.0)
    assert not s.in_contact(1149.999) and s.in_contact(1150.0)
    assert s.next_los(1000.0) == 1100.0 and s.next_contact(1000.0) is None
    assert s.next_contact(1120.0) == 1150.0 and s.next_los(1120.0) is None
    assert s.next_los(1150.0) is None  # no more windows


def test_back_to_back_windows_count_as_one_outage():
    s = LosSchedule((LosWindow(10, 5), LosWindow(15, 5)))
    assert s.next_contact(11.0) == 20.0


def test_a_periodic_schedule_repeats_its_windows():
    s = LosSchedule((LosWindow(600, 300), LosWindow(3000, 300)), period=7200.0, origin=0.0)
    for k in range(3):
        base = k * 7200.0
        assert s.in_contact(base + 599.9) and not s.in_contact(base + 600.0)
        assert s.in_contact(base + 900.0) and not s.in_contact(base + 3299.9)
    assert s.next_los(3300.0) == 7800.0
    assert s.next_contact(7200.0 + 3100.0) == 7200.0 + 3300.0
    assert s.overlaps(7200.0 + 899.0, 7200.0 + 1000.0)  # the tail of the second 600+300
    assert not s.overlaps(7200.0 + 900.0, 7200.0 + 2999.0)


def test_a_period_ending_in_los_chains_into_the_next_period():
    s = LosSchedule((LosWindow(0, 10), LosWindow(90, 10)), period=100.0)
    assert s.next_contact(95.0) == 110.0


# ---- loss, bit errors and seeds --------------------------------------------------------------


def fates(m: RelayModel, n: int, size: int = 60) -> list[tuple[Fate, tuple[int, ...]]]:
    return [(d.fate, d.flipped) for d in (m.downlink.send(i, bytes(size)) for i in range(n))]


def test_the_same_seed_loses_and_flips_the_same_frames():
    a = fates(RelayModel(replace(QUEQIAO, loss=0.1, ber=1e-3), seed=7), 500)
    b = fates(RelayModel(replace(QUEQIAO, loss=0.1, ber=1e-3), seed=7), 500)
    c = fates(RelayModel(replace(QUEQIAO, loss=0.1, ber=1e-3), seed=8), 500)
    assert a == b and a != c


def test_uplink_draws_do_not_depend_on_downlink_traffic():
    quiet = RelayModel(replace(QUEQIAO, loss=0.3), seed=1)
    busy = RelayModel(replace(QUEQIAO, loss=0.3), seed=1)
    for i in range(100):
        busy.downlink.send(i * 0.01, bytes(50))
    up = [quiet.uplink.send(i * 10.0, bytes(20)).fate for i in range(50)]
    assert up == [busy.uplink.send(i * 10.0, bytes(20)).fate for i in range(50)]


def test_frame_loss_matches_its_probability():
    m = RelayModel(replace(QUEQIAO, loss=0.05), seed=3)
    n = 20_000
    lost = sum(f is Fate.LOST for f, _ in fates(m, n))
    assert lost / n == pytest.approx(0.05, abs=4 * math.sqrt(0.05 * 0.95 / n))


def test_bit_errors_match_the_ber_and_flip_the_bits_they_name():
    ber, size, n = 1e-3, 100, 5_000
    m = RelayModel(replace(QUEQIAO, ber=ber), seed=4)
    deliveries = [m.downlink.send(i, bytes(size)) for i in range(n)]
    bits = size * 8
    flipped = sum(len(d.flipped) for d in deliveries)
    assert flipped / (n * bits) == pytest.approx(ber, rel=0.1)
    clean = sum(d.fate is Fate.DELIVERED for d in deliveries) / n
    assert clean == pytest.approx((1 - ber) ** bits, abs=0.03)
    d = next(d for d in deliveries if d.flipped)
    assert d.fate is Fate.CORRUPTED and d.arrival is not None
    ones = sum(bin(b).count("1") for b in d.frame)
    assert ones == len(d.flipped)  # each named bit of an all-zero frame is now 1
    assert all(d.frame[p // 8] & (0x80 >> p % 8) for p in d.flipped)


def test_ber_one_flips_every_bit():
    d = RelayModel(replace(QUEQIAO, ber=1.0)).downlink.send(0.0, bytes(4))
    assert d.frame == b"\xff" * 4


def test_what_the_contact_hook_lets_down_is_never_lost_to_the_los_behind_a_queue():
    slow = RelayProfile(name="slow", downlink_rate=700.0, los=(LosWindow(10.0, 5.0),))
    model = RelayModel(slow, origin=0.0, seed=1)
    fates = Counter()
    held = 0
    for i in range(100):  # a burst of 60-byte frames from 8.0 s, all in view
        t = 8.0 + i * 0.01
        if model.downlink_clear(t):
            fates[model.downlink.send(t, bytes(60)).fate] += 1
        else:
            held += 1  # the flight software stores it for playback instead
    assert fates[Fate.LOS] == 0 and held > 0 and fates[Fate.DELIVERED] == 100 - held
    assert not model.downlink_clear(12.0) and model.downlink_clear(16.0)
