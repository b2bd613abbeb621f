"""Reports an outsider can cause at will are rate-limited with nothing lost: a drip of bad frames
is counted byte for byte, reported within the limit, and cannot push housekeeping out of the
onboard store."""

from fsw.packets.framing import frame
from fsw.ratelimit import TokenBucket
from fsw.tables import CATALOG
from fsw.uplink import REPORT_BURST
from tests.fsw.support import Rover

STORE = 64 * 1024  # twenty seconds of housekeeping fit several times over


def bad_crc_frame(seq: int) -> bytes:
    packet = bytearray(CATALOG.encode_command("PING", {"token": seq}, seq))
    packet[-1] ^= 0xFF
    return frame(bytes(packet))


def drip(rover: Rover, frames: int, seconds: float) -> int:
    """`frames` bad frames, each posted alone, spread over `seconds`; the bytes posted."""
    cycles = round(seconds * 10)
    sent = 0
    for cycle in range(cycles):
        for n in range(frames * (cycle + 1) // cycles - frames * cycle // cycles):
            data = bad_crc_frame(n)
            rover.flight.post(data)
            sent += len(data)
        rover.run(0.1)
    return sent


def test_a_drip_of_bad_frames_does_not_evict_housekeeping_from_the_store():
    rover = Rover(flight={"contact": lambda: False, "store_size": STORE})
    drip(rover, 42_898, 20.0)  # the measured case: 42,898 events in 20 s evicted 239 HK
    store = rover.flight.forward.store
    assert store.evicted_housekeeping == 0 and store.evicted_precious == 0
    raised = rover.flight.events_sent  # out of contact: all into the store, none live
    assert REPORT_BURST <= raised <= 5 + REPORT_BURST + 21  # boot's, the burst, then 1 a second
    assert rover.flight.uplink.discards_unreported >= 42_898 - raised
    hk = rover.flight.uplink.counters()
    assert hk["uplink_bad_crc"] == 42_898  # every frame still counted


def test_the_bytes_of_reports_held_back_go_in_later_reports():
    rover = Rover()
    sent = drip(rover, 5_000, 3.0)
    held = rover.flight.uplink.discards_unreported
    assert held > 0
    assert rover.last("HK")["discards_unreported"] >= 1
    rover.run(30.0)  # the drip has ended: housekeeping reports what was held back
    reported = sum(e.shown()["count"] for e in rover.events("UPLINK_DISCARDED"))
    assert reported + 2 * 5_000 == sent  # every byte but the frames' two delimiters


def test_the_bucket_allows_a_burst_then_its_rate_and_counts_what_it_refused():
    now = [0.0]
    bucket = TokenBucket(2.0, 3, lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] = 1.0
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    now[0] = 100.0
    assert bucket.level() == 3  # never more than the burst
    assert bucket.refused == 2
