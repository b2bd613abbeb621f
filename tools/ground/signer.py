"""The ground's half of uplink authentication: where the key file is, reading it, and sealing
every command in an authenticated envelope with a fresh sequence number.

Each sequence number is the ground clock in microseconds, or one more than the last if that is
higher: a console started again continues above every number it used, and two consoles (or a
console and a script) sending side by side stay in step with each other, with no counter file to
keep. The rover's anti-replay window is sized for this numbering (fsw.security.SN_PER_SECOND):
numbers up to a second below its highest still run once, so commands crossing on the way run;
numbers more than ARSN_FORWARD_LIMIT days above it are refused. When the rover lost its counter,
SA_SET_ARSN re-establishes it with `Signer.propose_arsn()`, a number below every later one.
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from fsw.packets import secure
from fsw.security import Key, parse_key

KEY_ENV = "ROVER_KEY"
"""Environment variable naming the key file (else the default path below)."""


def default_key_path() -> Path:
    """$ROVER_KEY, else $XDG_CONFIG_HOME/rover/uplink.key (~/.config/rover/uplink.key)."""
    named = os.environ.get(KEY_ENV)
    if named:
        return Path(named).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "rover" / "uplink.key"


def new_key(spi: int = 1) -> Key:
    """A fresh random key."""
    return Key(spi, secrets.token_bytes(secure.KEY_SIZE))


def derived_key(label: str) -> Key:
    """A key made from a label (in-process runs: the same every run of a seed; never for a link)."""
    return Key(1, hashlib.sha256(f"rover in-process key: {label}".encode()).digest())


def derived_challenges(label: str) -> Callable[[], int]:
    """SA-management challenges made from a label, for the flight software of an in-process run
    (the same every run of a seed, so its telemetry is reproducible; never for a link)."""
    rng = random.Random(f"rover in-process challenges: {label}")
    return lambda: rng.getrandbits(32)


def write_key(path: Path, key: Key, *, force: bool = False) -> None:
    """Write a key file readable by its owner only; refuses to replace one unless `force`."""
    if path.exists() and not force:
        raise ValueError(f"{path} exists: keep it, or replace it with --force")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key.text())
    path.chmod(0o600)  # O_CREAT's mode does not apply to a file that existed


def read_key(path: Path) -> Key:
    """The key in a key file, or a ValueError naming the file and what is wrong."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ValueError(
            f"no uplink key at {path}: make one with `rover keygen --out {path}`"
        ) from None
    except OSError as err:
        raise ValueError(f"{path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a key file (not text)") from None
    try:
        key = parse_key(text)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ValueError(f"{path}: others may read this key; `chmod 600 {path}` first")
    return key


def default_key() -> Key | None:
    """The key in the default key file (default_key_path), or None when there is none."""
    path = default_key_path()
    return read_key(path) if path.exists() else None


class Signer:
    """Seals commands with one key, numbering them by `clock` (microseconds) and never twice."""

    def __init__(self, key: Key, clock: Callable[[], int]) -> None:
        self.key = key
        self.clock = clock
        self.next_sn = 1  # at least: the lowest number the next seal may use

    def propose_arsn(self) -> int:
        """The value for SA_SET_ARSN: the clock now, reserved, so every later seal is above it."""
        sn = max(self.next_sn, self.clock())
        self.next_sn = sn + 1
        return sn

    def seal(self, packet: bytes) -> bytes:
        """The envelope carrying command `packet`, with a number above every one used before."""
        sn = max(self.next_sn, self.clock())
        self.next_sn = sn + 1
        return secure.seal(packet, self.key.secret, self.key.spi, sn)
