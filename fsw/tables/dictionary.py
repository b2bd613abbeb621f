"""The whole flight dictionary: the packet catalog plus the tables the ground needs to operate the
rover (parameters with their defaults and ranges, fault monitors, and the mode state machine)."""

from __future__ import annotations

from typing import Any

from fsw import downlink_auth
from fsw.packets.dictionary import export
from fsw.tables import CATALOG
from fsw.tables.commands import ALLOWED_MODES, MODE_TRIGGERS
from fsw.tables.enums import Mode
from fsw.tables.modes import GUARDS, TRANSITIONS
from fsw.tables.monitors import MONITORS
from fsw.tables.params import PARAMS


def flight_dictionary() -> dict[str, Any]:
    """Everything `rover dict` writes."""
    doc = export(CATALOG)
    doc["parameters"] = [
        {
            "name": p.name,
            "id": p.id,
            "default": p.default,
            "min": p.min,
            "max": p.max,
            "unit": p.unit,
            "whole": p.whole,
            "description": p.description,
        }
        for p in PARAMS
    ]
    doc["monitors"] = [
        {
            "name": m.name,
            "id": i,
            "quantity": m.quantity,
            "trips_when": "above" if m.above else "below",
            "threshold_param": m.limit_param,
            "five_wheel_threshold_param": m.degraded_param if m.degraded is not None else None,
            "persistence_param": m.persistence_param,
            "unit": m.unit,
            "response": m.response.name,
            "watches": m.watch.value,
            "per_wheel": m.per_wheel,
            "description": m.description,
        }
        for i, m in enumerate(MONITORS)
    ]
    doc["modes"] = mode_machine()
    doc["downlink_authentication"] = downlink_auth.describe()
    return doc


def mode_machine() -> dict[str, Any]:
    """The mode state machine as data: states, guards, transitions, and which commands each
    mode accepts."""
    return {
        "states": [m.name for m in Mode],
        "initial": Mode.BOOT.name,
        "state_variables": {"mode": "Mode", "healthy_wheels": "0..6"},
        "guards": [
            {"name": g.name, "description": g.description, "rejects_with": g.reason.name}
            for g in GUARDS
        ],
        "transitions": [
            {
                "from": [s.name for s in t.sources],
                "trigger": t.trigger.name,
                "guard": t.guard or None,
                "to": t.target.name if t.target is not None else None,
                "action": t.action or None,
            }
            for t in TRANSITIONS
        ],
        "command_triggers": {name: t.name for name, t in MODE_TRIGGERS.items()},
        "command_modes": {
            name: sorted(m.name for m in modes) for name, modes in ALLOWED_MODES.items()
        },
    }
