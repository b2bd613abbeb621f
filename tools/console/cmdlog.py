"""The command log on disk: one line per command sent, written when its final verification comes
(or when the console closes without one), so the log says what was sent, when, and how it ended.

    rover 2026-11-24T10:00:23.104Z  sent 10:00:00.210Z  seq 12  COMPLETED  DRIVE distance=1 ...

Times are the rover's clock (mission time as UTC), as on the console's screen: when its last
report was made, and when it went out (the rover time of the newest packet then); `--` where the
ground had heard nothing from the rover. Appended and flushed line by line: a crash loses at
most the line being written.
"""

from __future__ import annotations

import threading
from pathlib import Path

from fsw.packets.timecode import utc_iso
from tools.ground.state import SentCommand


def _iso(mission_time: float | None) -> str:
    if mission_time is None:
        return "--"
    return utc_iso(mission_time)[:23] + "Z"


def line(command: SentCommand) -> str:
    """The log line of a command: when its last report was made, when it was sent (rover time),
    its outcome and the command."""
    outcome = (
        command.outcome() if command.final is not None else f"NO FINAL REPORT ({command.stage})"
    )
    ended = command.reported_at if command.reported_at is not None else command.sent_at
    sent = _iso(command.sent_at)
    return (
        f"rover {_iso(ended)}  sent {sent[11:] or sent}  seq {command.seq}  {outcome}  "
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
