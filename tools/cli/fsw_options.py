"""The values of `rover fsw`'s options that argparse alone cannot check: the listen address and
the store's size (each a ValueError saying which option and why)."""

from __future__ import annotations

from fsw.store import MAX_SIZE as MAX_STORE_SIZE
from fsw.store import MIN_SIZE as MIN_STORE_SIZE

DEFAULT_LISTEN = "127.0.0.1:50200"


def listen_address(text: str) -> tuple[str, int]:
    """HOST:PORT (or [IPv6]:PORT) as a host and a port number."""
    host, colon, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"--listen {text!r}: give HOST:PORT, e.g. {DEFAULT_LISTEN}")
    return host, int(port)


def _positive(text: str, option: str, *, whole: bool = False) -> float:
    """A positive (whole) number from an option, or a ValueError naming the option."""
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = 0
    if not 0 < value < float("inf"):
        raise ValueError(f"{option} {text!r}: give a positive {'whole ' * whole}number")
    return value


def store_bytes(text: str) -> int:
    """--store-size in bytes (a K or M suffix: KiB, MiB), or a ValueError saying why not."""
    scale = {"K": 1024, "M": 1024 * 1024}.get(text[-1:].upper(), 1)
    size = int(_positive(text[:-1] if scale > 1 else text, "--store-size", whole=True)) * scale
    if size < MIN_STORE_SIZE:
        raise ValueError(f"--store-size {text}: the store holds at least {MIN_STORE_SIZE} bytes")
    if size > MAX_STORE_SIZE:  # else the first STORE packet ended the flight software
        raise ValueError(f"--store-size {text}: the store holds at most {MAX_STORE_SIZE} bytes")
    return size
