"""The commands a telemetry log recorded going up, so a test replaying the log can follow the
ones the recording ground sent, and say what the log holds when a test asks for one it does not."""

from __future__ import annotations

from dataclasses import dataclass

from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLine
from tools.ground.playback import uplinked
from tools.ground.state import SentCommand
from tools.runner import EPOCH_NS
from tools.testing.matching import CommandPattern
from tools.tlmlog import LogReader


@dataclass(frozen=True)
class Uplink:
    """A command a log recorded going up."""

    time: float  # mission time it went (s since the epoch)
    seq: int
    received: float  # ground time as recorded (s since 1970), as SentCommand.sent has it
    line: CommandLine


class RecordedCommands:
    """A log's uplinks in order, and a cursor past the last one a session followed."""

    def __init__(self, reader: LogReader, dictionary: Dictionary, start: float) -> None:
        self.path = reader.path
        self.start = start  # mission time t+0 of the replay
        self.uplinks: list[Uplink] = []
        self.next = 0
        for record in reader.records():  # the session's log, already in memory
            found = uplinked(dictionary, record)
            if found is not None:
                time = (record.received_ns - EPOCH_NS) / 1e9
                self.uplinks.append(Uplink(time, found[0], record.received, found[1]))

    def expect(self, want: CommandPattern, elapsed: float, timeout: float) -> Uplink:
        """The next recorded command matching `want`, after those followed, if it went within
        `timeout` s of t+`elapsed`; else an AssertionError saying what the log holds."""
        __tracebackhide__ = True
        uplink = next((u for u in self.uplinks[self.next :] if want.matches(u.line)), None)
        if uplink is None:
            raise AssertionError(
                f"no {want.text()} in {self.path.name} after t+{elapsed:.1f} s; "
                f"it records {self.summary()}"
            )
        if uplink.time - self.start > elapsed + timeout:
            raise AssertionError(
                f"{uplink.line.text()} was sent at t+{uplink.time - self.start:.1f} s, "
                f"not within {timeout:g} s of t+{elapsed:.1f} s"
            )
        return uplink

    def followed(self, sent: SentCommand) -> None:
        """Move past the recorded command a playback session matched to `sent`."""
        for i in range(self.next, len(self.uplinks)):
            uplink = self.uplinks[i]
            if (uplink.seq, uplink.received) == (sent.seq, sent.sent):
                self.next = i + 1
                return

    def summary(self) -> str:
        """What the log sent, for a failure message: `DRIVE distance=50 ... at t+1.0 s, NOOP 6
        times, t+300.0 s to t+1800.0 s`."""
        groups: dict[str, list[float]] = {}
        for uplink in self.uplinks:
            groups.setdefault(uplink.line.text(), []).append(uplink.time - self.start)
        if not groups:
            return "no commands"
        return ", ".join(
            f"{text} at t+{times[0]:.1f} s"
            if len(times) == 1
            else f"{text} {len(times)} times, t+{times[0]:.1f} s to t+{times[-1]:.1f} s"
            for text, times in groups.items()
        )
