"""The uplink flood benchmark's own arithmetic and ammunition (the benchmark itself is run by
hand: it measures a real-time process and is not a timed test)."""

from types import SimpleNamespace

from benchmarks.uplink_flood import CHUNK, flood_batches, hk_gaps, percentile
from fsw.packets.framing import Deframer
from fsw.security import Refused, UplinkSecurity
from fsw.tables import CATALOG
from tools.ground.signer import Signer, new_key


def test_missing_housekeeping_is_counted_from_the_time_codes():
    hk = [SimpleNamespace(time=t) for t in (10.0, 11.0, 12.0, 14.0, 17.0, 18.0)]
    assert hk_gaps(hk) == 3  # 13, 15 and 16


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0 and percentile(values, 99) == 99.0
    assert percentile([7.0], 99) == 7.0 and percentile([], 50) == 0.0


def test_the_flood_is_garbage_bare_commands_and_wrong_key_commands_none_of_which_runs():
    key = new_key()
    garbage, bare, forged = flood_batches(Signer(key, lambda: 1))
    assert len(garbage) == len(bare) == len(forged) == CHUNK
    security = UplinkSecurity(key)
    for batch in (bare, forged):
        packets = Deframer(CATALOG.max_packet_size).feed(batch).packets
        assert len(packets) > 100
        for packet in packets:
            try:
                security.open(packet, 64)
            except Refused:
                continue
            raise AssertionError("a flood packet passed uplink security")
    bare_seqs = {CATALOG.decode(p).seq_count for p in Deframer().feed(bare).packets}
    assert 1 not in bare_seqs  # the signed DRIVE's reports are told apart by its seq 1
