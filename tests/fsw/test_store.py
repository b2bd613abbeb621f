"""The onboard store: full at the exact boundary, housekeeping evicted before events, playback
selections with their documented edges, and an exact count of what waits for playback."""

import pytest

from fsw.store import MIN_SIZE, Store
from fsw.tables import CATALOG

HK = CATALOG.telemetry_packet("HK")
HK_SIZE = CATALOG.layout(HK).size


def hk(seq: int, time: float = 100.0) -> bytes:
    values = {f.name: 0 if f.enum is None else next(iter(f.enum)).value for f in HK.fields}
    return CATALOG.encode_telemetry(HK, values, seq, time)


def ping(seq: int, time: float = 100.0) -> bytes:
    return CATALOG.encode_event("PING_REPLY", {"token": seq}, seq, time)


PING_SIZE = len(ping(0))


def sized(n_hk: int, n_events: int = 0, spare: int = 0) -> Store:
    """A store exactly big enough for that many housekeeping packets and events, plus `spare`."""
    return Store(max(MIN_SIZE, n_hk * HK_SIZE + n_events * PING_SIZE + spare))


def test_the_packet_that_just_fits_is_kept_and_the_next_evicts_the_oldest():
    n = MIN_SIZE // HK_SIZE + 1
    store = Store(n * HK_SIZE)
    for seq in range(n):
        assert store.add(hk(seq), precious=False) is not None
    assert store.used == store.size and not store.overflowed  # full to the byte, nothing lost
    assert store.add(hk(n), precious=False) is not None
    assert store.evicted_housekeeping == 1 and store.overflowed
    assert [e.seq for e in store.entries.values()] == list(range(1, n + 1))


def test_one_byte_short_and_the_last_packet_costs_the_first():
    n = MIN_SIZE // HK_SIZE + 1
    store = Store(n * HK_SIZE - 1)
    for seq in range(n):
        store.add(hk(seq), precious=False)
    assert store.evicted_housekeeping == 1 and len(store) == n - 1
    assert store.used == (n - 1) * HK_SIZE


def test_events_are_kept_and_the_oldest_housekeeping_goes_first():
    store = sized(20)
    for seq in range(20):
        store.add(hk(seq), precious=False)
    store.add(ping(0), precious=True)
    store.add(ping(1), precious=True)
    kinds = [(e.precious, e.seq) for e in store.entries.values()]
    assert (True, 0) in kinds and (True, 1) in kinds
    assert (False, 0) not in kinds and (False, 19) in kinds
    assert store.evicted_precious == 0 and store.evicted_housekeeping >= 1


def test_with_no_housekeeping_left_events_evict_the_oldest_events():
    store = Store(MIN_SIZE)
    fits = MIN_SIZE // PING_SIZE
    for seq in range(fits + 3):
        store.add(ping(seq), precious=True)
    assert store.evicted_precious == 3
    assert [e.seq for e in store.entries.values()] == list(range(3, fits + 3))


def test_housekeeping_never_pushes_out_an_event():
    store = Store(MIN_SIZE)
    while store.used + PING_SIZE <= store.size:
        store.add(ping(len(store)), precious=True)
    events = len(store)
    assert store.add(hk(0), precious=False) is None
    assert len(store) == events and store.evicted_housekeeping == 1
    assert store.evicted_precious == 0


def test_a_packet_larger_than_the_store_is_not_kept_but_counted():
    store = Store(MIN_SIZE)
    assert store.add(b"\x00" * (MIN_SIZE + 1), precious=True) is None
    assert store.evicted_precious == 1 and store.used == 0


def test_a_store_below_the_minimum_is_refused():
    with pytest.raises(ValueError, match="below the minimum"):
        Store(MIN_SIZE - 1)


def test_time_ranges_include_the_start_and_exclude_the_end():
    store = Store(MIN_SIZE * 8)
    for seq, t in enumerate([10.0, 11.0, 12.0, 13.0]):
        store.add(hk(seq, t), precious=False)
    seqs = lambda ix: [store.entries[i].seq for i in ix]  # noqa: E731
    assert seqs(store.select_time(11.0, 13.0)) == [1, 2]
    assert seqs(store.select_time(11.0, 11.0)) == []
    assert seqs(store.select_time(0.0, 2.0**32)) == [0, 1, 2, 3]


def test_sequence_ranges_include_both_ends_and_name_one_apid():
    store = Store(MIN_SIZE * 8)
    for seq in range(5):
        store.add(hk(seq), precious=False)
        store.add(ping(seq), precious=True)
    chosen = store.select_seq(HK.apid, 1, 3)
    assert [(store.entries[i].apid, store.entries[i].seq) for i in chosen] == [
        (HK.apid, 1),
        (HK.apid, 2),
        (HK.apid, 3),
    ]
    assert store.select_seq(HK.apid, 5, 9) == []


def test_packets_queued_for_playback_are_counted_exactly_through_eviction():
    store = Store(MIN_SIZE)
    entries = [store.add(hk(seq), precious=False) for seq in range(3)]
    for e in entries:
        assert e is not None and store.queue(e.index)
    assert store.pending == 3
    while store.evicted_housekeeping == 0:
        store.add(hk(99), precious=False)
    assert store.pending == 2  # the oldest went before its turn
    assert store.unqueue(entries[0].index) is None  # evicted: nothing to send
    assert store.unqueue(entries[1].index) is entries[1] and store.pending == 1


def test_clear_drops_everything_and_counts_afresh():
    store = Store(MIN_SIZE)
    for seq in range(50):
        store.add(hk(seq), precious=False)
    held = len(store)
    assert store.overflowed and held < 50
    assert store.clear() == held
    assert (len(store), store.used, store.evicted, store.overflowed) == (0, 0, [0, 0], False)
    assert store.oldest() is None


def test_housekeeping_that_no_eviction_could_fit_costs_only_itself():
    s = Store(MIN_SIZE)
    small = CATALOG.encode_telemetry(
        "CMD_VERIFY",
        {
            "stage": 1,
            "cmd_apid": 16,
            "cmd_code": 0,
            "cmd_seq": 0,
            "reason": 0,
            "arg_index": 0,
            "cmd_sn": 0,
        },
        0,
        100.0,
    )
    assert s.add(small, precious=False) is not None  # 22 bytes of housekeeping
    for i in range(47):
        assert s.add(ping(i), precious=True) is not None  # 987 bytes of events: 15 left
    assert s.add(hk(1), precious=False) is None  # 56 bytes: even evicting the 22 is not enough
    assert len(s) == 48 and s.evicted == [1, 0]  # only the new one was lost
