"""The Arduino firmware as the flight computer sees it, on an emulated Uno at 115200 baud: boot,
greeting, setpoints, encoders, rejects, fault injection, the dead-man stop and the status stream;
its build fits an Uno, and the toolchain installer does only what is missing."""

import math
import os
import re
import statistics
import subprocess
import time
from itertools import pairwise
from pathlib import Path

import pytest

from fsw.packets.crc import crc16
from fsw.packets.framing import frame
from hil.board import model
from hil.board.endpoint import BoardEndpoint
from hil.board.protocol import (
    DEADMAN_MS,
    MAX_DRIVE,
    BoardFault,
    BoardKind,
    MsgType,
    RejectReason,
    StatusFlag,
    encode,
    encode_frame,
    frame_size,
)
from hil.board.stream import MessageStream
from hil.firmware.simavr import FIRMWARE_DIR

ROOT = Path(__file__).resolve().parents[3]
INSTALLER = ROOT / "hil" / "firmware" / "install-toolchain.sh"
LINE_BYTES_PER_S = 115200 / 10
COUNTS_PER_RAD = model.COUNTS_PER_REV / (2 * math.pi)
STEER = [100, -50, 0, 1571]

emulated = pytest.mark.hardware_emulation


def setpoint(board, seq, drive, steer=STEER, flags=1):
    """Send a SETPOINT; the STATUS that answers it."""
    board.send(MsgType.SETPOINT, seq=seq, flags=flags, drive=drive, steer=steer)
    status = board.expect(MsgType.STATUS)
    assert status["answers"] == seq
    return status


def hold(board, seq, drive, count, steer=STEER):
    """`count` setpoints 0.1 s apart from `seq` on, as a flight computer's 10 Hz loop sends
    them; the last STATUS. Answers more than DEADMAN_MS apart by the board's clock mean the
    board stopped the motors meanwhile, as it should: a host that stalled so long is named."""
    status = None
    for n in range(count):
        time.sleep(0.1)
        before, status = status, setpoint(board, seq + n, drive, steer)
        gap = 0 if before is None else status["uptime_ms"] - before["uptime_ms"]
        assert gap <= DEADMAN_MS, f"the host stalled {gap} ms, past DEADMAN_MS"
    return status


def steady(board, drive, seconds):
    """Setpoints at 10 Hz until every wheel has held its rate for `seconds` of board time; the
    STATUS at each end. The window opens 0.6 s after the last dead-man stop (every ramp done)
    and opens again after any: a busy host may stall past DEADMAN_MS, and the board then rightly
    stops; the motors are judged only where they were commanded throughout."""
    seq, status, first = 0, setpoint(board, 0, drive), None
    restart = status["uptime_ms"]
    give_up = time.monotonic() + 60
    while first is None or status["uptime_ms"] - first["uptime_ms"] < 1000 * seconds:
        assert time.monotonic() < give_up, "no steady window: the host stalls too often"
        time.sleep(0.1)
        seq, before = seq + 1, status
        status = setpoint(board, seq, drive)
        if status["uptime_ms"] - before["uptime_ms"] > DEADMAN_MS:
            restart, first = status["uptime_ms"], None
        elif first is None and status["uptime_ms"] - restart >= 600:
            first = status
    return first, status


def reject(board):
    message = board.expect(MsgType.REJECT)
    return message["type"], RejectReason(message["reason"])


# --- build ----------------------------------------------------------------------------------


@emulated  # needs the AVR toolchain, as the emulated tests do
def test_the_firmware_fits_an_uno(uno_elf):
    out = subprocess.run(
        ["make", "-s", "-C", str(FIRMWARE_DIR), "size"], capture_output=True, text=True, check=True
    ).stdout
    print(out)
    flash = int(re.search(r"flash: (\d+) bytes of 32768", out)[1])
    ram = int(re.search(r"ram: (\d+) bytes of 2048", out)[1])
    assert 1000 < flash <= 32768 - 512  # the Uno's bootloader takes the last 512 bytes
    assert 0 < ram <= 2048 - 512  # at least 512 bytes left for the stack
    assert (FIRMWARE_DIR / "build" / "rover_board.hex").read_text().startswith(":")


# --- boot and greeting ----------------------------------------------------------------------


@emulated
def test_boot_info_arrives_unasked(board):
    info = board.boot_info
    assert info["protocol"] == 1
    assert info["board"] == BoardKind.ARDUINO_UNO
    assert (info["fw_major"], info["fw_minor"], info["fw_patch"]) == model.FIRMWARE_VERSION
    assert (info["wheels"], info["corners"]) == (6, 4)
    assert info["counts_per_rev"] == model.COUNTS_PER_REV
    assert (info["deadman_ms"], info["max_drive"], info["max_steer"]) == (500, 2000, 1571)
    status = board.status()  # a HEARTBEAT is answered before any greeting
    assert status["flags"] == StatusFlag.POWERED | StatusFlag.SIMULATED
    assert status["encoders"] == [0] * 6 and status["answers"] == 0


@emulated
def test_hello_is_answered_by_info_and_greets(board):
    assert board.greet() == board.boot_info
    assert board.status()["flags"] & StatusFlag.GREETED


@emulated
def test_a_hello_of_another_version_is_rejected_then_answered_by_info(board):
    board.greet()
    board.send(MsgType.HELLO, protocol=2)
    assert reject(board) == (MsgType.HELLO, RejectReason.WRONG_VERSION)
    assert board.expect(MsgType.INFO)["protocol"] == 1
    assert not board.status()["flags"] & StatusFlag.GREETED
    board.send(MsgType.SETPOINT, seq=1, flags=1, drive=[0] * 6, steer=[0] * 4)
    assert reject(board) == (MsgType.SETPOINT, RejectReason.NOT_GREETED)


@emulated
def test_commands_before_hello_are_not_greeted(board):
    board.send(MsgType.SETPOINT, seq=1, flags=1, drive=[100] * 6, steer=[0] * 4)
    assert reject(board) == (MsgType.SETPOINT, RejectReason.NOT_GREETED)
    board.send(MsgType.STREAM, period_ms=10)
    assert reject(board) == (MsgType.STREAM, RejectReason.NOT_GREETED)
    board.send(MsgType.INJECT, fault=BoardFault.STALL, wheel=0)
    assert reject(board) == (MsgType.INJECT, RejectReason.NOT_GREETED)
    status = board.status()
    assert status["answers"] == 0 and status["rx_errors"] == 0  # well-formed: not rx errors
    assert status["currents"] == [0] * 6


# --- setpoints and the motors ---------------------------------------------------------------


@emulated
def test_a_setpoint_is_answered_by_status_with_its_seq(board):
    board.greet()
    status = setpoint(board, 4711, [600] * 6)
    assert status["flags"] == StatusFlag.POWERED | StatusFlag.SIMULATED | StatusFlag.GREETED
    status = setpoint(board, 4712, [600] * 6, flags=0)
    assert not status["flags"] & StatusFlag.POWERED


@emulated
def test_encoders_move_as_commanded(board):
    """Rates held for 2 s at 10 Hz, measured between the board's own uptimes once every ramp is
    done: 600 mrad/s for 2 s is 0.6 x 2 x 4096 / 2 pi = 782 counts. Within 2 counts: the
    encoder fraction not yet whole at either end (< 1 count each). The ramps themselves are
    checked to the count against the reference board below."""
    board.greet()
    drive = [600, 300, -600, 0, 1200, -MAX_DRIVE]
    first, last = steady(board, drive, 2.0)
    seconds = (last["uptime_ms"] - first["uptime_ms"]) / 1000
    moved = [b - a for a, b in zip(first["encoders"], last["encoders"], strict=True)]
    for wheel, rate in enumerate(drive):
        rad = rate / 1000 * seconds
        assert abs(moved[wheel] - rad * COUNTS_PER_RAD) <= 2, (wheel, moved, seconds)
    print(f"wheel LF: {moved[0]} counts in {seconds:.3f} s at 600 mrad/s")
    assert last["currents"] == [673, 673, 673, 0, 673, 673]
    assert last["steer"] == [100, -50, 0, 1571]


@emulated
def test_the_motors_agree_with_the_reference_model_to_the_count(board):
    """Every STATUS the firmware answers equals the reference board (hil.board.endpoint, with
    hil.board.motors) fed the same messages at the same board milliseconds: ramps, encoders,
    currents, steering, power, faults and the dead-man, which a pause in the plan trips (and
    which a busy host that stalls past DEADMAN_MS trips too: the reference follows either way)."""
    reference = BoardEndpoint(BoardKind.ARDUINO_UNO)
    reference.boot(0)
    hello = encode_frame(MsgType.HELLO, protocol=1)
    board.write(hello)
    info = board.expect(MsgType.INFO)
    reference.receive(hello, 0)  # the greeting moves nothing: its millisecond does not matter
    plan = [
        ("set", [600, 600, 600, 600, 600, 600], [300, -300, 300, -300], 1),
        ("set", [-400, 200, 0, 2000, -2000, 7], [-1000, 1000, 5, 0], 1),
        ("inject", BoardFault.STALL, 1),
        ("pause",),  # past DEADMAN_MS: the board stops the drive by itself
        ("inject", BoardFault.ENCODER_LOSS, 3),
        ("set", [300, 300, -300, 1999, -1, 0], [0, 0, 0, 0], 0),
        ("inject", BoardFault.OPEN_CIRCUIT, 0),
        ("set", [900, -900, 900, -900, 900, -900], [700, -700, 700, -700], 1),
        ("inject", BoardFault.CLEAR, 0),
        ("set", [1000] * 6, [0] * 4, 1),
    ]
    assert info == board.boot_info
    deadman_seen = False
    for seq, step in enumerate(plan * 2):
        if step[0] == "pause":
            time.sleep(DEADMAN_MS / 1000 + 0.1)
            continue
        time.sleep(0.07)
        if step[0] == "set":
            _, drive, steer, flags = step
            data = encode_frame(MsgType.SETPOINT, seq=seq, flags=flags, drive=drive, steer=steer)
        else:
            data = encode_frame(MsgType.INJECT, fault=step[1], wheel=step[2])
        board.write(data)
        status = board.expect(MsgType.STATUS)
        expected = decode_frames(reference.receive(data, status["uptime_ms"]))
        assert [m.type for m in expected] == [MsgType.STATUS], (seq, step)
        assert dict(status.fields) == dict(expected[0].fields), (seq, step)
        deadman_seen |= bool(status["flags"] & StatusFlag.DEADMAN)
    assert deadman_seen


def decode_frames(data: bytes) -> list:
    return MessageStream().feed(data).messages


@emulated
def test_an_out_of_range_setpoint_is_refused_and_nothing_applied(board):
    board.greet()
    setpoint(board, 1, [100] * 6)
    board.send(MsgType.SETPOINT, seq=2, flags=0, drive=[0, 0, MAX_DRIVE + 1, 0, 0, 0], steer=STEER)
    assert reject(board) == (MsgType.SETPOINT, RejectReason.BAD_VALUE)
    board.send(MsgType.SETPOINT, seq=3, flags=1, drive=[0] * 6, steer=[0, 0, 0, -1572])
    assert reject(board) == (MsgType.SETPOINT, RejectReason.BAD_VALUE)
    status = board.status()
    assert status["answers"] == 1 and status["flags"] & StatusFlag.POWERED
    assert status["currents"] == [673] * 6 and status["rx_errors"] == 0


@emulated
def test_bad_frames_are_rejected_with_their_reason_and_counted(board):
    board.greet()
    message = bytearray(encode(MsgType.SETPOINT, seq=9, flags=1, drive=[5] * 6, steer=[0] * 4))
    message[5] ^= 0x10  # one bit flipped on the line
    board.write(frame(bytes(message)))
    assert reject(board) == (0, RejectReason.BAD_CRC)
    assert board.status()["rx_errors"] == 1

    def with_crc(body: bytes) -> bytes:
        return frame(body + crc16(body).to_bytes(2, "big"))

    cases = [
        (with_crc(b"\x42\x00\x01"), (0x42, RejectReason.UNKNOWN_TYPE)),
        (with_crc(bytes([MsgType.REJECT, 1, 2])), (MsgType.REJECT, RejectReason.UNKNOWN_TYPE)),
        (with_crc(b"\x01\x01\x00"), (MsgType.HELLO, RejectReason.BAD_LENGTH)),
        (b"\x00\x05\x01\x02\x00", (0, RejectReason.BAD_FRAME)),
        (b"\x00" + b"\x55" * 100 + b"\x00", (0, RejectReason.BAD_LENGTH)),
    ]
    for data, expected in cases:
        board.write(b"\x00\x00" + data)  # empty frames are ignored
        assert reject(board) == expected
    status = board.status()
    assert status["rx_errors"] == 1 + len(cases)
    assert status["answers"] == 0  # the corrupted setpoint was not taken


@emulated
def test_an_injected_stall_locks_the_wheel_and_draws_stall_current(board):
    board.greet()
    drive = [600] * 6
    setpoint(board, 1, drive)
    hold(board, 2, drive, 3)  # 0.3 s: every ramp done, the dead-man fed
    board.send(MsgType.INJECT, fault=BoardFault.STALL, wheel=2)
    stalled = board.expect(MsgType.STATUS)
    assert stalled["stalled"] == 0b000100
    assert stalled["currents"] == [673, 673, 2800, 673, 673, 673]
    later = hold(board, 5, drive, 3)  # 0.3 s more
    assert later["encoders"][2] == stalled["encoders"][2]  # frozen
    seconds = (later["uptime_ms"] - stalled["uptime_ms"]) / 1000  # the board's own clock
    turned = 0.6 * seconds * COUNTS_PER_RAD
    assert abs(later["encoders"][0] - stalled["encoders"][0] - turned) <= 2, (seconds, turned)
    assert later["currents"][2] == 2800 and later["stalled"] == 0b000100
    board.send(MsgType.INJECT, fault=BoardFault.STALL, wheel=6)
    assert reject(board) == (MsgType.INJECT, RejectReason.BAD_VALUE)
    board.send(MsgType.INJECT, fault=9, wheel=0)
    assert reject(board) == (MsgType.INJECT, RejectReason.BAD_VALUE)
    board.send(MsgType.INJECT, fault=BoardFault.CLEAR, wheel=200)  # the wheel is ignored
    cleared = board.expect(MsgType.STATUS)
    assert cleared["stalled"] == 0 and cleared["currents"][2] == 0  # rate 0, ramping again
    assert hold(board, 8, drive, 2)["encoders"][2] > cleared["encoders"][2]


# --- dead-man and stream --------------------------------------------------------------------


@emulated
def test_the_deadman_stops_the_motors_when_setpoints_stop(board):
    """Setpoints at 10 Hz, then none: DEADMAN_MS later by the board's clock the drive targets are
    0 (steering kept), and the wheels stand still after the 150 ms ramp down from 600 mrad/s.
    Heartbeats watch it (they do not feed the dead-man); every STATUS is judged by its own
    uptime, so a busy host that watches less often loses no precision."""
    board.greet()
    setpoint(board, 0, [600] * 6)
    last = hold(board, 1, [600] * 6, 4)
    seen = []
    while not seen or seen[-1]["currents"] != [0] * 6:
        assert len(seen) < 500, "the motors never stopped"
        seen.append(board.status())
        time.sleep(0.02)
    stop_ms = DEADMAN_MS + 150  # the ramp from 600 mrad/s at 4 mrad/s per ms
    for status in seen:
        after = status["uptime_ms"] - last["uptime_ms"]
        flagged = bool(status["flags"] & StatusFlag.DEADMAN)
        turning = status["currents"] != [0] * 6
        assert flagged == (after >= DEADMAN_MS) or abs(after - DEADMAN_MS) <= 2, (after, status)
        assert turning == (after < stop_ms) or abs(after - stop_ms) <= 2, (after, status)
    stopped = seen[-1]
    flag = next(s for s in seen if s["flags"] & StatusFlag.DEADMAN)
    print(
        f"dead-man: flagged {flag['uptime_ms'] - last['uptime_ms']} ms, wheels still "
        f"{stopped['uptime_ms'] - last['uptime_ms']} ms after the last setpoint (board clock; "
        f"{len(seen)} statuses watched)"
    )
    assert stopped["flags"] & StatusFlag.DEADMAN
    assert stopped["steer"][:3] == STEER[:3]  # steering keeps its targets: the last corner
    turned = stopped["uptime_ms"] - last["uptime_ms"]  # the last corner still turns, 1 mrad/ms
    assert abs(stopped["steer"][3] - min(STEER[3], last["steer"][3] + turned)) <= 2
    assert setpoint(board, 9, [600] * 6)["flags"] & StatusFlag.DEADMAN == 0


@emulated
def test_stream_period_1_sends_statuses_at_line_rate(board):
    """Rates by the board's own clock (uptime_ms), so a busy host that reads late measures the
    board and not itself. A host that falls behind a line-rate stream loses bytes in the pty, as
    behind a real USB serial chip: each discarded frame must then sit in a gap of the uptimes."""
    board.greet()
    board.send(MsgType.STREAM, period_ms=100)
    board.quiet(0.05)
    slow: list[int] = []
    while len(slow) < 6:  # however long a busy host takes to read them
        slow += [m["uptime_ms"] for m in board.quiet(0.2)]
    assert all(99 <= b - a <= 101 for a, b in pairwise(slow)), slow  # one every 100 ms
    board.send(MsgType.STREAM, period_ms=1)
    board.quiet(0.3)
    lost_before = len(board.discarded)
    statuses = board.quiet(2.0)
    assert all(m.type == MsgType.STATUS for m in statuses)
    uptimes = [m["uptime_ms"] for m in statuses]
    assert uptimes == sorted(uptimes) and len(set(uptimes)) == len(uptimes)
    steps = [b - a for a, b in pairwise(uptimes)]
    typical = statistics.median(steps)
    kept = [step for step in steps if step <= 1.5 * typical]  # not across bytes the host lost
    rate = 1000 * len(kept) / sum(kept)
    line_rate = LINE_BYTES_PER_S / frame_size(MsgType.STATUS)
    print(f"stream: {rate:.1f} STATUS/s, {100 * rate / line_rate:.1f}% of the line rate")
    assert 0.85 * line_rate <= rate <= 1.03 * line_rate  # the Uno runs 115200 at +2.1%: 117647
    gaps = len(steps) - len(kept)
    assert len(board.discarded) - lost_before <= gaps, (board.discarded, gaps)
    board.send(MsgType.SETPOINT, seq=77, flags=1, drive=[100] * 6, steer=STEER)
    board.wait_for(lambda m: m["answers"] == 77, timeout=5.0)  # answered amid the stream
    board.send(MsgType.STREAM, period_ms=0)
    board.quiet(0.3)  # what was on its way
    assert board.quiet(0.3) == []


# --- the toolchain installer ----------------------------------------------------------------


def fake_tools(tmp_path: Path, installed: set[str], apt_fails: int) -> Path:
    """dpkg-query, apt-get and sudo stand-ins on PATH; apt-get's calls are logged."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {
        "dpkg-query": f'for p in {" ".join(installed) or "none"}; do [ "${{@: -1}}" = "$p" ] '
        "&& { printf installed; exit 0; }; done; exit 1",
        "apt-get": f'echo "$*" >> {tmp_path}/apt.log; n=$(wc -l < {tmp_path}/apt.log); '
        f'[ "$1" = update ] && exit 0; [ "$n" -gt {apt_fails} ]',
        "sudo": 'exec "$@"',
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/usr/bin/env bash\n{body}\n")
        path.chmod(0o755)
    return bin_dir


def install(tmp_path: Path, installed: set[str], apt_fails: int = 0):
    bin_dir = fake_tools(tmp_path, installed, apt_fails)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("ROVER_SKIP_TOOLCHAIN", None)
    out = subprocess.run(
        ["bash", str(INSTALLER)], capture_output=True, text=True, env=env, check=False
    )
    log = tmp_path / "apt.log"
    return out, log.read_text().splitlines() if log.exists() else []


PACKAGES = {"gcc-avr", "avr-libc", "binutils-avr", "arduino-core-avr", "avrdude", "simavr"}
PACKAGES |= {"libsimavr-dev", "libsimavrparts1"}


def test_the_installer_does_nothing_when_everything_is_there(tmp_path):
    out, apt = install(tmp_path, PACKAGES)
    assert out.returncode == 0 and apt == []
    assert "already installed" in out.stdout


def test_the_installer_installs_only_what_is_missing_updating_lists_if_needed(tmp_path):
    out, apt = install(tmp_path, PACKAGES - {"simavr", "gcc-avr"}, apt_fails=1)
    assert out.returncode == 0, out.stderr
    wanted = "install -y --no-install-recommends gcc-avr simavr"
    assert apt == [wanted, "update", wanted]
    assert "installed gcc-avr simavr" in out.stdout


def test_the_installer_installs_avrdude_for_make_flash(tmp_path):
    out, apt = install(tmp_path, PACKAGES - {"avrdude"})
    assert out.returncode == 0, out.stderr
    assert apt == ["install -y --no-install-recommends avrdude"]


def test_make_flash_without_avrdude_says_how_to_get_it(tmp_path):
    out = subprocess.run(
        ["make", "-C", str(INSTALLER.parent / "arduino"), "flash", "AVRDUDE=avrdude-not-here",
         f"BUILD={tmp_path}/build"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.returncode != 0
    assert (
        "make flash needs avrdude, which is not installed: run bash "
        "hil/firmware/install-toolchain.sh (or: sudo apt-get install avrdude)"
    ) in out.stderr
    assert not (tmp_path / "build").exists()  # said before building anything


def test_the_installer_fails_clearly_when_it_cannot_install(tmp_path):
    out, apt = install(tmp_path, PACKAGES - {"libsimavr-dev"}, apt_fails=99)
    assert out.returncode == 1
    assert apt[-2:] == ["update", "install -y --no-install-recommends libsimavr-dev"]
    assert "apt-get install libsimavr-dev failed" in out.stderr
    assert "sudo apt-get install gcc-avr" in out.stderr
