"""The command log on disk: one line per command sent, written when its final verification comes
(or when the console closes without one), so the log says what was sent, when, and how it ended.

    rover 2026-11-24T10:00:23.104Z  sent 10:00:00.210Z  seq 12  COMPLETED  DRIVE distance=1 ...

Times are the rover's clock (mission time as UTC), as on the console's screen: when its last
report was made, and when it went out (the rover time of the newest packet then); `--` where the
ground had heard nothing from the rover. Appended and flushed line by line: a crash loses at
most the line being written.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
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
    """Appends command outcomes to a text file. A write that fails (a full disk) is said once,
    through `on_failed`, and the log takes no more; the console goes on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()
        self._written: set[int] = set()
        self.failed: str | None = None
        self.on_failed: Callable[[str], None] = lambda _why: None

    def write(self, command: SentCommand) -> None:
        """Log a command once (its final report, or its last stage when closing)."""
        with self._lock:
            if id(command) in self._written:
                return
            self._written.add(id(command))
        self.write_line(line(command))

    def write_line(self, text: str) -> None:
        """Append one line (a held command's verdict: it was never sent)."""
        with self._lock:
            if self._file.closed or self.failed is not None:
                return
            try:
                self._file.write(text + "\n")
                self._file.flush()
                return
            except OSError as err:
                why = self.failed = (
                    f"{self.path}: cannot write ({err.strerror or err}); commands are no longer "
                    "logged"
                )
        self.on_failed(why)

    def close(self, open_commands: list[SentCommand]) -> None:
        """Log the commands still waiting for a final report, then close."""
        for command in open_commands:
            self.write(command)
        with self._lock, contextlib.suppress(OSError):  # what could not be flushed is said
            self._file.close()


def held_line(label: str, verdict: str, mission_time: float | None) -> str:
    """The log line of a command held for AOS that was never sent (EXPIRED)."""
    return f"rover {_iso(mission_time)}  sent --  seq --  {verdict}  {label}"
