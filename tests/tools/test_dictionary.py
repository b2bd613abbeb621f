import json
import math
from enum import IntEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsw.packets import ccsds
from fsw.packets.catalog import Catalog
from fsw.packets.dictionary import export
from fsw.packets.headers import TM_SECONDARY
from fsw.packets.schema import CommandDef, Field
from fsw.packets.types import TYPES
from fsw.tables import CATALOG
from fsw.tables.dictionary import flight_dictionary
from tests.tools import independent
from tools.dictionary import Dictionary, DictionaryError

DOC = json.loads(json.dumps(flight_dictionary()))


def sample_args(cmd_entry: dict, which: str) -> dict:
    out = {}
    for a in cmd_entry["arguments"]:
        if a["enum"]:
            members = list(DOC["enums"][a["enum"]])
            out[a["name"]] = members[0] if which == "min" else members[-1]
        elif which in ("min", "max"):
            out[a["name"]] = a[which]
        else:
            out[a["name"]] = (
                (a["min"] + a["max"]) // 2
                if TYPES[a["type"]].kind != "float"
                else (a["min"] + a["max"]) / 2
            )
    return out


@pytest.mark.parametrize("which", ["min", "mid", "max"])
@pytest.mark.parametrize("entry", DOC["commands"], ids=lambda c: c["name"])
def test_independent_encoder_builds_the_same_bytes(entry, which):
    args = sample_args(entry, which)
    assert independent.build_command(DOC, entry["name"], args, 77) == CATALOG.encode_command(
        entry["name"], args, 77
    )


@pytest.mark.parametrize("entry", DOC["telemetry"], ids=lambda t: t["name"])
def test_independent_decoder_reads_our_telemetry(entry):
    tm = CATALOG.telemetry_packet(entry["name"])
    values = {
        f.name: (int(next(reversed(list(f.enum)))) if f.enum else i + 1)
        for i, f in enumerate(tm.fields)
    }
    packet = CATALOG.encode_telemetry(tm, values, 3, 1234.75)
    name, time, got = independent.parse_telemetry(DOC, packet)
    assert (name, time, got) == (entry["name"], 1234.75, values)


@pytest.mark.parametrize("entry", DOC["events"]["definitions"], ids=lambda e: e["name"])
def test_independent_decoder_reads_our_events(entry):
    ev = CATALOG.event(entry["name"])
    args = {f.name: (int(next(iter(f.enum))) if f.enum else 7) for f in ev.args}
    name, time, got = independent.parse_telemetry(DOC, CATALOG.encode_event(ev, args, 1, 99.5))
    assert (name, time, got) == (entry["name"], 99.5, args)


def test_dictionary_holds_what_the_issue_lists():
    assert DOC["schema_version"] == 1
    assert DOC["crc"]["check"] == 0x29B1 and DOC["crc"]["crcmod_name"] == "crc-ccitt-false"
    assert DOC["framing"]["name"] == "COBS" and DOC["framing"]["delimiter"] == 0
    assert DOC["time_code"]["epoch"] == "2019-01-03T02:26:00Z"
    assert set(DOC["types"]) == {"u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "f32", "f64"}
    ping = next(c for c in DOC["commands"] if c["name"] == "PING")
    assert ping["arguments"][0] | {"description": ""} == {
        "name": "token",
        "type": "u32",
        "offset": 7,
        "size": 4,
        "unit": "",
        "description": "",
        "enum": None,
        "min": 0,
        "max": 4294967295,
        "range_declared": False,
    }
    hk = next(t for t in DOC["telemetry"] if t["name"] == "HK")
    cpu = next(f for f in hk["fields"] if f["name"] == "cpu_load")
    assert cpu["limits"] == {"yellow_high": 80.0, "red_high": 95.0} and cpu["unit"] == "%"
    assert hk["fields"][0]["offset"] == 12
    assert DOC["enums"]["Mode"]["SAFE"] == 4


def test_every_row_of_the_tables_is_in_the_dictionary():
    assert [c["name"] for c in DOC["commands"]] == [c.name for c in CATALOG.commands]
    assert [t["name"] for t in DOC["telemetry"]] == [t.name for t in CATALOG.telemetry]
    assert [e["name"] for e in DOC["events"]["definitions"]] == [e.name for e in CATALOG.events]


def test_loaded_dictionary_exports_back_to_the_same_json():
    loaded = Dictionary(json.loads(json.dumps(DOC)))
    extra = ("parameters", "monitors", "modes", "downlink_authentication")  # ride along unchanged
    assert export(loaded.catalog) == {k: v for k, v in DOC.items() if k not in extra}
    assert [
        loaded.parameters,
        loaded.monitors,
        loaded.modes,
        loaded.downlink_authentication,
    ] == [DOC[k] for k in extra]


def test_ground_and_flight_build_identical_packets():
    ground = Dictionary.from_flight()
    for c in CATALOG.commands:
        args = {a.name: (a.min or 1) if a.enum is None else next(iter(a.enum)).name for a in c.args}
        assert ground.encode_command(c.name, args, 5) == CATALOG.encode_command(c, args, 5)


def test_load_from_file(tmp_path):
    path = tmp_path / "dictionary.json"
    path.write_text(json.dumps(DOC))
    d = Dictionary.load(path)
    assert d.command("PING").args[0].name == "token"
    assert d.fingerprint == Dictionary.from_flight().fingerprint
    assert len(d.fingerprint) == 8


def edited(change) -> dict:
    doc = json.loads(json.dumps(DOC))
    change(doc)
    return doc


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=9), "schema version 9; this ground reads version 1"),
        (lambda d: d["crc"].update(init=0), "crc.init: is 0, but this ground speaks 65535"),
        (
            lambda d: d["commands"][2]["arguments"][0].update(offset=8),
            "commands[2].arguments[0].offset: is 8",
        ),
        (
            lambda d: d["telemetry"][0]["fields"][0].update(type="u12"),
            "telemetry[0] (HK): fields[0]: field mode: unknown type 'u12'",
        ),
        (lambda d: d["telemetry"][0]["fields"][0].update(enum="Nope"), "unknown enum 'Nope'"),
        (lambda d: d["commands"].append(dict(d["commands"][0], name="NOOP2")), "clashes"),
        (lambda d: d.pop("commands"), "not a usable dictionary"),
    ],
)
def test_broken_dictionaries_say_where_and_why(change, message):
    with pytest.raises(DictionaryError, match=r"^dictionary: ") as err:
        Dictionary(edited(change))
    assert message in str(err.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(DictionaryError, match="cannot read"):
        Dictionary.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DictionaryError, match="not JSON"):
        Dictionary.load(tmp_path / "bad.json")


def test_float_ranges_survive_json():
    for c in DOC["commands"]:
        for a in c["arguments"]:
            if a["enum"] is None:
                assert math.isfinite(a["min"]) and math.isfinite(a["max"])


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70000),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.just([]),
    st.just({}),
    st.just([1]),
)


def paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, (*prefix, i))


ALL_PATHS = [p for p in paths(DOC) if p]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALL_PATHS), JSON_VALUES, st.booleans())
def test_any_mutation_loads_or_is_refused_with_a_dictionary_error(path, value, delete):
    doc = json.loads(json.dumps(DOC))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    try:
        Dictionary(doc)
    except DictionaryError as err:
        assert str(err).startswith("dictionary: ")


def test_enum_arguments_list_members_not_a_numeric_range():
    class Wheel(IntEnum):
        LF = 0
        RR = 5

    cat = Catalog(
        [CommandDef("ISOLATE", 0x20, 1, "x", (Field("wheel", "u8", enum=Wheel),))], [], [], 0x102
    )
    doc = json.loads(json.dumps(export(cat)))
    arg = doc["commands"][0]["arguments"][0]
    assert (arg["enum"], arg["min"], arg["max"]) == ("Wheel", None, None)
    assert doc["enums"]["Wheel"] == {"LF": 0, "RR": 5}
    assert independent.build_command(doc, "ISOLATE", {"wheel": "RR"}, 3) == cat.encode_command(
        "ISOLATE", {"wheel": "RR"}, 3
    )
    assert export(Dictionary(doc).catalog) == doc


def test_dictionary_header_layout_comes_from_the_definitions():
    bits = {b["name"]: b for b in DOC["packet"]["primary_header"]["bit_fields"]}
    assert [b.name for b in ccsds.BIT_FIELDS] == list(bits)
    assert (bits["apid"]["mask"], bits["type"]["shift"]) == (0x7FF, 12)
    tm = DOC["packet"]["telemetry_secondary_header"]["fields"]
    assert [f["name"] for f in tm] == [sc.name for sc in TM_SECONDARY]
    assert [f["offset"] for f in tm] == [6, 10]
