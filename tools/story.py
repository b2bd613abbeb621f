"""The story a telemetry stream tells an operator: modes, distance, faults, final pose, and what
became of each command; and a scenario's expectations checked against it (never against the
flight software's insides)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fsw.packets.catalog import Packet
from fsw.tables.enums import Stage


@dataclass
class Story:
    """What the telemetry said, in the order it said it."""

    modes: list[str] = field(default_factory=list)  # each mode once, in the order first seen
    last: dict[str, dict[str, Any]] = field(default_factory=dict)  # latest values per packet
    events: list[tuple[float, str, str, str]] = field(default_factory=list)  # t, name, sev, text
    verdicts: dict[int, str] = field(default_factory=dict)  # command seq -> last stage name
    command_names: dict[int, str] = field(default_factory=dict)  # seq -> name (from the ground)
    start: float | None = None
    end: float | None = None

    def add(self, packet: Packet) -> None:
        """Take in one decoded packet."""
        if packet.time is not None:
            self.start = packet.time if self.start is None else self.start
            self.end = packet.time
        shown = packet.shown()
        if packet.kind == "event":
            severity = packet.definition.severity.name  # type: ignore[union-attr]
            self.events.append((packet.time or 0.0, packet.name, severity, packet.text() or ""))
            if packet.name == "MODE_CHANGED":
                self._mode(shown["to_mode"])
            return
        self.last[packet.name] = shown
        if packet.name == "HK":
            self._mode(shown["mode"])
        elif packet.name == "CMD_VERIFY":
            self.verdicts[shown["cmd_seq"]] = shown["stage"]

    def _mode(self, mode: str) -> None:
        if mode not in self.modes:
            self.modes.append(mode)

    def final(self, packet: str, name: str) -> Any:
        """The last value of a field, or None if that packet never came."""
        return self.last.get(packet, {}).get(name)

    def outcome(self, command: str) -> list[str]:
        """The final stage of every sent command called `command`, in sending order."""
        return [
            self.verdicts.get(seq, "NO REPORT")
            for seq, name in sorted(self.command_names.items())
            if name == command
        ]


def tell(packets: Iterable[Packet], sent: dict[int, str] | None = None) -> Story:
    """The story of a packet stream; `sent` names the commands the ground sent by sequence."""
    story = Story(command_names=dict(sent or {}))
    for p in packets:
        story.add(p)
    return story


def check(story: Story, expect: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """Each expectation: its name, whether it held, and what the telemetry showed."""
    results = []
    event_names = [name for _, name, _, _ in story.events]
    for key, want in expect.items():
        ok, seen = _check_one(story, key, want, event_names)
        results.append((f"{key} = {want}", ok, seen))
    return results


def _check_one(story: Story, key: str, want: Any, events: list[str]) -> tuple[bool, str]:
    if key == "final_mode":
        got = story.final("HK", "mode")
        return got == want, f"final mode {got}"
    if key == "modes_visited":
        missing = [m for m in want if m not in story.modes]
        return not missing, f"visited {', '.join(story.modes)}"
    if key == "modes_not_visited":
        bad = [m for m in want if m in story.modes]
        return not bad, f"visited {', '.join(story.modes)}"
    if key == "events":
        position = 0
        for name in want:
            try:
                position = events.index(name, position) + 1
            except ValueError:
                return False, f"no {name} after the events before it"
        return True, "all in order"
    if key == "absent_events":
        bad = sorted({n for n in want if n in events})
        return not bad, f"raised {', '.join(bad)}" if bad else "none raised"
    if key in ("travelled", "final_x", "final_y"):
        name = {"final_x": "x", "final_y": "y"}.get(key, key)
        got = story.final("MOBILITY", name)
        ok = got is not None and want[0] <= got <= want[1]
        return ok, f"{name} {got if got is None else round(got, 3)}"
    if key == "healthy_wheels":
        got = story.final("HK", "healthy_wheels")
        return got == want, f"{got} healthy wheels"
    if key == "degraded":
        got = story.final("HK", "degraded")
        return (got == "YES") == bool(want), f"degraded {got}"
    stage = {"completed": Stage.COMPLETED, "failed": Stage.FAILED, "rejected": Stage.REJECTED}
    if key in stage:
        verdicts = {name: story.outcome(name) for name in want}
        ok = all(v and v[-1] == stage[key].name for v in verdicts.values())
        return ok, "; ".join(f"{n}: {', '.join(v) or 'never sent'}" for n, v in verdicts.items())
    return False, f"unknown expectation {key!r}"
