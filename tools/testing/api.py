"""A test API over a ground session, in the manner of fprime-gds's IntegrationTestAPI: send a
command and assert its verification, await an event, assert a telemetry condition.

The same test runs against the flight software in-process on the simulated clock
(InProcessSession), a recorded telemetry log (PlaybackSession) and a live link (LinkSession).
Timeouts are on the session's clock: mission seconds in-process and in a log (an hour's drive
takes a second or two), wall seconds on a live link. Times in messages are `t+` mission seconds
after the start (the scenario's start, or the first packet of a log or a link).

An expectation that does not hold raises an AssertionError that reads as the operator would see
it, and pytest shows it at the test's own line (the API's frames are hidden); a mistake in the
test itself (no such command, event or field) raises a ValueError.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from fsw.packets.catalog import Packet
from tools.ground.cmdline import CommandLine, CommandLineError
from tools.ground.conditions import Condition, parse_condition
from tools.ground.inprocess import InProcessSession
from tools.ground.playback import PlaybackSession
from tools.ground.session import GroundError, Session
from tools.ground.state import SentCommand, Update
from tools.testing.matching import (
    command_line,
    command_pattern,
    event_lines,
    event_pattern,
    reason_name,
    stage_name,
)
from tools.testing.recorded import RecordedCommands

EventFilter = Callable[[Packet], bool]


class RoverTestAPI:
    """Commands, events and telemetry of one session, asserted; see the module docstring."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dictionary = session.dictionary
        self._cursor = 0  # event index after the last event await_event returned
        self._own: set[int] = set()  # ids of commands this API sent
        self._taken: set[int] = set()  # ids of commands await_command followed
        self._recorded: RecordedCommands | None = None  # a log's commands, read when asked
        # a log whose recorded commands a test "sends" (not one that shows them all as sent)
        self._follows_log = isinstance(session, PlaybackSession) and not getattr(
            session, "show_uplinks", False
        )
        state = session.state
        if isinstance(session, InProcessSession):
            self.start = session.scenario.start_time
        else:
            if isinstance(session, PlaybackSession):  # read up to the first packet with a time
                session.wait_for(lambda: state.time is not None, math.inf)
            self.start = state.time if state.time is not None else math.nan
            if math.isnan(self.start):  # a link before its first packet
                session.listeners.append(self._first_packet)

    def _first_packet(self, update: Update) -> None:
        if math.isnan(self.start) and update.packet.time is not None:
            self.start = update.packet.time

    # ---- time ---------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Mission time (s since the epoch): the simulated clock, a log's latest packet, or a
        link's latest packet (NaN before the first)."""
        if isinstance(self.session, InProcessSession | PlaybackSession):
            return self.session.now()
        return math.nan if self.session.state.time is None else self.session.state.time

    @property
    def elapsed(self) -> float:
        """Mission seconds since the start."""
        return self.now - self.start

    def t_plus(self, packet: Packet) -> float:
        """When a packet was sent, in mission seconds after the start."""
        return (packet.time if packet.time is not None else self.now) - self.start

    def run_for(self, seconds: float) -> None:
        """Let `seconds` pass on the session's clock, taking packets in (a log: read on; it stops
        at the log's end)."""
        self.session.wait_for(lambda: False, seconds)

    def run_until(self, t: float) -> None:
        """Run (or read) until `t` mission seconds after the start."""
        self.run_for(max(0.0, t - self.elapsed))

    def _at(self, elapsed: float | None = None) -> str:
        return f"t+{self.elapsed if elapsed is None else elapsed:.1f} s"

    def _span(self, timeout: float, begun: float, word: str = "within") -> str:
        ended = ""
        if isinstance(self.session, PlaybackSession) and self.session.finished:
            ended = f"; the log ends at {self._at()}"
        wall = "" if isinstance(self.session, InProcessSession | PlaybackSession) else " wall"
        return f"{word} {timeout:g}{wall} s ({self._at(begun)} to {self._at()}{ended})"

    # ---- commands -----------------------------------------------------------------------------

    def send_command(
        self, cmd: str | CommandLine, args: Mapping[str, Any] | None = None
    ) -> SentCommand:
        """Send a command (a log: follow its next recorded sending, which must be there)."""
        __tracebackhide__ = True
        line = command_line(self.dictionary, cmd, args)
        begun = self.elapsed
        try:
            sent = self.session.send(line)
        except GroundError:
            if not self._follows_log:
                raise
            raise AssertionError(
                f"{line.text()}: not sent in {self._log().path.name} after {self._at(begun)}; "
                f"it records {self._log().summary()}"
            ) from None
        self._own.add(id(sent))
        if self._follows_log:
            self._log().followed(sent)
        return sent

    def send_and_assert_command(
        self,
        cmd: str | CommandLine,
        args: Mapping[str, Any] | None = None,
        *,
        timeout: float = 10.0,
        stage: str = "COMPLETED",
        reason: str | None = None,
    ) -> SentCommand:
        """Send a command and assert it reaches `stage` (with `reason`) within `timeout` s."""
        __tracebackhide__ = True
        stage, reason = stage_name(stage), reason and reason_name(reason)
        return self.assert_command(
            self.send_command(cmd, args), stage, timeout=timeout, reason=reason
        )

    def assert_command(
        self,
        sent: SentCommand,
        stage: str = "COMPLETED",
        *,
        timeout: float,
        reason: str | None = None,
    ) -> SentCommand:
        """Assert a command sent earlier reaches `stage` (with `reason`) within `timeout` s; it
        fails at once when the command ends in another final stage."""
        __tracebackhide__ = True
        wanted, begun = stage_name(stage), self.elapsed
        reason = reason and reason_name(reason)
        self.session.wait_for(lambda: wanted in sent.stages or sent.final is not None, timeout)
        expected = f"expected {wanted}{f': {reason}' if reason else ''}"
        if wanted in sent.stages and reason in (None, sent.reason):
            return sent
        if wanted in sent.stages or sent.final is not None:
            raise AssertionError(f"{sent.text}: {sent.outcome()}, {expected}")
        got = "no report" if not sent.stages else f"still {sent.stage}"
        raise AssertionError(
            f"{sent.text}: {got} {self._span(timeout, begun, 'after')}, {expected}"
        )

    def await_command(
        self, cmd: str, *, timeout: float, args: Mapping[str, Any] | None = None
    ) -> SentCommand:
        """The next command `cmd` (`DRIVE`, `DRIVE distance=50`: the arguments given must match)
        that this API did not send: a scenario's script (rover_sim with play_commands), a log's
        recorded ground, another part of a live ground. Follow it with assert_command."""
        __tracebackhide__ = True
        want = command_pattern(self.dictionary, cmd, args)
        begun = self.elapsed
        if self._follows_log:
            followed = self.session.send(self._log().expect(want, begun, timeout).line)
            self._log().followed(followed)
            self._taken.add(id(followed))
            return followed
        found: list[SentCommand] = []

        def came() -> bool:
            for c in self.session.sent:
                taken = id(c) in self._own or id(c) in self._taken
                if not taken and want.matches(CommandLine(c.definition, c.args)):
                    found.append(c)
                    return True
            return False

        if not self.session.wait_for(came, timeout):
            raise AssertionError(
                f"no {want.text()} was sent {self._span(timeout, begun)} (a scenario's commands "
                "are sent only with play_commands=True)"
            )
        self._taken.add(id(found[0]))
        return found[0]

    def _log(self) -> RecordedCommands:
        """A log's recorded commands (read when first needed)."""
        assert isinstance(self.session, PlaybackSession)
        if self._recorded is None:
            self._recorded = RecordedCommands(self.session.reader, self.dictionary, self.start)
        return self._recorded

    # ---- events -------------------------------------------------------------------------------

    def mark(self) -> int:
        """A mark in the events: `since=mark` looks only at events that come after it."""
        return self.session.event_cursor()

    def events(
        self, name: str | None = None, *, args: Mapping[str, Any] | None = None, since: int = 0
    ) -> list[Packet]:
        """The events so far (called `name`, with `args`), oldest first."""
        events = self.session.state.events[since:]
        if name is None:
            return events
        want = event_pattern(self.dictionary, name, args)
        return [e for e in events if want.matches(e)]

    def await_event(
        self,
        name: str,
        *,
        timeout: float,
        args: Mapping[str, Any] | None = None,
        where: EventFilter | None = None,
        since: int | None = None,
    ) -> Packet:
        """The first event `name` (with these `args`, passing `where`) after the last event this
        returned, so successive awaits assert an order; `since=0` looks at every event so far,
        `since=api.mark()` only at what comes next."""
        __tracebackhide__ = True
        want = event_pattern(self.dictionary, name, args, where)
        first = self._cursor if since is None else since
        begun = self.elapsed
        found: list[int] = []
        scanned = [first]  # events before this index did not match

        def arrived() -> bool:
            events = self.session.state.events
            for i in range(scanned[0], len(events)):
                if want.matches(events[i]):
                    found.append(i)
                    return True
            scanned[0] = max(scanned[0], len(events))
            return False

        if not self.session.wait_for(arrived, timeout):
            came = self.session.state.events[first:]
            heading = {None: "events after the last one awaited", 0: "events"}.get(
                since, "events after the mark"
            )
            raise AssertionError(
                f"no {want.text()} {self._span(timeout, begun)}"
                + event_lines(came, self.start, heading)
            )
        self._cursor = max(self._cursor, found[-1] + 1)
        return self.session.state.events[found[-1]]

    def assert_no_event(
        self,
        name: str,
        *,
        during: float = 0.0,
        args: Mapping[str, Any] | None = None,
        where: EventFilter | None = None,
        since: int = 0,
    ) -> None:
        """Assert no event `name` (with `args`, passing `where`) has come since mark `since`
        (default: the start), after letting `during` more seconds pass."""
        __tracebackhide__ = True
        want = event_pattern(self.dictionary, name, args, where)
        if during > 0:
            self.run_for(during)
        bad = [e for e in self.session.state.events[since:] if want.matches(e)]
        if bad:
            first = bad[0]
            raise AssertionError(
                f"{first.name} at {self._at(self.t_plus(first))} ({first.text()})"
                f"{f' and {len(bad) - 1} more' if len(bad) > 1 else ''}, "
                f"expected no {want.text()} up to {self._at()}"
            )

    # ---- telemetry ----------------------------------------------------------------------------

    def condition(self, condition: str | Condition) -> Condition:
        """A condition checked against the dictionary, e.g. `HK.mode == STANDBY and HK.degraded ==
        NO`."""
        if isinstance(condition, Condition):
            return condition
        return parse_condition(self.dictionary, [condition])

    def await_telemetry(self, condition: str | Condition, *, timeout: float) -> dict[str, Any]:
        """Wait until the telemetry meets `condition`; the values of the fields it names then."""
        __tracebackhide__ = True
        cond, begun = self.condition(condition), self.elapsed
        shown = self.session.state.shown
        if not self.session.wait_for(lambda: cond.holds(shown), timeout):
            when = f"at {self._at()}" if timeout <= 0 else self._span(timeout, begun)
            failing = [p for p in cond.parts if not p.holds(shown)] or list(cond.parts)
            seen = "; ".join(dict.fromkeys(p.seen(shown) for p in failing))
            raise AssertionError(f"{cond.text()} does not hold {when}: {seen}")
        return {f"{p.packet}.{p.field.name}": shown[p.packet][p.field.name] for p in cond.parts}

    def assert_telemetry(
        self, condition: str | Condition, *, timeout: float = 0.0
    ) -> dict[str, Any]:
        """Assert the telemetry meets `condition` now (or within `timeout` s)."""
        __tracebackhide__ = True
        return self.await_telemetry(condition, timeout=timeout)

    def telemetry(self, packet: str, field: str | None = None) -> Any:
        """The latest value of a field as a person reads it (`"HK.mode"` or `"HK", "mode"`), None
        before its packet has come."""
        if field is None:
            packet, _, field = packet.partition(".")
        definition = self.dictionary.telemetry_packet(packet)
        names = [f.name for f in definition.fields]
        if field.lower() not in names:
            raise CommandLineError(f"{definition.name} has no field {field!r} ({', '.join(names)})")
        return self.session.state.value(definition.name, field.lower())

    # ---- lifetime -----------------------------------------------------------------------------

    def close(self) -> None:
        """Let go of the session."""
        if self._first_packet in self.session.listeners:
            self.session.listeners.remove(self._first_packet)
        self.session.close()

    def __enter__(self) -> RoverTestAPI:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
