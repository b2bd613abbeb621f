"""The exports: CSV that says what the decoder says, raw packets other tools read, a real PNG."""

import csv
import logging
import struct
from datetime import UTC, datetime, timedelta

import ccsdspy
import ccsdspy.utils
import pytest

from fsw.packets.dictionary import export
from fsw.packets.timecode import utc_iso
from fsw.packets.types import shortest_f32
from fsw.tables import CATALOG
from tools import replay
from tools.ground.names import command_names, event_text
from tools.tlmlog import LogReader, RecordType


@pytest.fixture(scope="module")
def csv_dir(rock, tmp_path_factory):
    out = tmp_path_factory.mktemp("csv")
    written = replay.write_csv(rock, out)
    names = [p.name for p, _ in written]
    assert names == [*(f"{n}.csv" for n in rock.telemetry), "events.csv", "commands.csv"]
    return out


def read(path):
    with path.open(newline="") as f:
        return list(csv.reader(f))


def received_text(ns: int) -> str:
    when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=round(ns / 1000))
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_headers_name_every_column_with_its_unit(csv_dir):
    power = read(csv_dir / "POWER.csv")[0]
    assert power[:4] == ["time [s]", "utc", "received", "seq_count"]
    assert power[4:7] == ["battery_soc [%]", "battery_voltage [V]", "solar_power [W]"]
    hk = read(csv_dir / "HK.csv")[0]
    assert "mode" in hk and "uptime [s]" in hk and "cpu_load [%]" in hk
    assert "current_lf [A]" in read(csv_dir / "WHEELS.csv")[0]


@pytest.mark.parametrize("name", ["HK", "MOBILITY", "WHEELS", "POWER", "FDIR", "CMD_VERIFY"])
def test_rows_say_what_the_per_packet_decoder_says(rock_log, csv_dir, name):
    records = [r for r in LogReader(rock_log) if r.type == RecordType.DOWNLINK]
    decoded = [(r, CATALOG.decode(r.packet)) for r in records]
    mine = [(r, p) for r, p in decoded if p.name == name]
    rows = read(csv_dir / f"{name}.csv")
    assert len(rows) == len(mine) + 1
    header = rows[0]
    for i in sorted({0, 1, 2, len(mine) // 2, len(mine) - 1}):
        record, packet = mine[i]
        row = dict(zip(header, rows[i + 1], strict=True))
        assert float(row["time [s]"]) == packet.time
        assert row["utc"] == utc_iso(packet.time)
        assert row["received"] == received_text(record.received_ns)
        assert int(row["seq_count"]) == packet.seq_count
        for f in packet.fields:
            cell = row[f"{f.name} [{f.unit}]" if f.unit else f.name]
            shown = f.show(packet.values[f.name])
            if f.type == "f32":
                assert float(cell) == shortest_f32(packet.values[f.name]), f.name
            else:
                assert cell == str(shown), f.name


def test_events_csv_holds_each_event_with_its_text(rock_log, csv_dir):
    events = [CATALOG.decode(r.packet) for r in LogReader(rock_log)]
    events = [p for p in events if p.kind == "event"]
    rows = read(csv_dir / "events.csv")
    assert rows[0] == [
        "time [s]", "utc", "received", "seq_count", "name", "severity", "text", "args"
    ]  # fmt: skip
    assert [r[4] for r in rows[1:]] == [e.name for e in events]
    names = command_names(CATALOG.commands)  # the ground names what the rover numbers
    assert [r[6] for r in rows[1:]] == [event_text(e.definition, e.values, names) for e in events]
    assert "OBSTACLE tripped (rover): 0.25 beyond 0.2, response STOP" in [r[6] for r in rows]
    tripped = next(r for r in rows[1:] if r[4] == "MONITOR_TRIPPED")
    assert tripped[5] == "WARNING"
    assert tripped[7] == "monitor=OBSTACLE wheel=NONE value=0.25 threshold=0.2 response=STOP"
    assert tripped[1] == utc_iso(next(e.time for e in events if e.name == "MONITOR_TRIPPED"))


def test_commands_csv_holds_what_was_uplinked(rock_log, csv_dir):
    (sent,) = [r for r in LogReader(rock_log) if r.type == RecordType.UPLINK]
    rows = read(csv_dir / "commands.csv")
    assert rows == [
        ["received", "seq_count", "name", "apid", "code", "args"],
        [received_text(sent.received_ns), "0", "DRIVE", "17", "0",
         "distance=10 radius=0 speed=0.0447"],
    ]  # fmt: skip


def ccsdspy_fields(name: str) -> list:
    doc = export(CATALOG)
    entry = next(t for t in doc["telemetry"] if t["name"] == name)
    kinds = {"uint": "uint", "int": "int", "float": "float"}
    fields = [
        ccsdspy.PacketField(name="time_coarse", data_type="uint", bit_length=32),
        ccsdspy.PacketField(name="time_fine", data_type="uint", bit_length=16),
    ]
    for f in entry["fields"]:
        kind = kinds[doc["types"][f["type"]]["kind"]]
        fields.append(ccsdspy.PacketField(name=f["name"], data_type=kind, bit_length=8 * f["size"]))
    fields.append(ccsdspy.PacketField(name="crc", data_type="uint", bit_length=16))
    return fields


def test_ccsdspy_reads_the_housekeeping_back_from_the_raw_file(rock, tmp_path):
    logging.getLogger("ccsdspy").setLevel(logging.ERROR)
    raw = tmp_path / "down.bin"
    assert replay.write_raw(rock, raw) == (2411, 0)
    streams = ccsdspy.utils.split_by_apid(str(raw))
    hk = CATALOG.telemetry_packet("HK")
    hardware_only = {CATALOG.telemetry_packet(n).apid for n in ("HW_LINK", "RADIO")}  # in-process
    apids = {t.apid for t in CATALOG.telemetry} - hardware_only
    assert sorted(streams) == sorted(apids | {CATALOG.event_apid})
    theirs = ccsdspy.FixedLength(ccsdspy_fields("HK")).load(
        streams[hk.apid], include_primary_header=True
    )
    ours = rock.telemetry["HK"]
    assert theirs["CCSDS_SEQUENCE_COUNT"].tolist() == ours.seq_count.tolist()
    for f in hk.fields:
        assert theirs[f.name].tolist() == ours.column(f.name).tolist(), f.name


def test_raw_file_leaves_uplink_out_unless_asked(rock, tmp_path):
    down, both = tmp_path / "down.bin", tmp_path / "both.bin"
    replay.write_raw(rock, down)
    assert replay.write_raw(rock, both, uplink=True) == (2412, 0)
    command = CATALOG.encode_command("DRIVE", {"distance": 10.0, "radius": 0.0, "speed": 0.0447}, 0)
    assert command not in down.read_bytes() and command in both.read_bytes()


def test_the_plot_is_a_png_of_a_readable_size(rock, tmp_path):
    path = replay.plot(rock, tmp_path / "rock.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1600, 950)
    assert 40_000 < len(data) < 1_000_000
