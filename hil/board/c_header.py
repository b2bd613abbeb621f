"""The C header the Arduino firmware is built with, generated from the board protocol and model.

    python -m hil.board.c_header OUT.h

Everything the firmware knows about the wire comes from here: the protocol version, message type
codes, payload sizes, each field's byte offset, element width, signedness and element count
(computed from the construct layouts in hil.board.protocol), the enums, the limits and the
simulated-motor constants of hil.board.model. Nothing of the wire format is typed by hand in C.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
from dataclasses import dataclass
from enum import Enum, IntFlag
from pathlib import Path
from types import ModuleType

import construct as c

from hil.board import model, protocol
from hil.board.protocol import MsgType
from hil.board.stream import MAX_FRAME

ENUMS: tuple[type[Enum], ...] = (
    protocol.MsgType,
    protocol.BoardKind,
    protocol.BoardFault,
    protocol.StatusFlag,
    protocol.SetpointFlag,
    protocol.RejectReason,
)
"""Every enum of the protocol, each written as `<ENUM_NAME>_<MEMBER>` (MsgType as MSG_...)."""

GUARD = "ROVER_BOARD_PROTOCOL_H"


@dataclass(frozen=True, slots=True)
class CField:
    """One payload field as the C side reads it: where it starts and what one element is."""

    message: MsgType
    name: str
    offset: int  # bytes from the start of the payload
    width: int  # bytes of one element
    signed: bool
    count: int  # elements (1 for a scalar)

    @property
    def prefix(self) -> str:
        """`STATUS_ENCODERS`: the stem of this field's macros."""
        return f"{self.message.name}_{self.name.upper()}"


def fields(kind: MsgType) -> list[CField]:
    """The fields of `kind`'s payload in wire order, offsets summed from the construct layout."""
    out, offset = [], 0
    for sub in protocol.PAYLOADS[kind].subcons:
        inner, count = sub.subcon, 1
        if isinstance(inner, c.Array):
            inner, count = inner.subcon, inner.count
        if not isinstance(inner, c.FormatField):
            raise TypeError(f"{kind.name}.{sub.name}: only fixed-size integers reach the C side")
        width = inner.sizeof()
        out.append(CField(kind, sub.name, offset, width, inner.fmtstr[-1].islower(), count))
        offset += width * count
    if offset != protocol.SIZES[kind]:
        raise ValueError(
            f"{kind.name}: fields sum to {offset} bytes, the payload has {protocol.SIZES[kind]}"
        )
    return out


def enum_prefix(enum: type[Enum]) -> str:
    """`BoardFault` -> `BOARD_FAULT`; MsgType is plain `MSG`."""
    if enum is MsgType:
        return "MSG"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", enum.__name__).upper()


def module_constants(module: ModuleType) -> dict[str, int]:
    """The integer constants a module assigns itself at top level (not the ones it imports)."""
    names: list[str] = []
    for node in ast.parse(inspect.getsource(module)).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            elements = target.elts if isinstance(target, ast.Tuple) else [target]
            names += [e.id for e in elements if isinstance(e, ast.Name)]
    out: dict[str, int] = {}
    for name in names:
        value = getattr(module, name)
        if name.isupper() and isinstance(value, int) and not isinstance(value, Enum):
            out[name] = int(value)
        elif name.isupper() and isinstance(value, tuple) and name == "FIRMWARE_VERSION":
            out.update(
                zip((f"{name}_{p}" for p in ("MAJOR", "MINOR", "PATCH")), value, strict=True)
            )
    return out


def _comment(text: str) -> str:
    """`text` on one line, safe inside a C comment."""
    return " ".join(text.split()).replace("*/", "* /")


def _define(name: str, value: int | str, comment: str = "") -> str:
    text = f"#define {name} {value}"
    return f"{text:<48} /* {_comment(comment)} */" if comment else text


def _message_lines(kind: MsgType) -> list[str]:
    size = protocol.SIZES[kind]
    out = [
        f"/* {kind.name}: payload {size} bytes, frame {protocol.frame_size(kind)} bytes */",
        _define(f"{kind.name}_SIZE", size),
        _define(f"{kind.name}_FRAME_SIZE", protocol.frame_size(kind), "delimiters included"),
    ]
    for f in fields(kind):
        kind_text = f"{'i' if f.signed else 'u'}{8 * f.width}" + (
            f"[{f.count}]" if f.count > 1 else ""
        )
        out += [
            _define(
                f"{f.prefix}_OFFSET",
                f.offset,
                f"{kind_text}: {protocol.FIELD_DOCS[(kind, f.name)]}",
            ),
            _define(f"{f.prefix}_WIDTH", f.width),
            _define(f"{f.prefix}_SIGNED", int(f.signed)),
        ]
        if f.count > 1:
            out.append(_define(f"{f.prefix}_COUNT", f.count))
    return [*out, ""]


def _enum_lines(enum: type[Enum]) -> list[str]:
    prefix = enum_prefix(enum)
    out = [f"/* {enum.__name__}: {_comment(enum.__doc__ or '')} */"]
    for member in enum:
        value = (
            f"0x{member.value:02X}"
            if issubclass(enum, IntFlag) or enum is MsgType
            else member.value
        )
        out.append(_define(f"{prefix}_{member.name}", value))
    return [*out, ""]


def render() -> str:
    """The whole header text."""
    lines = [
        "/* Generated by `python -m hil.board.c_header` from hil/board/protocol.py and",
        " * hil/board/model.py: do not edit; change the Python and rebuild. All payloads are",
        " * big-endian; OFFSET is bytes from the start of the payload (after the type byte). */",
        f"#ifndef {GUARD}",
        f"#define {GUARD}",
        "",
        "/* protocol constants (hil.board.protocol) */",
    ]
    lines += [_define(k, v) for k, v in module_constants(protocol).items()]
    lines += [_define("MAX_FRAME", MAX_FRAME, "longest COBS encoding of a message"), ""]
    lines += ["/* simulated motors (hil.board.model) */"]
    lines += [_define(k, v) for k, v in module_constants(model).items()]
    lines.append("")
    for enum in ENUMS:
        lines += _enum_lines(enum)
    for kind in MsgType:
        lines += _message_lines(kind)
    lines += [f"#endif /* {GUARD} */", ""]
    _check_unique(lines)
    return "\n".join(lines)


def _check_unique(lines: list[str]) -> None:
    seen: set[str] = set()
    for line in lines:
        if line.startswith("#define "):
            name = line.split()[1]
            if name in seen:
                raise ValueError(f"two C macros would be called {name}")
            seen.add(name)


def main(argv: list[str] | None = None) -> int:
    """Write the header to the path given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="header file to write")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
