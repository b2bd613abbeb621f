"""The rover's non-volatile memory, as files: small named counters that survive a restart of the
flight software (the anti-replay counter of the uplink's security association). Each write goes
to a new file renamed over the old, so a kill mid-write leaves the old value, never half of one.
"""

from __future__ import annotations

from pathlib import Path


class Nvram:
    """Named whole numbers kept in a directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def read(self, name: str) -> int:
        """The value of `name` (0 when never written), or a ValueError naming the file."""
        path = self.directory / name
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            return 0
        except (OSError, UnicodeDecodeError) as err:
            raise ValueError(f"{path}: cannot read it ({err})") from None
        if not text.isdigit():
            raise ValueError(f"{path}: holds {text[:20]!r}, not a whole number")
        return int(text)

    def write(self, name: str, value: int) -> None:
        """Keep `value` as `name`, atomically."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / name
        new = path.with_name(f".{name}.new")
        new.write_text(f"{value}\n")
        new.replace(path)
