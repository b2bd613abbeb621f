"""Two-step commanding of hazardous commands: an ARM naming the command, then the command itself
within ARM_WINDOW seconds. One command is armed at a time; it is used up when that command is
accepted (a rejected one leaves it armed: a rejected command changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable

from fsw.dispatch import Command, Rejected
from fsw.packets.reasons import Reason


class Arming:
    """What is armed and until when, on the flight software's clock."""

    def __init__(self, now: Callable[[], float], window: Callable[[], float]) -> None:
        self._now, self._window = now, window
        self.armed: str | None = None  # the name of the armed command
        self.until = 0.0

    def arm(self, command: str) -> float:
        """Arm the command called `command` from now; the time the window closes."""
        self.armed, self.until = command, self._now() + self._window()
        return self.until

    def remaining(self) -> float:
        """Seconds left of the present arming (0 when nothing is armed or it has expired)."""
        if self.armed is None:
            return 0.0
        return max(0.0, self.until - self._now())

    def check(self, cmd: Command) -> None:
        """Rejected unless `cmd` is not hazardous or is armed and in its window."""
        if not cmd.definition.hazardous:
            return
        if self.armed != cmd.name:
            raise Rejected(
                Reason.NOT_ARMED, f"{cmd.name} is hazardous: send ARM command={cmd.name} first"
            )
        late = self._now() - self.until
        if late > 0:
            raise Rejected(
                Reason.ARM_EXPIRED,
                f"{cmd.name}: its ARM expired {late:.1f} s ago (ARM_WINDOW); ARM it again",
            )

    def accepted(self, cmd: Command) -> None:
        """A hazardous command went through: its arming is used up."""
        if cmd.definition.hazardous:
            self.armed = None
