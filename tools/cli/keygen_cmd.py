"""`rover keygen`: make the uplink key that `rover fsw` checks and `rover console` signs with."""

from __future__ import annotations

import argparse
from pathlib import Path

from tools.ground.signer import KEY_ENV, default_key_path, new_key, write_key


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `rover keygen`."""
    p = sub.add_parser(
        "keygen",
        help="make an uplink key (HMAC-SHA256) for authenticated commanding",
        description="Write a new random uplink key: 32 bytes for HMAC-SHA256, truncated to 128 "
        "bits as CCSDS SDLS does, with its security parameter index (SPI). `rover fsw` refuses "
        "commands not signed with it; `rover console` signs every command with it. The file is "
        f"readable by its owner only. Default: ${KEY_ENV}, else ~/.config/rover/uplink.key.",
    )
    p.add_argument("--out", metavar="FILE", help="where to write the key (default above)")
    p.add_argument("--spi", type=int, default=1, help="security parameter index (default 1)")
    p.add_argument("--force", action="store_true", help="replace an existing key file")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    """Write the key and say where."""
    path = Path(args.out).expanduser() if args.out else default_key_path()
    key = new_key(args.spi)
    write_key(path, key, force=args.force)
    print(f"rover keygen: wrote uplink key SPI {key.spi} to {path} (keep it secret)")
    return 0
