"""Every row of the mode table, taken by the engine from each of its source modes; guards that
fail reject with their reason; every transition is reported."""

import pytest

from fsw.modes.machine import ModeMachine
from fsw.packets.reasons import Reason
from fsw.tables.enums import Mode, Trigger
from fsw.tables.modes import GUARDS, TRANSITIONS

CASES = [(t, source) for t in TRANSITIONS for source in t.sources]


def machine(holding: set[str]):
    seen, done = [], []
    guards = {g.name: (lambda _, n=g.name: n in holding) for g in GUARDS}
    actions = {n: (lambda arg, n=n: done.append(n)) for t in TRANSITIONS if t.action
               for n in [t.action]}  # fmt: skip
    m = ModeMachine(TRANSITIONS, GUARDS, guards, actions, lambda *a: seen.append(a))
    return m, seen, done


@pytest.mark.parametrize(("row", "source"), CASES, ids=lambda x: getattr(x, "name", None) or "")
def test_each_row_moves_from_each_source(row, source):
    m, seen, done = machine({row.guard} if row.guard else set())
    m.mode = source
    # an earlier row for the same source and trigger whose guard also holds would win
    earlier = [t for t in TRANSITIONS[: TRANSITIONS.index(row)]
               if source in t.sources and t.trigger == row.trigger and not t.guard]  # fmt: skip
    if earlier:
        pytest.skip("shadowed by an unguarded row")
    assert m.fire(row.trigger) is row
    assert m.mode == (row.target if row.target is not None else source)
    assert seen == [(source, m.mode, row.trigger, 6)]
    assert done == ([row.action] if row.action else [])


def test_a_failed_guard_rejects_with_its_reason_and_nothing_moves():
    m, seen, _ = machine(set())
    m.mode = Mode.SAFE
    assert m.select(Trigger.CMD_SAFE_RECOVER) == (None, Reason.FAULT_ACTIVE)
    assert m.fire(Trigger.CMD_SAFE_RECOVER) is None
    assert (m.mode, seen) == (Mode.SAFE, [])


def test_a_trigger_with_no_row_in_a_mode_is_not_allowed():
    m, _, _ = machine({"wheels_ok"})
    m.mode = Mode.HIBERNATE
    assert m.select(Trigger.CMD_DRIVE) == (None, Reason.NOT_ALLOWED_IN_MODE)


def test_every_mode_is_reachable_and_can_be_left():
    targets = {t.target for t in TRANSITIONS if t.target is not None}
    sources = {s for t in TRANSITIONS for s in t.sources if t.target not in (None, s)}
    assert targets == set(Mode) - {Mode.BOOT}
    assert sources == set(Mode)


def test_a_table_naming_a_missing_action_is_refused():
    guards = {g.name: (lambda _: True) for g in GUARDS}
    with pytest.raises(ValueError, match="nothing implements"):
        ModeMachine(TRANSITIONS, GUARDS, guards, {}, lambda *a: None)
