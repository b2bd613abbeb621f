"""docs/board-protocol.md: generated, current, and complete enough to build a board from."""

import re
from pathlib import Path

import pytest

from hil.board import doc
from hil.board.protocol import PAYLOADS, SIZES, MsgType, decode, encode
from hil.board.stream import MessageStream

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "docs" / "board-protocol.md"
REGENERATE = "run: python -m hil.board.doc > docs/board-protocol.md"


def test_the_committed_document_is_current():
    assert COMMITTED.read_text() == doc.render(), REGENERATE


@pytest.mark.parametrize("kind", list(MsgType), ids=lambda k: k.name)
def test_the_documented_offsets_are_where_encode_puts_each_field(kind):
    fields = doc.layout(kind)
    assert sum(f.size for f in fields) == SIZES[kind]
    values = {}
    for n, sub in enumerate(PAYLOADS[kind].subcons, start=1):
        count = getattr(sub.subcon, "count", None)
        values[sub.name] = [n] * count if count else n
    message = encode(kind, **values)
    for n, field in enumerate(fields, start=1):
        last_byte = 1 + field.offset + field.size - 1  # big-endian: the low byte of the last one
        assert message[last_byte] == n, f"{kind.name}.{field.name} is not at {field.offset}"
    assert [f.name for f in fields] == list(values)


def test_every_message_field_and_code_is_documented():
    text = doc.render()
    for kind in MsgType:
        assert f"### 0x{kind:02X} {kind.name}" in text
        for field in doc.layout(kind):
            assert f"| {field.name} |" in text
    for name in ("BAD_CRC", "WRONG_VERSION", "ENCODER_LOSS", "SIMULATED", "RASPBERRY_PI"):
        assert f"| {name} |" in text
    assert "0x29B1" in text and "0x1021" in text and "0xFFFF" in text


def test_the_worked_example_frames_decode_to_what_they_say():
    text = doc.render()
    frames = [bytes.fromhex(h) for h in re.findall(r"^frame {4}([0-9A-F ]+)$", text, re.M)]
    stream = MessageStream()
    messages = [m for f in frames for m in stream.feed(f).messages]
    assert [m.type for m in messages] == [
        MsgType.HELLO,
        MsgType.INFO,
        MsgType.SETPOINT,
        MsgType.STATUS,
    ]
    assert messages[3]["answers"] == messages[2]["seq"]
    assert stream.discarded == {}
    for m in messages:  # and the wire time quoted is the frame's bytes x 10 / 115200
        size = len(encode(m.type, **m.fields)) + 3
        assert f"{size} bytes on the wire: {size} x 10 / 115200 = {size / 11.52:.3f} ms" in text
    assert decode(encode(MsgType.HELLO, protocol=1)) == messages[0]
