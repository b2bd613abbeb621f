import construct as cs
import pytest

from fsw.packets.catalog import Catalog
from fsw.packets.crc import append_crc
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.schema import CommandDef, Field, TelemetryDef
from fsw.tables import CATALOG


def refused(packet: bytes):
    with pytest.raises(PacketError) as err:
        CATALOG.decode(packet)
    return err.value.reason, err.value.message


NOOP = CATALOG.encode_command("NOOP")
PING = CATALOG.encode_command("PING", {"token": 7}, 3)


def test_decode_uses_the_compiled_struct(monkeypatch):
    layout = CATALOG.layout(CATALOG.command("PING"))
    assert isinstance(layout.compiled, cs.Compiled)
    calls = []
    compiled_parse = layout.compiled.parse
    monkeypatch.setattr(
        layout.compiled, "parse", lambda data: calls.append(data) or compiled_parse(data)
    )
    monkeypatch.setattr(
        layout.struct, "parse", lambda data: pytest.fail("the uncompiled Struct was used")
    )
    assert CATALOG.decode(PING).values == {"token": 7}
    assert calls == [PING]


def test_bad_crc_names_both_values():
    bad = PING[:-1] + bytes([PING[-1] ^ 0xFF])
    reason, message = refused(bad)
    assert reason == Reason.BAD_CRC
    got = int.from_bytes(bad[-2:], "big")
    computed = int.from_bytes(PING[-2:], "big")
    assert message == f"CRC mismatch: got 0x{got:04X}, computed 0x{computed:04X}"


def test_too_short():
    assert refused(NOOP[:8])[0] == Reason.BAD_LENGTH


def test_length_field_disagrees():
    body = bytearray(PING[:-2])
    body[5] += 1
    reason, message = refused(append_crc(bytes(body)))
    assert reason == Reason.BAD_LENGTH and message == "length field says 14 bytes, packet has 13"


def test_wrong_size_for_the_command():
    # a PING with one byte of token missing but a consistent length field and CRC
    body = bytearray(PING[:-3])
    body[5] -= 1
    reason, message = refused(append_crc(bytes(body)))
    assert reason == Reason.BAD_LENGTH and message == "PING is 13 bytes, packet has 12"


def test_unknown_apid_and_code():
    body = bytearray(NOOP[:-2])
    body[1] = 0x55
    assert refused(append_crc(bytes(body))) == (Reason.UNKNOWN_APID, "no command APID 85 (0x055)")
    body = bytearray(NOOP[:-2])
    body[6] = 0x77
    assert refused(append_crc(bytes(body))) == (
        Reason.UNKNOWN_CODE,
        "no command code 119 under APID 16 (0x010)",
    )


def test_version_and_secondary_header_flag():
    body = bytearray(NOOP[:-2])
    body[0] |= 0x20
    assert refused(append_crc(bytes(body)))[0] == Reason.BAD_HEADER
    body = bytearray(NOOP[:-2])
    body[0] &= ~0x08
    assert refused(append_crc(bytes(body)))[0] == Reason.BAD_HEADER


def test_oversize():
    assert refused(b"\x18" * (CATALOG.max_packet_size + 1))[0] == Reason.OVERSIZE


def test_unknown_event_id():
    ev = bytearray(CATALOG.encode_event("PING_REPLY", {"token": 1}, 0, 1.0)[:-2])
    ev[13] = 0xEE
    assert refused(append_crc(bytes(ev)))[0] == Reason.UNKNOWN_CODE


def test_encode_refuses_values_that_do_not_fit():
    with pytest.raises(PacketError, match="does not fit in u16"):
        CATALOG.encode_telemetry(
            "CMD_VERIFY",
            {
                "stage": 1,
                "cmd_apid": 70000,
                "cmd_code": 0,
                "cmd_seq": 0,
                "reason": 0,
                "arg_index": 0,
                "cmd_sn": 0,
            },
            0,
            0.0,
        )
    with pytest.raises(PacketError, match="needs 'reason'"):
        CATALOG.encode_telemetry(
            "CMD_VERIFY",
            {"stage": 1, "cmd_apid": 7, "cmd_code": 0, "cmd_seq": 0, "arg_index": 0, "cmd_sn": 0},
            0,
            0.0,
        )
    with pytest.raises(PacketError, match="not a time since the epoch"):
        CATALOG.encode_event("COUNTERS_RESET", {}, 0, -1.0)


def test_unchecked_encoding_for_testing_flight_checks():
    cmd = CommandDef("SPEED", 0x20, 1, "x", (Field("v", "f32", max=1.0),))
    cat = Catalog([cmd], [], [], event_apid=0x102)
    with pytest.raises(PacketError, match="above the maximum"):
        cat.encode_command("SPEED", {"v": 2.0})
    assert cat.decode(cat.encode_command("SPEED", {"v": 2.0}, check=False)).values["v"] == 2.0


def test_clashing_rows_are_refused():
    a = CommandDef("A", 0x20, 1, "x")
    with pytest.raises(ValueError, match="clashes"):
        Catalog([a, CommandDef("B", 0x20, 1, "x")], [], [], event_apid=0x102)
    with pytest.raises(ValueError, match="event APID"):
        Catalog([], [TelemetryDef("T", 0x102, "x")], [], event_apid=0x102)
    with pytest.raises(ValueError, match="over the maximum packet size"):
        Catalog(
            [],
            [TelemetryDef("T", 0x103, "x", tuple(Field(f"f{i}", "f64") for i in range(10)))],
            [],
            event_apid=0x102,
            max_packet_size=64,
        )


def test_lookup_suggests_near_names():
    with pytest.raises(PacketError, match=r"no command 'PIGN' \(did you mean PING\?\)"):
        CATALOG.command("PIGN")
    assert CATALOG.command("ping").name == "PING"


def test_a_row_the_catalog_does_not_hold_gets_its_own_layout():
    args = (Field("v", "u8"),)
    mine = CommandDef("A", 0x20, 1, "x", args)
    cat = Catalog([mine], [], [], event_apid=0x102)
    equal = CommandDef("A", 0x20, 1, "x", args)
    assert cat.layout(equal) is cat.layout(mine)
    stranger = CommandDef("B", 0x30, 2, "x", args)  # same argument tuple, other APID
    assert cat.layout(stranger).packet_id == 0x1830
    assert cat.encode_command(stranger, {"v": 1})[:2] == b"\x18\x30"


def test_sequence_flags_other_than_unsegmented_are_refused():
    for flags in (0, 1, 2):
        body = bytearray(NOOP[:-2])
        body[2] = (body[2] & 0x3F) | (flags << 6)
        assert refused(append_crc(bytes(body))) == (
            Reason.BAD_HEADER,
            f"sequence flags {flags}, expected 3: every packet here is whole",
        )


def test_event_severity_on_the_wire_must_match_the_dictionary():
    ev = bytearray(CATALOG.encode_event("PING_REPLY", {"token": 1}, 0, 1.0)[:-2])
    ev[14] = 4
    assert refused(append_crc(bytes(ev))) == (
        Reason.BAD_HEADER,
        "event PING_REPLY is INFO in the dictionary, but the packet says severity 4 (CRITICAL)",
    )


def test_idle_packets_are_link_fill():
    idle = append_crc(bytes([0x07, 0xFF, 0xC0, 0x00, 0x00, 0x03, 0x55, 0x55]))
    assert refused(idle)[0] == Reason.IDLE_PACKET
