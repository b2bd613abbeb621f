"""Round trips of every command, telemetry packet and event over their whole ranges (construct's
own habit): parse(build(x)) == x and build(parse(b)) == b, at the layout's fixed size."""

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsw.packets.crc import append_crc
from fsw.packets.schema import Field
from fsw.tables import CATALOG


def value_strategy(f: Field, ranged: bool) -> st.SearchStrategy:
    if f.enum is not None:
        return st.sampled_from([int(m) for m in f.enum])
    w = f.wire
    low = f.min if ranged and f.min is not None else w.lowest
    high = f.max if ranged and f.max is not None else w.highest
    if w.kind == "float":
        width = 32 if w.size == 4 else 64
        if width == 32:  # bounds an f32 cannot hold (0.1) move inwards to the nearest that it can
            low = float(np.nextafter(np.float32(low), np.float32(high)))
            high = float(np.nextafter(np.float32(high), np.float32(low)))
        floats = st.floats(low, high, width=width, allow_nan=False, allow_infinity=False)
        return floats.filter(lambda v: w.representable(v) <= w.representable(high))
    return st.integers(int(low), int(high))


def raw_field_bytes(f: Field) -> st.SearchStrategy:
    """Any bit pattern of the field except NaNs (which no float round trip can keep bit-exact)."""
    raw = st.binary(min_size=f.size, max_size=f.size)
    if f.wire.kind == "float":
        code = ">f" if f.size == 4 else ">d"
        raw = raw.filter(lambda b: not math.isnan(struct.unpack(code, b)[0]))
    return raw


seq_counts = st.integers(0, 16383)
times = st.builds(lambda c, f: c + f / 65536, st.integers(0, 2**32 - 1), st.integers(0, 0xFFFF))


@pytest.mark.parametrize("cmd", CATALOG.commands, ids=lambda c: c.name)
@settings(max_examples=200)
@given(data=st.data(), seq=seq_counts)
def test_command_parse_of_build(cmd, data, seq):
    args = {a.name: data.draw(value_strategy(a, ranged=True), label=a.name) for a in cmd.args}
    size = CATALOG.layout(cmd).size
    if cmd.data is not None:  # variable-length data: any bytes, any length it allows
        carried = data.draw(st.binary(min_size=cmd.data.min_size, max_size=cmd.data.max_size))
        args[cmd.data.name] = carried
        size += len(carried)
    packet = CATALOG.encode_command(cmd, args, seq)
    assert len(packet) == size
    back = CATALOG.decode(packet)
    assert (back.definition, back.seq_count, dict(back.values)) == (cmd, seq, args)


@pytest.mark.parametrize("cmd", CATALOG.commands, ids=lambda c: c.name)
@settings(max_examples=200)
@given(data=st.data(), seq=seq_counts)
def test_command_build_of_parse(cmd, data, seq):
    head = CATALOG.encode_command(
        cmd, {a.name: 0 if a.enum is None else int(next(iter(a.enum))) for a in cmd.args}, seq,
        check=False,
    )[:7]  # fmt: skip
    body = head + b"".join(data.draw(raw_field_bytes(a), label=a.name) for a in cmd.args)
    if cmd.data is not None:
        body += data.draw(st.binary(min_size=cmd.data.min_size, max_size=cmd.data.max_size))
        body = body[:4] + (len(body) + 2 - 7).to_bytes(2, "big") + body[6:]  # the length field
    packet = append_crc(body)
    back = CATALOG.decode(packet)
    assert CATALOG.encode_command(cmd, dict(back.values), back.seq_count, check=False) == packet


@pytest.mark.parametrize("tm", CATALOG.telemetry, ids=lambda t: t.name)
@settings(max_examples=200)
@given(data=st.data(), seq=seq_counts, time=times)
def test_telemetry_round_trips(tm, data, seq, time):
    values = {f.name: data.draw(value_strategy(f, ranged=False), label=f.name) for f in tm.fields}
    packet = CATALOG.encode_telemetry(tm, values, seq, time)
    assert len(packet) == CATALOG.layout(tm).size
    back = CATALOG.decode(packet)
    assert (back.definition, back.seq_count, back.time, dict(back.values)) == (
        tm,
        seq,
        time,
        values,
    )
    raw = packet[:12] + b"".join(
        data.draw(raw_field_bytes(f), label="raw " + f.name) for f in tm.fields
    )
    again = CATALOG.decode(append_crc(raw))
    assert CATALOG.encode_telemetry(tm, again.values, again.seq_count, again.time) == append_crc(
        raw
    )


@pytest.mark.parametrize("ev", CATALOG.events, ids=lambda e: e.name)
@settings(max_examples=100)
@given(data=st.data(), seq=seq_counts, time=times)
def test_event_round_trips(ev, data, seq, time):
    args = {f.name: data.draw(value_strategy(f, ranged=False), label=f.name) for f in ev.args}
    packet = CATALOG.encode_event(ev, args, seq, time)
    back = CATALOG.decode(packet)
    assert (back.definition, back.seq_count, back.time, dict(back.values)) == (ev, seq, time, args)
    assert isinstance(back.text(), str)
    raw = packet[:15] + b"".join(
        data.draw(raw_field_bytes(f), label="raw " + f.name) for f in ev.args
    )
    again = CATALOG.decode(append_crc(raw))
    assert CATALOG.encode_event(ev, again.values, again.seq_count, again.time) == append_crc(raw)
