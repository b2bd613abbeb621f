"""The inbox between the radio's threads and the flight thread: bounded in bytes and in chunks,
the excess dropped and counted (never blocking the poster), taken in slices, resets in order."""

import threading

from fsw.inbox import RESET, Inbox
from fsw.packets.framing import frame
from fsw.tables import CATALOG
from tests.fsw.support import Rover


def test_what_does_not_fit_is_dropped_and_counted_by_bytes_and_chunks():
    woken = []
    inbox = Inbox(lambda: woken.append(1), max_bytes=100, max_chunks=3)
    assert inbox.post(b"a" * 60) is True
    assert inbox.post(b"b" * 60) is False  # 40 of it fit
    assert inbox.post(b"c") is False  # no room at all
    assert (inbox.waiting, inbox.dropped_bytes, inbox.dropped_chunks) == (100, 21, 2)
    assert inbox.accepted_bytes + inbox.dropped_bytes == 121  # every byte accounted for
    assert woken == [1]  # woken when it gained work, not for every post


def test_many_small_posts_are_bounded_by_the_chunk_limit():
    inbox = Inbox(lambda: None, max_bytes=10_000, max_chunks=4)
    for _ in range(10):
        inbox.post(b"xy")
    assert inbox.waiting == 8 and inbox.dropped_chunks == 6 and inbox.dropped_bytes == 12


def test_take_gives_at_most_the_limit_in_order_and_keeps_the_rest_first():
    inbox = Inbox(lambda: None)
    inbox.post(b"0123456789")
    inbox.post(b"abc")
    assert inbox.take(4) == b"0123"
    assert inbox.take(100) == b"456789"
    assert inbox.take(100) == b"abc"
    assert inbox.take(100) == b"" and not inbox.pending
    assert inbox.taken_bytes == 13


def test_a_reset_is_taken_where_it_was_posted_and_two_in_a_row_are_one():
    inbox = Inbox(lambda: None)
    inbox.post(b"old")
    inbox.post_reset()
    inbox.post_reset()
    inbox.post(b"new")
    assert [inbox.take(100) for _ in range(4)] == [b"old", RESET, b"new", b""]


def test_posts_from_many_threads_lose_nothing_uncounted():
    inbox = Inbox(lambda: None, max_bytes=50_000, max_chunks=100)

    def radio() -> None:
        for _ in range(500):
            inbox.post(b"z" * 97)

    threads = [threading.Thread(target=radio) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert inbox.accepted_bytes + inbox.dropped_bytes == 4 * 500 * 97
    assert inbox.waiting == inbox.accepted_bytes <= 50_000


def test_a_flood_is_held_to_the_bound_and_counted_in_housekeeping():
    rover = Rover()
    flight = rover.flight
    garbage = bytes(range(1, 256)) * 257  # 65,535 bytes with no delimiter: a radio's read
    kept = [flight.post(garbage) for _ in range(320)]  # 20 MB at once, as over loopback
    assert kept[0] is True and kept[-1] is False  # False: the radio should ease off
    assert flight.inbox.waiting <= flight.inbox.max_bytes
    rover.run(3.0)
    hk = rover.last("HK")
    posted = 320 * len(garbage)
    assert hk["uplink_dropped_bytes"] > 0 and hk["uplink_dropped_chunks"] > 0
    assert hk["uplink_bytes"] + hk["uplink_dropped_bytes"] + hk["uplink_waiting"] == posted
    assert hk["uplink_deferred"] > 0  # more than one cycle's budget was waiting


def test_the_budgets_defer_input_to_later_cycles_and_lose_none_of_it():
    rover = Rover()
    flight = rover.flight
    per_cycle = int(flight.params["UPLINK_PACKET_BUDGET"])
    pings = b"".join(frame(CATALOG.encode_command("PING", {"token": s}, s)) for s in range(400))
    flight.post(pings)
    rover.run(0.1)
    assert len(rover.events("PING_REPLY")) == per_cycle  # one cycle's budget, not everything
    rover.run(2.5)
    assert len(rover.events("PING_REPLY")) == 400  # the rest came in later cycles
    assert rover.last("HK")["uplink_deferred"] >= 400 // per_cycle - 1


def test_the_byte_budget_holds_garbage_to_its_share_of_each_cycle():
    rover = Rover()
    flight = rover.flight
    budget = int(flight.params["UPLINK_BUDGET"])
    assert flight.post(bytes(range(1, 256)) * 235)  # 59,925 bytes of no frame at all
    rover.run(0.1)
    assert flight.inbox.taken_bytes <= 2 * budget
    rover.run(1.0)
    assert flight.inbox.waiting == 0 and flight.inbox.taken_bytes == 59_925
