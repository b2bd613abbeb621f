"""The engine that runs the mode transition table: finds the row a trigger selects, checks its
guard, runs its action, moves, and reports every transition."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fsw.modes.schema import Guard, Transition
from fsw.packets.reasons import Reason
from fsw.tables.enums import Mode, Trigger

GuardFn = Callable[[object], bool]
"""A guard: true when the transition may happen; gets the trigger's argument (or None)."""

Listener = Callable[[Mode, Mode, Trigger, int], None]
"""Told of every transition: from, to, trigger, healthy wheels."""


class ModeMachine:
    """The rover's mode and healthy-wheel count, moved only by the transition table."""

    def __init__(
        self,
        transitions: tuple[Transition, ...],
        guards: tuple[Guard, ...],
        guard_fns: Mapping[str, GuardFn],
        actions: Mapping[str, Callable[[object], None]],
        listener: Listener,
        wheels: int = 6,
    ) -> None:
        self.guards = {g.name: g for g in guards}
        for t in transitions:
            missing = [n for n in (t.guard,) if n and n not in guard_fns]
            missing += [n for n in (t.action,) if n and n not in actions]
            if missing or (t.guard and t.guard not in self.guards):
                raise ValueError(f"transition {t.describe()}: nothing implements {missing}")
        self._rows: dict[tuple[Mode, Trigger], list[Transition]] = {}
        for t in transitions:
            for source in t.sources:
                self._rows.setdefault((source, t.trigger), []).append(t)
        self._guard_fns = guard_fns
        self._actions = actions
        self._listener = listener
        self.mode = Mode.BOOT
        self.wheels = wheels

    def select(self, trigger: Trigger, arg: object = None) -> tuple[Transition | None, Reason]:
        """The row `trigger` would take now, or None and why not (without moving)."""
        rows = self._rows.get((self.mode, trigger))
        if not rows:
            return None, Reason.NOT_ALLOWED_IN_MODE
        reason = Reason.NOT_ALLOWED_IN_MODE
        for row in rows:
            if not row.guard or self._guard_fns[row.guard](arg):
                return row, Reason.OK
            reason = self.guards[row.guard].reason
        return None, reason

    def fire(self, trigger: Trigger, arg: object = None) -> Transition | None:
        """Take the row `trigger` selects, if any: run its action, move, and report."""
        row, _ = self.select(trigger, arg)
        if row is None:
            return None
        if row.action:
            self._actions[row.action](arg)
        before = self.mode
        if row.target is not None:
            self.mode = row.target
        self._listener(before, self.mode, trigger, self.wheels)
        return row
