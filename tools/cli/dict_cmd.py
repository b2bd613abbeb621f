"""`rover dict`: print or write the dictionary generated from the flight software's tables."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fsw.tables.dictionary import flight_dictionary
from tools import modedoc
from tools.dictdoc import render


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover dict`."""
    p = sub.add_parser(
        "dict",
        help="print the packet dictionary as JSON",
        description="Print the dictionary generated from the flight software's command, "
        "telemetry and event tables: packet format, CRC, framing, types, enums, every command "
        "and every packet, with byte offsets: all a ground system needs to build commands and "
        "read telemetry.",
    )
    p.add_argument("--out", metavar="FILE", help="write it to FILE instead of standard output")
    p.add_argument(
        "--indent",
        type=int,
        default=2,
        metavar="N",
        help="JSON indentation (default 2; 0: one line)",
    )
    p.add_argument(
        "--format",
        choices=("json", "markdown", "modes"),
        default="json",
        help="json (default); markdown: the reference in docs/reference.md; modes: the mode "
        "state machine as a Mermaid diagram (docs/modes.md)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print or write the dictionary."""
    doc = flight_dictionary()
    if args.format == "markdown":
        text = render(doc)
    elif args.format == "modes":
        text = modedoc.render(doc["modes"])
    else:
        text = json.dumps(doc, indent=args.indent or None) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out} ({len(text)} bytes)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
