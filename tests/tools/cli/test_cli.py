"""The `rover` command as a user runs it: help texts, exit codes, one-line errors, no tracebacks."""

import json
import subprocess
import sys

import pytest
from cobs import cobs

from fsw.packets import secure
from fsw.packets.crc import append_crc
from fsw.packets.framing import frame
from fsw.tables import CATALOG
from tools.cli import SUBCOMMANDS, main
from tools.dictionary import Dictionary
from tools.tlmlog import LogWriter, RecordType


def rover(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools", *args],
        check=False,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_lists_every_subcommand():
    out = rover("--help")
    assert out.returncode == 0
    for name in SUBCOMMANDS:
        assert name in out.stdout


@pytest.mark.parametrize("sub", ["dict", "encode", "decode"])
def test_every_subcommand_explains_itself(sub, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([sub, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert f"usage: rover {sub}" in text and len(text) > 300


def test_dict_prints_json_and_writes_a_file(tmp_path, capsys):
    assert main(["dict"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {c["name"] for c in doc["commands"]} >= {"NOOP", "PING", "RESET_COUNTERS"}
    out = tmp_path / "d.json"
    assert main(["dict", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == doc


def test_encode_prints_hex(capsys):
    assert main(["encode", "PING", "token=0xDEADBEEF", "--seq", "1023"]) == 0
    assert capsys.readouterr().out.strip() == "1810c3ff000602deadbeefe37f"


def test_encode_framed(capsys):
    assert main(["encode", "NOOP", "--framed"]) == 0
    assert bytes.fromhex(capsys.readouterr().out.strip()) == frame(CATALOG.encode_command("NOOP"))


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["PING", "token=-1"], "rover encode: PING token: -1 is below the minimum 0"),
        (["PING"], "rover encode: PING needs argument 'token'"),
        (["PING", "token=1", "token=2"], "rover encode: argument 'token' given twice"),
        (["PING", "token"], "rover encode: 'token' is not NAME=VALUE"),
        (["PING", "token=abc"], "rover encode: PING token: 'abc' is not a number"),
        (["PIGN"], "rover encode: no command 'PIGN' (did you mean PING?)"),
        (["NOOP", "--seq", "16384"], "rover encode: sequence count 16384 is outside 0..16383"),
        (
            ["NOOP", "--dict", "/nonexistent.json"],
            "rover encode: /nonexistent.json: cannot read (No such file or directory)",
        ),
    ],
)
def test_encode_mistakes_get_one_line_and_status_2(args, reason, capsys):
    assert main(["encode", *args]) == 2
    err = capsys.readouterr().err
    assert err.strip() == reason


def test_decode_of_a_corrupted_packet_exits_2_with_a_reason_and_no_traceback():
    good = CATALOG.encode_command("PING", {"token": 7}, 1).hex()
    bad = good[:-4] + "0000"
    out = rover("decode", bad)
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.strip().splitlines() == [
        f"rover decode: CRC mismatch: got 0x0000, computed 0x{good[-4:].upper()}"
    ]
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("zz", "not hex: 'z' is not a hex digit"),
        ("abc", "not hex: an odd number of hex digits"),
        ("1810", "2 bytes is shorter than the smallest packet (9 bytes)"),
    ],
)
def test_decode_bad_input(text, reason, capsys):
    assert main(["decode", text]) == 2
    assert capsys.readouterr().err.strip() == f"rover decode: {reason}"


def test_decode_names_every_field(capsys):
    hk = CATALOG.telemetry_packet("HK")
    values = {f.name: 0 for f in hk.fields} | {"mode": 4, "cpu_load": 0.0447}
    packet = CATALOG.encode_telemetry(hk, values, 12, 86400.5)
    assert main(["decode", packet.hex(" ")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["name"] == "HK" and out["seq_count"] == 12 and out["time"] == 86400.5
    assert out["utc"] == "2019-01-04T02:26:00.500000Z"
    assert out["fields"]["mode"] == "SAFE"
    assert out["fields"]["cpu_load"] == 0.0447  # f32 shown at its shortest
    assert set(out["fields"]) == {f.name for f in hk.fields}


def test_decode_event_has_text(capsys):
    assert main(["decode", CATALOG.encode_event("PING_REPLY", {"token": 5}, 0, 1.0).hex()]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (
        out["kind"] == "event"
        and out["text"] == "PING reply, token 5"
        and out["severity"] == "INFO"
    )


def test_decode_opens_a_telemetry_envelope_and_says_its_mac_was_not_judged(capsys):
    event = CATALOG.encode_event("PING_REPLY", {"token": 5}, 0, 1.0)
    envelope = secure.seal(event, bytes(32), 9, 1234, telemetry=True)
    assert main(["decode", frame(envelope).hex()]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"] == "PING reply, token 5"
    assert out["sealed"] == {"spi": 9, "sn": 1234, "verified": False}


def test_encode_piped_into_decode():
    encoded = rover("encode", "PING", "token=7")
    out = rover("decode", "-", stdin=encoded.stdout)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["args"] == {"token": 7}


def test_decode_cobs_stream_file_reports_bad_frames_and_keeps_good_ones(tmp_path, capsys):
    noop, ping = CATALOG.encode_command("NOOP"), CATALOG.encode_command("PING", {"token": 1})
    bad = ping[:-1] + b"\x01"
    path = tmp_path / "capture.bin"
    path.write_bytes(frame(noop) + frame(bad) + b"\x05\x01" + frame(ping))
    assert main(["decode", "--file", str(path)]) == 2
    captured = capsys.readouterr()
    assert [json.loads(line)["name"] for line in captured.out.splitlines()] == ["NOOP", "PING"]
    errors = captured.err.strip().splitlines()
    assert len(errors) == 2 and "CRC mismatch" in errors[0] and "bad COBS encoding" in errors[1]


def test_decode_raw_file(tmp_path, capsys):
    items = [CATALOG.encode_command("NOOP", {}, i) for i in range(3)]
    path = tmp_path / "raw.bin"
    path.write_bytes(b"".join(items) + items[0][:4])
    assert main(["decode", "--file", str(path)]) == 2
    captured = capsys.readouterr()
    assert [json.loads(x)["seq_count"] for x in captured.out.splitlines()] == [0, 1, 2]
    assert captured.err.strip() == "rover decode: byte 27: 4 bytes left that are not a whole packet"


def test_decode_telemetry_log_with_torn_tail(tmp_path, capsys):
    path = tmp_path / "run.tlm"
    with LogWriter(path, Dictionary.from_flight().fingerprint) as w:
        w.write(CATALOG.encode_event("COUNTERS_RESET", {}, 0, 10.0), 1_700_000_000_000_000_000)
        w.write(CATALOG.encode_command("NOOP"), 1_700_000_000_500_000_000, RecordType.UPLINK)
    path.write_bytes(path.read_bytes() + b"\xeb\x90\x01")
    assert main(["decode", "--file", str(path)]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(x) for x in captured.out.splitlines()]
    assert [(x["name"], x["direction"]) for x in lines] == [
        ("COUNTERS_RESET", "downlink"),
        ("NOOP", "uplink"),
    ]
    assert lines[0]["received"] == "2023-11-14T22:13:20.000000Z"
    assert "torn last record (3 bytes)" in captured.err


def test_decode_needs_input(capsys):
    assert main(["decode"]) == 2
    assert "give packet hex or --file F" in capsys.readouterr().err


def test_a_reader_that_stops_early_gets_no_error_text(tmp_path):
    path = tmp_path / "many.bin"
    path.write_bytes(b"".join(CATALOG.encode_command("NOOP", {}, i) for i in range(3000)))
    script = f"{sys.executable} -m tools decode --file {path} | head -1"
    out = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert json.loads(out.stdout)["name"] == "NOOP"
    assert out.stderr == ""


def test_decode_of_an_empty_file_says_so(tmp_path, capsys):
    path = tmp_path / "empty.bin"
    path.write_bytes(b"")
    assert main(["decode", "--file", str(path)]) == 2
    assert capsys.readouterr().err.strip() == f"rover decode: {path} is empty: no packets to decode"


def test_several_packets_in_hex_are_decoded_one_by_one():
    two = (
        rover("encode", "PING", "token=7", "--seq", "1").stdout
        + rover("encode", "NOOP", "--seq", "2").stdout
    )
    out = rover("decode", "-", stdin=two)
    assert out.returncode == 0, out.stderr
    assert [json.loads(x)["name"] for x in out.stdout.splitlines()] == ["PING", "NOOP"]
    args = two.split()
    out = rover("decode", *args)
    assert [json.loads(x)["seq_count"] for x in out.stdout.splitlines()] == [1, 2]


def test_spaced_hex_of_one_packet_is_still_one_packet(capsys):
    spaced = " ".join(f"{b:02x}" for b in CATALOG.encode_command("PING", {"token": 3}))
    assert main(["decode", *spaced.split()]) == 0
    assert json.loads(capsys.readouterr().out)["args"] == {"token": 3}


def test_hex_with_no_packet_in_it(capsys):
    assert main(["decode", "00"]) == 2
    assert capsys.readouterr().err.strip() == "rover decode: no packets in the input"


def test_cobs_capture_with_trailing_delimiters_only_is_recognised(tmp_path, capsys):
    items = [CATALOG.encode_command("NOOP", {}, i) for i in range(3)]
    path = tmp_path / "other-tool.bin"
    path.write_bytes(b"".join(cobs.encode(p) + b"\x00" for p in items))
    assert main(["decode", "--file", str(path)]) == 0
    assert [json.loads(x)["seq_count"] for x in capsys.readouterr().out.splitlines()] == [0, 1, 2]


def test_idle_packets_are_skipped_with_a_note(capsys):
    idle = append_crc(bytes([0x07, 0xFF, 0xC0, 0x00, 0x00, 0x03, 0x55, 0x55]))
    stream = frame(idle) + frame(CATALOG.encode_command("NOOP"))
    assert main(["decode", stream.hex()]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["name"] == "NOOP"
    assert captured.err.strip() == "rover decode: note: skipped 1 idle packets (link fill)"


def test_a_log_with_no_records_is_not_an_error(tmp_path, capsys):
    path = tmp_path / "empty.tlm"
    LogWriter(path, Dictionary.from_flight().fingerprint).close()
    assert main(["decode", "--file", str(path)]) == 0
    assert "holds no records" in capsys.readouterr().err


def test_a_dictionary_of_the_wrong_shape_is_one_line_not_a_traceback(tmp_path):
    doc = json.loads(rover("dict").stdout)
    doc["commands"][2]["arguments"][0] = "token"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    out = rover("encode", "PING", "token=1", "--dict", str(path))
    assert out.returncode == 2
    assert (
        out.stderr.strip()
        == f"rover encode: {path}: commands[2] (PING): arguments[0]: not a JSON object"
    )


IDLE = append_crc(bytes([0x07, 0xFF, 0xC0, 0x00, 0x00, 0x03, 0x55, 0x55]))
BAD_CRC_PING = CATALOG.encode_command("PING", {"token": 1})[:-1] + b"\x00"


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("idle first", cobs.encode(IDLE) + b"\x00"),
        ("mid-frame start", b"\x05\x01\x02\x00"),  # the tail of a frame, then its delimiter
        ("bad first frame", cobs.encode(BAD_CRC_PING) + b"\x00"),
    ],
)
def test_captures_from_other_tools_are_recognised_as_cobs(tmp_path, capsys, name, first):
    items = [CATALOG.encode_command("NOOP", {}, i) for i in range(3)]
    path = tmp_path / "capture.bin"
    path.write_bytes(first + b"".join(cobs.encode(p) + b"\x00" for p in items))
    main(["decode", "--file", str(path)])
    assert [json.loads(x)["seq_count"] for x in capsys.readouterr().out.splitlines()] == [
        0,
        1,
        2,
    ], name


def test_one_good_packet_then_leftover_bytes_prints_the_packet(capsys):
    ping, noop = CATALOG.encode_command("PING", {"token": 7}, 1), CATALOG.encode_command("NOOP")
    assert main(["decode", (ping + noop[:5]).hex()]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["name"] == "PING"
    assert captured.err.strip() == "rover decode: byte 13: 5 bytes left that are not a whole packet"


def test_one_packet_with_a_wrong_length_field_gets_the_decoders_reason(capsys):
    ping = bytearray(CATALOG.encode_command("PING", {"token": 7})[:-2])
    ping[5] = 2  # says 9 bytes; the packet is 13
    assert main(["decode", append_crc(bytes(ping)).hex()]) == 2
    assert (
        capsys.readouterr().err.strip() == "rover decode: length field says 9 bytes, packet has 13"
    )


HEAVY = ("numpy", "matplotlib", "prompt_toolkit", "rich")


@pytest.mark.parametrize("sub", ["fsw", "record", "console"])
def test_a_subcommand_imports_no_heavy_library_it_does_not_use(sub):
    """Every `rover fsw` a test starts paid ~1 s for numpy and prompt_toolkit it never used."""
    probe = (
        "import sys\nfrom tools.cli import main\ntry:\n"
        f"    main([{sub!r}, '--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout[-300:]
