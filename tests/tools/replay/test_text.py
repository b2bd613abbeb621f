"""Columns as text: the same values the per-packet decoder shows, written fast."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fsw.packets.schema import Field
from fsw.packets.timecode import utc_iso
from fsw.packets.types import shortest_f32
from fsw.tables.enums import Mode
from tools.replay import text

F32 = Field("x", "f32", unit="m")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(width=32, allow_nan=False), min_size=1, max_size=600))
def test_f32_prints_at_its_shortest_whether_distinct_or_repeated(values):
    column = np.array(values, dtype=">f4")
    for repeated in (column, np.repeat(column[:5], 200)):
        out = text.field_text(repeated, F32)
        assert [float(t) for t in out] == [shortest_f32(float(v)) for v in repeated.tolist()]
        assert all(
            len(t) <= len(repr(shortest_f32(float(v)))) + 4
            for t, v in zip(out, repeated.tolist(), strict=True)
        )


def test_negative_zero_nan_and_infinity_survive_deduplication():
    column = np.array([0.0, -0.0] * 300 + [np.nan, np.inf, -np.inf], dtype=">f4")
    out = text.field_text(column, F32)
    assert out[:2] == ["0.0", "-0.0"] and out[-3:] == ["nan", "inf", "-inf"]
    assert out.count("-0.0") == 300


def test_enums_by_name_and_unknown_values_by_number():
    field = Field("mode", "u8", enum=Mode)
    column = np.array([1, 2, 2, 99] * 200, dtype=">u1")
    assert text.field_text(column, field)[:4] == ["STANDBY", "DRIVE", "DRIVE", "99"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 65535)), min_size=1))
def test_mission_times_exactly_and_utc_as_the_decoder_prints_it(codes):
    times = np.array([c + f / 65536 for c, f in codes])
    assert [float(t) for t in text.mission_time_text(times)] == times.tolist()
    assert text.utc_text(text.mission_us(times)) == [utc_iso(t) for t in times.tolist()]


def test_exact_mission_time_text():
    times = np.array([1000.0, 1000.5, 1182 + 5891 / 65536, 1 / 65536])
    assert text.mission_time_text(times) == [
        "1000.0",
        "1000.5",
        "1182.0898895263671875",
        "0.0000152587890625",
    ]


def test_receive_times_to_the_nearest_microsecond():
    ns = np.array([1_546_482_360_000_000_499, 1_546_482_360_000_000_500])
    assert text.utc_text(text.received_us(ns)) == [
        "2019-01-03T02:26:00.000000Z",
        "2019-01-03T02:26:00.000001Z",
    ]
