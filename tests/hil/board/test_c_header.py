"""The C header the Arduino firmware is built with says what the Python protocol says: field
offsets, widths and signs that read encode()'s bytes back, every enum, limit and model constant."""

import re
import shutil
import subprocess
import sys
from enum import Enum

import pytest

from hil.board import c_header, model, protocol
from hil.board.protocol import PAYLOADS, SIZES, MsgType, encode, frame_size


@pytest.fixture(scope="module")
def defines() -> dict[str, int]:
    text = c_header.render()
    found = re.findall(r"^#define (\w+) (0x[0-9A-F]+|-?\d+)\b", text, flags=re.M)
    return {name: int(value, 0) for name, value in found}


def sample_fields(kind: MsgType) -> dict:
    """Distinct values for every field of `kind`, negative where the field is signed."""
    fields, n = {}, 1
    for f in c_header.fields(kind):
        top = 1 << (8 * f.width - (2 if f.signed else 1))
        values = [(n + 37 * i) % top * (-1 if f.signed and i % 2 else 1) for i in range(f.count)]
        fields[f.name] = values if f.count > 1 else values[0]
        n += 11 * f.count
    return fields


@pytest.mark.parametrize("kind", list(MsgType), ids=lambda k: k.name)
def test_offsets_read_back_what_encode_wrote(kind, defines):
    values = sample_fields(kind)
    payload = encode(kind, **values)[1:-2]
    assert defines[f"{kind.name}_SIZE"] == SIZES[kind] == len(payload)
    assert defines[f"{kind.name}_FRAME_SIZE"] == frame_size(kind)
    assert defines[f"MSG_{kind.name}"] == kind
    for sub in PAYLOADS[kind].subcons:
        stem = f"{kind.name}_{sub.name.upper()}"
        offset, width = defines[f"{stem}_OFFSET"], defines[f"{stem}_WIDTH"]
        signed, count = bool(defines[f"{stem}_SIGNED"]), defines.get(f"{stem}_COUNT", 1)
        read = [
            int.from_bytes(payload[at : at + width], "big", signed=signed)
            for at in range(offset, offset + width * count, width)
        ]
        assert read == (values[sub.name] if count > 1 else [values[sub.name]]), stem


def test_status_encoders_sit_where_the_wire_puts_them(defines):
    assert defines["STATUS_ENCODERS_OFFSET"] == 12  # answers 2, uptime 4, four u8, rx_errors 2
    assert defines["STATUS_ENCODERS_COUNT"] == 6 and defines["STATUS_ENCODERS_WIDTH"] == 4
    assert defines["SETPOINT_DRIVE_SIGNED"] == 1 and defines["STATUS_CURRENTS_SIGNED"] == 0


@pytest.mark.parametrize("enum", c_header.ENUMS, ids=lambda e: e.__name__)
def test_every_enum_member_is_defined(enum: type[Enum], defines):
    prefix = c_header.enum_prefix(enum)
    for member in enum:
        assert defines[f"{prefix}_{member.name}"] == member.value


def test_limits_and_model_constants_are_defined(defines):
    assert defines["PROTOCOL_VERSION"] == protocol.PROTOCOL_VERSION
    assert (defines["WHEELS"], defines["CORNERS"]) == (protocol.WHEELS, protocol.CORNERS)
    assert defines["MAX_DRIVE"] == protocol.MAX_DRIVE
    assert defines["MAX_STEER"] == protocol.MAX_STEER
    assert defines["DEADMAN_MS"] == protocol.DEADMAN_MS
    assert defines["MAX_MESSAGE"] == protocol.MAX_MESSAGE
    for name in ("COUNTS_PER_REV", "MICRORAD_PER_REV", "DRIVE_ACCEL", "STEER_RATE"):
        assert defines[name] == getattr(model, name)
    assert defines["RUN_CURRENT"] == model.RUN_CURRENT
    assert defines["STALL_CURRENT"] == model.STALL_CURRENT
    version = tuple(defines[f"FIRMWARE_VERSION_{p}"] for p in ("MAJOR", "MINOR", "PATCH"))
    assert version == model.FIRMWARE_VERSION
    assert "ENCODER_COUNTS_PER_REV" not in defines  # imported by model, not its own
    assert "BOARD_KIND_ARDUINO_UNO" in defines


def test_the_command_writes_a_header_a_c_compiler_takes(tmp_path):
    out = tmp_path / "inc" / "board_protocol.h"
    subprocess.run([sys.executable, "-m", "hil.board.c_header", str(out)], check=True)
    text = out.read_text()
    assert text == c_header.render() and "do not edit" in text
    if not shutil.which("cc"):
        pytest.skip("no C compiler to check the header with")
    check = tmp_path / "check.c"
    check.write_text(
        '#include "board_protocol.h"\n#include "board_protocol.h"\n'
        '_Static_assert(STATUS_ENCODERS_OFFSET + 4 * WHEELS == STATUS_CURRENTS_OFFSET, "");\n'
        "int main(void) { return MSG_STATUS - 0x82; }\n"
    )
    subprocess.run(
        ["cc", "-fsyntax-only", "-Wall", "-Werror", f"-I{out.parent}", str(check)], check=True
    )
