"""Every command gets verification reports; every rejection reason, and a rejection changes
nothing."""

import pytest

from fsw.packets.crc import crc16
from fsw.packets.framing import frame
from fsw.tables import CATALOG
from fsw.tables.commands import ALLOWED_MODES, MODE_TRIGGERS
from fsw.tables.enums import NO_ARGUMENT, Hardware
from tests.fsw.support import Rover

OK = ("ACCEPTED", "OK", NO_ARGUMENT), ("STARTED", "OK", NO_ARGUMENT)


def test_a_good_command_is_accepted_started_and_completed():
    r = Rover()
    seq = r.send("PING", token=77)
    assert r.stages(seq) == [*OK, ("COMPLETED", "OK", NO_ARGUMENT)]
    assert r.texts()[-1] == "PING reply, token 77"


def test_a_drive_completes_only_when_it_arrives():
    r = Rover()
    seq = r.send("DRIVE", distance=1.0, radius=0.0, speed=0.04)
    r.run(5)
    assert r.stages(seq) == list(OK)
    r.run(40)
    assert r.stages(seq)[-1] == ("COMPLETED", "OK", NO_ARGUMENT)


def hand_made(code: int, body: bytes = b"", apid_word: int = 0x1811) -> bytes:
    packet = bytearray(apid_word.to_bytes(2, "big") + b"\xc0\x07" + b"\x00\x00" + bytes([code]))
    packet += body
    packet[4:6] = (len(packet) + 2 - 7).to_bytes(2, "big")
    return bytes(packet) + crc16(bytes(packet)).to_bytes(2, "big")


REJECTIONS = [
    # (how the command is sent, reason, argument index)
    (lambda r: r.send("DRIVE", False, distance=1.0, radius=0.0, speed=0.05), "OUT_OF_RANGE", 2),
    (lambda r: r.send("DRIVE", distance=0.0, radius=0.0, speed=0.04), "INVALID_VALUE", 0),
    (lambda r: r.send("DRIVE", distance=1.0, radius=0.4, speed=0.04), "OUT_OF_RANGE", 1),
    (lambda r: r.send("SET_MODE", False, mode=9), "INVALID_VALUE", 0),
    (lambda r: r.send("SAFE_RECOVER"), "NOT_ALLOWED_IN_MODE", NO_ARGUMENT),
    (lambda r: r.send("SET_MODE", mode="DRIVE"), "NOT_ALLOWED_IN_MODE", NO_ARGUMENT),
    (lambda r: r.send("WHEEL_RESTORE", wheel="LF"), "INVALID_VALUE", 0),
    (lambda r: r.send("WHEEL_ISOLATE", wheel="NONE"), "INVALID_VALUE", 0),
    (lambda r: r.send("SET_PARAM", param="TILT_LIMIT", value=60.0), "OUT_OF_RANGE", 1),
    (lambda r: r.send("SET_PARAM", param="TILT_PERSISTENCE", value=2.5), "INVALID_VALUE", 1),
    (lambda r: r.send("SET_HK_PERIOD", period=0.25), "INVALID_VALUE", 0),
    (lambda r: r.send("SIM_INJECT_FAULT", fault="WHEEL_STALL", wheel="NONE", value=0.0),
     "INVALID_VALUE", 1),
]  # fmt: skip


@pytest.mark.parametrize(("send", "reason", "index"), REJECTIONS)
def test_rejections_name_the_reason_and_argument_and_change_nothing(send, reason, index):
    r = Rover()
    r.run(2)
    before = r.last("HK")
    seq = send(r)
    r.run(1)
    assert r.stages(seq) == [("REJECTED", reason, index)]
    after = r.last("HK")
    assert after["cmd_rejected"] == before["cmd_rejected"] + 1
    assert after["last_reject_reason"] == reason
    assert (after["mode"], after["cmd_accepted"]) == (before["mode"], before["cmd_accepted"])
    assert r.last("MOBILITY")["motion"] == "IDLE"
    assert r.events("CMD_REJECTED")[-1].shown()["reason"] == reason


def test_unknown_code_and_wrong_length_are_rejected_by_reason():
    r = Rover()
    r.flight.receive(frame(hand_made(0x7F)))  # no code 0x7F under the mobility APID
    r.flight.receive(frame(hand_made(0x00, b"\x00" * 3)))  # DRIVE with 3 bytes of arguments
    assert [v[1] for v in r.stages(7)] == ["UNKNOWN_CODE", "BAD_LENGTH"]


def test_a_second_motion_while_driving_is_busy_and_the_first_goes_on():
    r = Rover()
    first = r.send("DRIVE", distance=2.0, radius=0.0, speed=0.04)
    r.run(3)
    second = r.send("TURN_IN_PLACE", angle=90.0)
    assert r.stages(second) == [("REJECTED", "BUSY", NO_ARGUMENT)]
    r.run(60)
    assert r.stages(first)[-1][0] == "COMPLETED"


def test_stop_ends_a_drive_as_failed_aborted():
    r = Rover()
    drive = r.send("DRIVE", distance=5.0, radius=0.0, speed=0.04)
    r.run(10)
    stop = r.send("STOP")
    assert r.stages(drive)[-1] == ("FAILED", "ABORTED", NO_ARGUMENT)
    assert r.stages(stop)[-1][0] == "COMPLETED"
    r.run(2)
    assert r.last("HK")["mode"] == "STANDBY"


def test_fault_injection_is_refused_on_real_hardware():
    class Board:  # a hardware port without fault injection, as a serial board would be
        name, faults, link = "board", None, None
        hardware = Hardware.SERIAL_BOARD

        def __init__(self):
            self.sim = Rover().sim

        def sense(self):
            return self.sim.sense()

        def actuate(self, command):
            self.sim.actuate(command)

    r = Rover(hardware=Board())
    seq = r.send("SIM_INJECT_FAULT", fault="WHEEL_STALL", wheel="LF", value=0.0)
    assert r.stages(seq) == [("REJECTED", "NOT_SUPPORTED", NO_ARGUMENT)]
    assert "SERIAL_BOARD" in r.texts()[0]


def test_counters_reset():
    r = Rover()
    r.send("NOOP")
    r.send("SAFE_RECOVER")
    r.send("RESET_COUNTERS")
    r.run(1)
    hk = r.last("HK")
    assert (hk["cmd_accepted"], hk["cmd_rejected"], hk["cmd_completed"]) == (0, 0, 1)


def test_every_command_has_a_handler_and_a_mode_rule():
    for c in CATALOG.commands:
        assert (c.name in ALLOWED_MODES) != (c.name in MODE_TRIGGERS), c.name
