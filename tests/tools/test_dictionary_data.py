"""A command's variable-length data through the dictionary: declared in the JSON only where a
command has it, encoded by an outside team's encoder from the JSON alone, and round-tripped by
the ground's loader."""

import json

import pytest

from fsw.packets.crc import append_crc
from fsw.tables import CATALOG
from fsw.tables.dictionary import flight_dictionary
from tests.tools import independent
from tools.dictdoc import render
from tools.dictionary import Dictionary, DictionaryError

DOC = json.loads(json.dumps(flight_dictionary()))
IMAGE = bytes(range(256)) * 3


def test_only_commands_with_data_declare_it():
    with_data = {c["name"]: c["data"] for c in DOC["commands"] if "data" in c}
    assert list(with_data) == ["SEQ_LOAD"]
    data = with_data["SEQ_LOAD"]
    assert (data["name"], data["offset"], data["min_size"], data["max_size"]) == (
        "image", 12, 0, 960,
    )  # fmt: skip


@pytest.mark.parametrize("size", [0, 1, 768, 960])
def test_the_loaded_dictionary_round_trips_data_of_any_allowed_length(size):
    d = Dictionary(json.loads(json.dumps(DOC)))
    data = (IMAGE * 2)[:size]
    packet = d.encode_command("SEQ_LOAD", {"slot": 4, "image_crc": 0xDEADBEEF}, 9, data=data)
    assert packet == CATALOG.encode_command(
        "SEQ_LOAD", {"slot": 4, "image_crc": 0xDEADBEEF}, 9, data=data
    )
    assert packet == independent.build_command(
        DOC, "SEQ_LOAD", {"slot": 4, "image_crc": 0xDEADBEEF}, 9, data
    )
    back = d.decode(packet)
    assert back.values == {"slot": 4, "image_crc": 0xDEADBEEF, "image": data}
    assert back.shown()["image"] == "0x" + data.hex()
    assert len(packet) == 14 + size


def test_data_over_the_maximum_or_on_a_command_without_it_is_refused():
    d = Dictionary(DOC)
    with pytest.raises(ValueError, match="961 bytes is over the maximum 960"):
        d.encode_command("SEQ_LOAD", {"slot": 1, "image_crc": 0}, 0, data=bytes(961))
    with pytest.raises(ValueError, match="NOOP carries no data"):
        d.encode_command("NOOP", {}, 0, data=b"\x01")
    over = CATALOG.encode_command("SEQ_LOAD", {"slot": 1, "image_crc": 0}, 0, data=bytes(960))
    longer = over[:4] + (len(over) + 1 - 7).to_bytes(2, "big") + over[6:-2] + b"\x00"
    with pytest.raises(ValueError, match="SEQ_LOAD is 14 to 974 bytes, packet has 975"):
        d.decode(append_crc(longer))


def test_a_tampered_data_offset_is_caught_when_loading():
    doc = json.loads(json.dumps(DOC))
    index = next(i for i, c in enumerate(doc["commands"]) if "data" in c)
    doc["commands"][index]["data"]["offset"] += 1
    with pytest.raises(DictionaryError, match=rf"commands\[{index}\]\.data\.offset"):
        Dictionary(doc)


def test_the_reference_documents_the_data():
    text = render(DOC)
    assert "code 0, 14 bytes and its data. Load a stored" in text
    assert "Then `image`: 0 to 960 bytes from offset 12 to the CRC" in text
