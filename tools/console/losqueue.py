"""Commands typed while the relay is out of sight of the rover (LOS): a frame sent then is lost
on the way, so the console holds it and sends it at AOS, in the order typed, or gives it the
verdict EXPIRED when contact does not come back within the timeout (nothing is sent). With
`refuse`, the operator's choice, such a command is refused at once instead.

The console knows the pass schedule from its `--relay` options (tools.ground.linkwatch); the
queue is checked whenever a packet comes in (telemetry resumes at AOS), when the prompt's status
line is redrawn, and while a script waits.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from tools.console.cmdlog import held_line
from tools.ground.cmdline import CommandLine, CommandLineError
from tools.ground.linkwatch import duration_text
from tools.ground.state import SentCommand

if TYPE_CHECKING:
    from tools.console.operator import Operator
    from tools.ground.session import Session

POLICIES = ("queue", "refuse")
DEFAULT_TIMEOUT = 600.0  # s a held command waits for AOS before it expires
POLL = 0.5  # s between looks at the queue while a script waits in LOS


@dataclass
class Held:
    """A command held for AOS, and what became of it."""

    number: int
    command: CommandLine
    held_at: float  # on the queue's clock
    deadline: float
    verdict: str | None = None  # SENT or EXPIRED
    sent: SentCommand | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How the operator sees it named: `[held 2] DRIVE distance=1 ...`."""
        return f"[held {self.number}] {self.command.text()}"


class LosQueue:
    """Holds commands through LOS; `tick()` releases or expires them."""

    def __init__(
        self,
        clear: Callable[[], bool | None],
        contact_in: Callable[[], str],
        now: Callable[[], float],
        *,
        policy: str = "queue",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if policy not in POLICIES:
            raise ValueError(f"LOS policy {policy!r}: one of {', '.join(POLICIES)}")
        if not (math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"LOS queue timeout {timeout!r}: a number of seconds above 0")
        self.clear, self.contact_in, self.now = clear, contact_in, now
        self.policy, self.timeout = policy, timeout
        self.held: list[Held] = []
        self.send: Callable[[CommandLine], SentCommand | None] | None = None  # the operator's
        self.say: Callable[[str, bool], None] = lambda _text, _bad: None  # (text, is an error)
        self.on_expired: Callable[[Held], None] = lambda _held: None
        self._numbers = itertools.count(1)

    def blocked(self) -> bool:
        """Whether a command sent now would be lost in LOS (or would overtake held ones)."""
        return bool(self.held) or self.clear() is False

    def hold(self, command: CommandLine) -> Held:
        """Hold a command for AOS, or a CommandLineError when the policy is to refuse."""
        back = self.contact_in()
        why = "the relay is in LOS" + (f" ({back})" if back else "")
        if self.policy == "refuse":
            raise CommandLineError(f"{command.name} not sent: {why}; --los-commands refuse")
        if self.clear() is not False:
            why = "commands held for AOS go first"
        now = self.now()
        held = Held(next(self._numbers), command, now, now + self.timeout)
        self.held.append(held)
        self.say(f"{held.label}: {why}; sent at AOS, or EXPIRED after "
                 f"{duration_text(self.timeout)} (`queue` lists what is held)", False)  # fmt: skip
        return held

    def tick(self) -> None:
        """Release the held commands in order if the uplink is clear; expire the overdue."""
        if not self.held:
            return
        if self.clear() is False:
            now = self.now()
            for held in [h for h in self.held if now >= h.deadline]:
                self.held.remove(held)
                held.verdict = "EXPIRED"
                self.say(f"{held.label} EXPIRED: no contact within "
                         f"{duration_text(self.timeout)}; not sent", True)  # fmt: skip
                self.on_expired(held)
            return
        while self.held and self.send is not None:
            held = self.held.pop(0)
            self.say(f"{held.label}: released at AOS", False)
            try:
                held.sent = self.send(held.command)
            except (CommandLineError, ConnectionError, RuntimeError) as err:
                held.errors.append(str(err))
                held.verdict = "NOT SENT"
                self.say(f"{held.label} not sent: {err}", True)
                continue
            held.verdict = "SENT"

    def lines(self) -> list[str]:
        """What is held, oldest first, with how long it has waited and has left."""
        now = self.now()
        return [
            f"{h.label}: held {duration_text(now - h.held_at)}, expires in "
            f"{duration_text(h.deadline - now)}"
            for h in self.held
        ]


def attach(op: Operator, queue: LosQueue) -> None:
    """Let `op` hold commands in `queue`: it sends what the queue releases and shows what the
    queue says."""
    from rich.text import Text  # noqa: PLC0415  (`rover console --help` need not import rich)

    queue.send = op.send_command
    queue.say = lambda text, bad: op.error(text) if bad else op.show(Text(text, style="yellow"))
    log = op.command_log
    if log is not None:  # the verdict is logged as a sent command's would be
        queue.on_expired = lambda h: log.write_line(
            held_line(f"{h.command.text()} (held {h.number}, no contact within "
                      f"{duration_text(queue.timeout)})", "EXPIRED", op.session.state.time)
        )  # fmt: skip
    op.los = queue


class Waiter(Protocol):
    """What wait_held needs of the operator."""

    session: Session
    los: LosQueue | None

    def finish(self, sent: SentCommand, timeout: float) -> bool:
        """Wait for a sent command's final report; whether it COMPLETED."""


def wait_held(op: Waiter, held: Held, timeout: float) -> bool:
    """In a script: wait for a held command's release (checking the queue as time passes), then
    for its final report; whether it COMPLETED (False when it EXPIRED)."""
    assert op.los is not None
    while held.verdict is None:
        op.session.wait_for(lambda: held.verdict is not None, POLL)
        with op.session.lock:
            op.los.tick()
    return held.sent is not None and op.finish(held.sent, timeout)
