"""An encoder and decoder written from the dictionary JSON and the CCSDS standard alone.

It imports nothing from this project: it is how an outside team would read our dictionary.
"""

import binascii
import struct

CODES = {
    "u8": "B",
    "u16": "H",
    "u32": "I",
    "u64": "Q",
    "i8": "b",
    "i16": "h",
    "i32": "i",
    "i64": "q",
    "f32": "f",
    "f64": "d",
}


def crc(doc: dict, data: bytes) -> int:
    c = doc["crc"]
    assert (c["poly"], c["init"], c["reflect_in"], c["xor_out"]) == (0x1021, 0xFFFF, False, 0)
    return binascii.crc_hqx(data, c["init"])  # CRC-CCITT with that poly, not reflected


def put(buf: bytearray, entry: dict, value) -> None:
    struct.pack_into(">" + CODES[entry["type"]], buf, entry["offset"], value)


def get(buf: bytes, entry: dict):
    return struct.unpack_from(">" + CODES[entry["type"]], buf, entry["offset"])[0]


def header_word(doc: dict, word: str, **fields) -> int:
    value = 0
    for bf in doc["packet"]["primary_header"]["bit_fields"]:
        if bf["word"] == word and bf["name"] in fields:
            value |= (fields[bf["name"]] & bf["mask"]) << bf["shift"]
    return value


def build_command(doc: dict, name: str, args: dict, seq: int, data: bytes = b"") -> bytes:
    cmd = next(c for c in doc["commands"] if c["name"] == name)
    if data:  # variable-length data: from its offset up to the CRC
        assert len(data) <= cmd["data"]["max_size"]
    buf = bytearray(cmd["size"] + len(data))
    words = {w["name"]: w for w in doc["packet"]["primary_header"]["words"]}
    put(
        buf,
        words["packet_id"],
        header_word(doc, "packet_id", version=0, type=1, secondary_header_flag=1, apid=cmd["apid"]),
    )
    put(
        buf,
        words["sequence_control"],
        header_word(doc, "sequence_control", sequence_flags=3, sequence_count=seq),
    )
    put(buf, words["data_length"], len(buf) - 7)
    for f in doc["packet"]["telecommand_secondary_header"]["fields"]:
        put(buf, f, cmd["code"])
    for a in cmd["arguments"]:
        value = args[a["name"]]
        if a["enum"]:
            value = doc["enums"][a["enum"]][
                value
            ]  # a member name; the members are the valid values
        else:
            assert a["min"] <= value <= a["max"]
        put(buf, a, value)
    if data:
        start = cmd["data"]["offset"]
        buf[start : start + len(data)] = data
    body = bytes(buf[:-2])
    return body + crc(doc, body).to_bytes(2, "big")


def parse_telemetry(doc: dict, packet: bytes) -> tuple[str, float, dict]:
    assert crc(doc, packet[:-2]) == int.from_bytes(packet[-2:], "big")
    words = {w["name"]: get(packet, w) for w in doc["packet"]["primary_header"]["words"]}
    bits = {
        b["name"]: (words[b["word"]] >> b["shift"]) & b["mask"]
        for b in doc["packet"]["primary_header"]["bit_fields"]
    }
    assert bits["version"] == 0 and bits["type"] == 0 and bits["secondary_header_flag"] == 1
    assert bits["sequence_flags"] == 3
    apid = bits["apid"]
    fields = {
        f["name"]: get(packet, f) for f in doc["packet"]["telemetry_secondary_header"]["fields"]
    }
    time = fields["time_coarse"] + fields["time_fine"] / doc["time_code"]["fine_per_second"]
    if apid == doc["events"]["apid"]:
        head = {f["name"]: get(packet, f) for f in doc["events"]["header_fields"]}
        ev = next(e for e in doc["events"]["definitions"] if e["id"] == head["event_id"])
        assert len(packet) == ev["size"]
        assert head["severity"] == doc["enums"]["Severity"][ev["severity"]]
        return ev["name"], time, {a["name"]: get(packet, a) for a in ev["arguments"]}
    tm = next(t for t in doc["telemetry"] if t["apid"] == apid)
    assert len(packet) == tm["size"] == int.from_bytes(packet[4:6], "big") + 7
    return tm["name"], time, {f["name"]: get(packet, f) for f in tm["fields"]}
