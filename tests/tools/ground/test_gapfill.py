"""The ground's live gap tracking: what is missing, filled by playback, across the wrap."""

from tools.ground.gapfill import GapTracker


def test_skipped_counts_are_missing_until_played_back():
    g = GapTracker()
    for seq in (0, 1, 4, 5, 9):
        g.saw(0x100, seq)
    assert g.ranges(0x100) == [(2, 3), (6, 8)] and g.missing() == 5
    g.saw(0x100, 7)  # played back
    g.saw(0x100, 7)  # and again: a duplicate, not a gap
    assert g.ranges(0x100) == [(2, 3), (6, 6), (8, 8)] and g.duplicates == 1
    for seq in (2, 3, 6, 8):
        g.saw(0x100, seq)
    assert g.ranges(0x100) == [] and g.apids() == []


def test_ranges_never_cross_the_wrap_and_come_oldest_first():
    g = GapTracker()
    g.saw(0x103, 16380)
    g.saw(0x103, 2)  # 16381, 16382, 16383, 0, 1 lost
    assert g.ranges(0x103) == [(16381, 16383), (0, 1)]
    assert g.missing(0x103) == 5 and g.missing(0x104) == 0


def test_apids_are_independent():
    g = GapTracker()
    g.saw(0x100, 0)
    g.saw(0x101, 10)
    g.saw(0x100, 2)
    g.saw(0x101, 11)
    assert g.apids() == [0x100] and g.ranges(0x101) == []


def test_missing_packets_are_bracketed_in_time_and_windows_merge():
    g = GapTracker()
    g.saw(0x100, 0, 10.0)
    g.saw(0x100, 2, 12.0)  # 1 lost between 10 and 12
    g.saw(0x103, 5, 11.0)
    g.saw(0x103, 7, 13.0)  # 6 lost between 11 and 13
    g.saw(0x100, 3, 100.0)
    g.saw(0x100, 5, 102.0)  # 4 lost between 100 and 102
    assert g.windows(merge=30) == [(10.0, 13.0), (100.0, 102.0)]
    assert g.windows(merge=100) == [(10.0, 102.0)]
    g.saw(0x100, 4, 101.0)
    assert g.windows(merge=30) == [(10.0, 13.0)]


def test_the_edges_bound_what_a_lost_first_or_last_packet_could_be():
    g = GapTracker()
    g.saw(0x100, 0, 10.0)
    g.saw(0x103, 1, 12.0)  # its count 0 may have been lost before 12
    g.saw(0x100, 1, 50.0)  # 0x103's packets after 12 may have been lost at the end
    assert g.edges() == (12.0, 12.0)
