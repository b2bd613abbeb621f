"""The command log on disk: one line per command sent, written when its final verification comes
(or when the console closes without one), so the log says what was sent, when, and how it ended.

    2026-11-24T10:00:23.104Z  sent 10:00:00.210Z  seq 12  COMPLETED  DRIVE distance=1 ...

Appended and flushed line by line: a crash loses at most the line being written.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from tools.ground.state import SentCommand


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def line(command: SentCommand, now: float | None = None) -> str:
    """The log line of a command: when it ended, when it was sent, its outcome and the command."""
    ended = command.finished if command.finished is not None else (now or time.time())
    outcome = (
        command.outcome() if command.final is not None else f"NO FINAL REPORT ({command.stage})"
    )
    return (
        f"{_iso(ended)}  sent {_iso(command.sent)[11:]}  seq {command.seq}  {outcome}  "
        f"{command.text}"
    )


class CommandLog:
    """Appends command outcomes to a text file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()
        self._written: set[int] = set()

    def write(self, command: SentCommand) -> None:
        """Log a command once (its final report, or its last stage when closing)."""
        with self._lock:
            if id(command) in self._written or self._file.closed:
                return
            self._written.add(id(command))
            self._file.write(line(command) + "\n")
            self._file.flush()

    def close(self, open_commands: list[SentCommand]) -> None:
        """Log the commands still waiting for a final report, then close."""
        for command in open_commands:
            self.write(command)
        with self._lock:
            self._file.close()
