"""What a row of the mode transition table is: from which modes, on what trigger, under which
guard, to which mode, doing what."""

from __future__ import annotations

from dataclasses import dataclass

from fsw.packets.reasons import Reason
from fsw.tables.enums import Mode, Trigger


@dataclass(frozen=True)
class Guard:
    """A named condition on the state; `reason` is what a command is rejected with when it fails."""

    name: str
    description: str
    reason: Reason


@dataclass(frozen=True)
class Transition:
    """One row: in any of `sources`, `trigger` moves to `target` (None: stay) if `guard` holds,
    running `action` first."""

    sources: tuple[Mode, ...]
    trigger: Trigger
    target: Mode | None
    guard: str = ""
    action: str = ""

    def describe(self) -> str:
        """One line a person reads: TRIGGER [guard] / action."""
        text = self.trigger.name
        if self.guard:
            text += f" [{self.guard}]"
        if self.action:
            text += f" / {self.action}"
        return text
