"""The sequencer: stored command sequences in their slots, run from the control cycle.

Each slot holds one sequence (fsw.sequences: the image and its load checks). A running sequence
dispatches its steps' commands through the dispatcher exactly as if they came from the ground
(verification reports, mode rules, arming), one at a time: a step starts only when the one
before it has finished (a DRIVE when it arrives) and its own time has come. It needs no uplink,
so it runs out of contact. A step rejected or failed stops the sequence (FAILED) and says where:
SEQ_STEP_FAILED names the slot, the step, the command and the reason, and SEQ telemetry keeps
the last failure. PAUSE and ABORT act at step boundaries: a step under way finishes.

A step's command feeds the dead-man (COMMAND_LOSS) as a ground command does, so a plan keeps
the rover commanded through a loss of signal; one step longer than COMMAND_LOSS_LIMIT is still
stopped, as the same command from the ground would be. A step's finish is seen at the next
control cycle, so relative delays count from within one cycle of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fsw.dispatch import Command, Handler, Rejected, checked
from fsw.packets.catalog import Catalog
from fsw.packets.reasons import Reason
from fsw.sequences import SLOTS, LoadError, Step, Timing, check, check_times, split
from fsw.tables.enums import SeqState, Stage

Dispatch = Callable[[bytes], Command | Rejected]
"""Hands a step's command packet to the dispatcher; what became of it."""
Emit = Callable[[str, dict[str, Any]], None]

_UNDER_WAY = frozenset({SeqState.RUNNING, SeqState.PAUSED})
_RESOLUTION = 1e-3  # s: a step's time is in ms, so a float clock's 18.29999 is 18.3


@dataclass
class Slot:
    """One sequence slot: its steps, where it is, and the step under way."""

    number: int
    steps: tuple[Step, ...] = ()
    crc: int = 0
    state: SeqState = SeqState.EMPTY
    started: int = 0  # steps started so far: the last one started is step `started`
    since: float = 0.0  # when the previous step finished (or START, or RESUME)
    pending: Command | None = None  # the step's command under way (a drive completes later)


@dataclass
class Failure:
    """Where a sequence last stopped on a step (slot 0: none yet)."""

    slot: int = 0
    step: int = 0
    command: int = 0
    reason: Reason = Reason.OK


class Sequencer:
    """The sequence slots and what runs them; see the module docstring."""

    def __init__(
        self, catalog: Catalog, now: Callable[[], float], dispatch: Dispatch, emit: Emit
    ) -> None:
        self.catalog, self._now, self._dispatch, self._emit = catalog, now, dispatch, emit
        self.slots = tuple(Slot(n) for n in range(1, SLOTS + 1))
        self.failure = Failure()
        self.steps_run = 0
        self._loaded: tuple[Command, tuple[Step, ...]] | None = None  # checked, not yet stored

    # ---- running ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Move every running sequence on (once per control cycle)."""
        for slot in self.slots:
            if slot.state in _UNDER_WAY:
                self._advance(slot)

    def _advance(self, slot: Slot) -> None:
        now = self._now()
        for _ in range(len(slot.steps) + 1):  # steps due now all start in this cycle
            cmd = slot.pending
            if cmd is not None:
                if cmd.outcome is None:
                    return  # still under way
                slot.pending = None
                if cmd.outcome is Stage.FAILED:
                    self._stopped(slot, Stage.FAILED, cmd.failure)
                    return
                slot.since = now
            if slot.state is not SeqState.RUNNING:
                return
            if slot.started == len(slot.steps):
                slot.state = SeqState.COMPLETED
                self._emit("SEQ_COMPLETED", {"slot": slot.number, "steps": len(slot.steps)})
                return
            step = slot.steps[slot.started]
            due = slot.since + step.delay if step.timing is Timing.AFTER else step.time
            if now < due - _RESOLUTION:
                return
            self._start_step(slot, step, now)
            if slot.state not in _UNDER_WAY:  # it failed, or the step stopped its own slot
                return

    def _start_step(self, slot: Slot, step: Step, now: float) -> None:
        slot.started += 1
        self.steps_run += 1
        self._emit(
            "SEQ_STEP",
            {"slot": slot.number, "step": slot.started, "steps": len(slot.steps),
             "command": step.command},
        )  # fmt: skip
        result = self._dispatch(step.packet)
        if slot.state not in _UNDER_WAY:  # the step aborted its own slot: its outcome is moot
            return
        if isinstance(result, Rejected):
            self._stopped(slot, Stage.REJECTED, result.reason)
        elif result.outcome is Stage.FAILED:
            self._stopped(slot, Stage.FAILED, result.failure)
        elif result.outcome is Stage.COMPLETED:
            slot.since = now
        else:
            slot.pending = result

    def _stopped(self, slot: Slot, stage: Stage, reason: Reason) -> None:
        command = slot.steps[slot.started - 1].command
        slot.state = SeqState.FAILED
        self.failure = Failure(slot.number, slot.started, command, reason)
        self._emit(
            "SEQ_STEP_FAILED",
            {"slot": slot.number, "step": slot.started, "command": command, "stage": stage,
             "reason": reason},
        )  # fmt: skip

    # ---- commands --------------------------------------------------------------------------

    def _slot(self, cmd: Command) -> Slot:
        return self.slots[cmd.args["slot"] - 1]

    def _not_running(self, cmd: Command) -> None:
        slot = self._slot(cmd)
        if slot.state in _UNDER_WAY:
            raise Rejected(
                Reason.BUSY,
                f"{cmd.name}: slot {slot.number} is {slot.state.name} (SEQ_ABORT it first)",
                0,
            )

    def _in_state(self, cmd: Command, *states: SeqState) -> None:
        slot = self._slot(cmd)
        if slot.state not in states:
            wanted = " or ".join(s.name for s in states)
            raise Rejected(
                Reason.SLOT_STATE,
                f"{cmd.name}: slot {slot.number} is {slot.state.name}, not {wanted}",
                0,
            )

    def _load_check(self, cmd: Command) -> None:
        self._not_running(cmd)
        image, crc = cmd.args["image"], cmd.args["image_crc"]
        try:
            steps = check(self.catalog, image, crc, self._now())
        except LoadError as err:
            self._load_rejected(cmd, err)
            at = 1 if err.reason is Reason.SEQUENCE_CRC else None  # the argument at fault
            raise Rejected(err.reason, f"SEQ_LOAD: {err.message}", at) from None
        self._loaded = (cmd, steps)

    def _load_rejected(self, cmd: Command, err: LoadError) -> None:
        self._emit(
            "SEQ_LOAD_REJECTED",
            {"slot": cmd.args["slot"], "reason": err.reason, "step": err.step,
             "detail": err.detail, "arg": err.arg_index},
        )  # fmt: skip

    def _load(self, cmd: Command) -> bool:
        loaded, self._loaded = self._loaded, None
        steps = loaded[1] if loaded is not None and loaded[0] is cmd else split(cmd.args["image"])
        slot = self._slot(cmd)
        slot.steps, slot.crc = steps, cmd.args["image_crc"]
        slot.state, slot.started, slot.pending = SeqState.LOADED, 0, None
        self._emit(
            "SEQ_LOADED", {"slot": slot.number, "steps": len(slot.steps), "image_crc": slot.crc}
        )
        return True

    def _start_check(self, cmd: Command) -> None:
        self._not_running(cmd)
        slot = self._slot(cmd)
        if slot.state is SeqState.EMPTY:
            raise Rejected(Reason.SLOT_STATE, f"SEQ_START: slot {slot.number} is EMPTY", 0)
        try:
            check_times(slot.steps, self._now())
        except LoadError as err:
            raise Rejected(err.reason, f"SEQ_START: slot {slot.number} {err.message}", 0) from None

    def _start(self, cmd: Command) -> bool:
        slot = self._slot(cmd)
        slot.state, slot.started, slot.since, slot.pending = SeqState.RUNNING, 0, self._now(), None
        self._emit("SEQ_STARTED", {"slot": slot.number, "steps": len(slot.steps)})
        return True

    def _change(self, event: str, state: SeqState) -> Callable[[Command], bool]:
        def run(cmd: Command) -> bool:
            slot = self._slot(cmd)
            slot.state = state
            if state is SeqState.RUNNING:  # resumed: a relative delay counts from now at least
                slot.since = max(slot.since, self._now())
            elif state is SeqState.ABORTED:
                slot.pending = None  # a drive under way goes on; its outcome is not ours
            self._emit(event, {"slot": slot.number, "step": slot.started})
            return True

        return run

    def _clear(self, cmd: Command) -> bool:
        slot = self._slot(cmd)
        slot.steps, slot.crc, slot.state, slot.started = (), 0, SeqState.EMPTY, 0
        self._emit("SEQ_CLEARED", {"slot": slot.number})
        return True

    def handlers(self, mode_check: Callable[[Command], None]) -> dict[str, Handler]:
        """The SEQ_* commands' handlers (each also passes `mode_check`)."""

        def with_mode(check: Callable[[Command], None]) -> Callable[[Command], None]:
            return checked(mode_check, check)

        running, paused = SeqState.RUNNING, SeqState.PAUSED
        return {
            "SEQ_LOAD": Handler(self._load, with_mode(self._load_check)),
            "SEQ_START": Handler(self._start, with_mode(self._start_check)),
            "SEQ_PAUSE": Handler(
                self._change("SEQ_PAUSED", paused), with_mode(lambda c: self._in_state(c, running))
            ),
            "SEQ_RESUME": Handler(
                self._change("SEQ_RESUMED", running), with_mode(lambda c: self._in_state(c, paused))
            ),
            "SEQ_ABORT": Handler(
                self._change("SEQ_ABORTED", SeqState.ABORTED),
                with_mode(lambda c: self._in_state(c, running, paused)),
            ),
            "SEQ_CLEAR": Handler(self._clear, with_mode(self._not_running)),
        }

    # ---- telemetry -------------------------------------------------------------------------

    def telemetry(self) -> dict[str, Any]:
        """The SEQ packet's values."""
        values: dict[str, Any] = {}
        for slot in self.slots:
            values[f"slot{slot.number}_state"] = slot.state
            values[f"slot{slot.number}_step"] = slot.started
            values[f"slot{slot.number}_steps"] = len(slot.steps)
        f = self.failure
        values.update(
            steps_run=self.steps_run & 0xFFFF,
            fail_slot=f.slot,
            fail_step=f.step,
            fail_command=f.command,
            fail_reason=f.reason,
        )
        return values
