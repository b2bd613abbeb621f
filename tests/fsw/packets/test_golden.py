"""Golden packets written byte by byte from CCSDS 133.0-B-2 and the issue, not by the code.

Each CRC below was computed once with binascii.crc_hqx(data, 0xFFFF), an implementation that is
not the one under test, and each test re-checks it that way too.
"""

import binascii

import pytest

from fsw.tables import CATALOG

GOLDEN = {
    # NOOP: TC (type 1), sec. header 1, APID 0x010 -> 0x1810; unsegmented, seq 0 -> 0xC000;
    # 9 bytes in all -> data length 2; code 0x00; CRC.
    "noop": "18 10  C0 00  00 02  00  1A 46",
    # PING token=0xDEADBEEF, seq 1023 -> 0xC3FF; 13 bytes -> data length 6; code 0x02.
    "ping": "18 10  C3 FF  00 06  02  DE AD BE EF  E3 7F",
    # CMD_VERIFY: TM (type 0), sec. header 1, APID 0x101 -> 0x0901; seq 42; 30 bytes -> 23;
    # CUC 256 s + 0x8000/65536 s; stage COMPLETED (5), cmd APID 0x0010, code 2, seq 16383,
    # reason OK (0), arg_index 0xFF, cmd_sn 0x0102030405060708.
    "verify": "09 01  C0 2A  00 17  00 00 01 00  80 00  05  00 10  02  3F FF  00  FF"
    "  01 02 03 04 05 06 07 08  3B 90",
    # EVENT PING_REPLY: APID 0x102, seq 7, 21 bytes -> 14; CUC 256.25 s; event id 2,
    # severity INFO (1), token 42.
    "event": "09 02  C0 07  00 0E  00 00 01 00  40 00  00 02  01  00 00 00 2A  2E 35",
    # HK: APID 0x100, seq 1, 103 bytes -> 96; CUC 86400 s; mode STANDBY (1), boot_count 3,
    # uptime 3600 s, cpu_load 42.0 (f32 0x42280000), cycle_overruns 0 (u32), accepted 5,
    # rejected 1, completed 4, failed 0, last APID 0x10, last code 2, last seq 4, last reject
    # UNKNOWN_CODE (7), events 6, uplink frames 5, bad CRC 0, bad frame 1, unknown APID 0,
    # 6 healthy wheels, degraded NO (0), uplink_auth AUTHENTICATED (1), downlink_auth
    # AUTHENTICATED (1); cycle lateness last 12.5 ms (0x41480000) and max 250 ms (0x437A0000),
    # 2 late cycles; uplink bytes 1000 and dropped 2^32 (u64), dropped in 1 read, 7 deferred
    # cycles, 2048 bytes waiting, 3 discard reports held back.
    "hk": "09 00  C0 01  00 60  00 01 51 80  00 00  01  00 03  00 00 0E 10  42 28 00 00"
    "  00 00 00 00  00 05  00 01  00 04  00 00  00 10  02  00 04  07  00 06  00 00 00 05"
    "  00 00  00 01  00 00  06  00  01  01  41 48 00 00  43 7A 00 00  00 00 00 02"
    "  00 00 00 00 00 00 03 E8  00 00 00 01 00 00 00 00  00 00 00 01  00 00 00 07"
    "  00 00 08 00  00 00 00 03  34 ED",
}


def golden(name: str) -> bytes:
    return bytes.fromhex(GOLDEN[name])


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_crc_agrees_with_binascii(name):
    data = golden(name)
    assert binascii.crc_hqx(data[:-2], 0xFFFF) == int.from_bytes(data[-2:], "big")


def test_noop_encodes_to_golden():
    assert CATALOG.encode_command("NOOP", {}, 0) == golden("noop")


def test_ping_encodes_to_golden_and_back():
    assert CATALOG.encode_command("PING", {"token": 0xDEADBEEF}, 1023) == golden("ping")
    packet = CATALOG.decode(golden("ping"))
    assert (packet.name, packet.seq_count, packet.values["token"]) == ("PING", 1023, 0xDEADBEEF)


def test_verification_report_golden():
    values = {
        "stage": "COMPLETED",
        "cmd_apid": 0x10,
        "cmd_code": 2,
        "cmd_seq": 16383,
        "reason": "OK",
        "arg_index": 0xFF,
        "cmd_sn": 0x0102030405060708,
    }
    assert CATALOG.encode_telemetry("CMD_VERIFY", values, 42, 256.5) == golden("verify")
    packet = CATALOG.decode(golden("verify"))
    assert packet.time == 256.5
    assert packet.shown()["stage"] == "COMPLETED"


def test_event_golden():
    assert CATALOG.encode_event("PING_REPLY", {"token": 42}, 7, 256.25) == golden("event")
    packet = CATALOG.decode(golden("event"))
    assert packet.text() == "PING reply, token 42"


def test_housekeeping_golden():
    values = {
        "mode": "STANDBY",
        "boot_count": 3,
        "uptime": 3600,
        "cpu_load": 42.0,
        "cycle_overruns": 0,
        "cmd_accepted": 5,
        "cmd_rejected": 1,
        "cmd_completed": 4,
        "cmd_failed": 0,
        "last_cmd_apid": 0x10,
        "last_cmd_code": 2,
        "last_cmd_seq": 4,
        "last_reject_reason": "UNKNOWN_CODE",
        "events_sent": 6,
        "uplink_frames": 5,
        "uplink_bad_crc": 0,
        "uplink_bad_frame": 1,
        "uplink_unknown_apid": 0,
        "healthy_wheels": 6,
        "degraded": "NO",
        "uplink_auth": "AUTHENTICATED",
        "downlink_auth": "AUTHENTICATED",
        "cycle_late_last": 12.5,
        "cycle_late_max": 250.0,
        "cycles_late": 2,
        "uplink_bytes": 1000,
        "uplink_dropped_bytes": 2**32,
        "uplink_dropped_chunks": 1,
        "uplink_deferred": 7,
        "uplink_waiting": 2048,
        "discards_unreported": 3,
    }
    assert CATALOG.encode_telemetry("HK", values, 1, 86400.0) == golden("hk")
    packet = CATALOG.decode(golden("hk"))
    assert packet.shown() == values
