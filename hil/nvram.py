"""The rover's non-volatile memory, as files: small named counters that survive a restart of the
flight software (the anti-replay counter of the uplink's security association).

Writes are atomic and durable: the value goes to a temporary file in the same directory, is
flushed and fsync()ed, renamed over the old file, and the directory is fsync()ed so the rename
itself survives a power cut. A kill at any step leaves the old value or the new one, never half
of one; a leftover temporary file is never read. A write that fails (disk full, EFBIG, a
read-only directory) raises OSError and leaves the old value: the caller decides what that means.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

MAX_VALUE = (1 << 64) - 1
"""The largest value a counter holds (64 bits, as the flight computer's): a file holding more
is damaged, and said so, not handed on to overflow a sequence number or a telemetry field."""


class Nvram:
    """Named whole numbers (0..MAX_VALUE) kept in a directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def blank(self) -> bool:
        """Whether this memory never kept a value: no directory yet, or one holding nothing but
        temporary files (a first boot killed before its first rename). A new rover, whose
        counters start at 0. A directory with any kept counter but not the one asked for is a
        lost counter instead."""
        if not self.directory.exists():
            return True
        return all(entry.name.startswith(".") for entry in self.directory.iterdir())

    def read(self, name: str) -> int | None:
        """The value of `name`; None when it is not there; a ValueError naming the file when it
        cannot be read or holds no whole number."""
        path = self.directory / name
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as err:
            raise ValueError(f"{path}: cannot read it ({err})") from None
        if not (text.isascii() and text.isdigit()):
            raise ValueError(f"{path}: holds {text[:20]!r}, not a whole number")
        if len(text) > 20 or int(text) > MAX_VALUE:
            raise ValueError(f"{path}: holds {text[:20]}..., more than a 64-bit counter")
        return int(text)

    def write(self, name: str, value: int) -> None:
        """Keep `value` as `name`, atomically and durably (OSError when it cannot be kept)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / name
        new = path.with_name(f".{name}.new")  # one writer: a fixed name, so crashes leave one
        try:
            fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                _write_all(fd, f"{value}\n".encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            new.replace(path)
        except OSError:
            with contextlib.suppress(OSError):  # a partial file would only take more space
                new.unlink(missing_ok=True)
            raise
        _sync_directory(self.directory)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte, or the OSError that stopped it (a short write is retried, so a full
    disk or a file-size limit shows as its own error, ENOSPC or EFBIG)."""
    while data:
        n = os.write(fd, data)
        if n == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        data = data[n:]


def _sync_directory(directory: Path) -> None:
    """fsync a directory, so a rename in it is on the disk (POSIX; a no-op where a directory
    cannot be opened, as on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
