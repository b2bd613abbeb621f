"""Where the rover tools keep their state on this machine (console history, command log,
recordings, the emulator's non-volatile memory)."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir(given: str | None = None) -> Path:
    """Where history, the command log and recordings go: --state-dir, $ROVER_STATE_DIR,
    $XDG_STATE_HOME/rover, or ~/.local/state/rover."""
    if given:
        return Path(given).expanduser()
    if os.environ.get("ROVER_STATE_DIR"):
        return Path(os.environ["ROVER_STATE_DIR"]).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "rover"
