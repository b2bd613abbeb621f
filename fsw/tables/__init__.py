"""The flight software's tables (commands, telemetry, events, parameters, monitors, modes) and the
catalog built from them.

CATALOG is built on first use, so that the modules the tables are made from (the wheel geometry,
the enums) can be imported on their own without building it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fsw.tables.catalog import CATALOG
    from fsw.tables.commands import COMMANDS
    from fsw.tables.events import EVENTS
    from fsw.tables.telemetry import TELEMETRY

_HOMES = {
    "CATALOG": "catalog",
    "COMMANDS": "commands",
    "EVENTS": "events",
    "TELEMETRY": "telemetry",
}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module 'fsw.tables' has no attribute {name!r}")
    from importlib import import_module  # noqa: PLC0415

    return getattr(import_module(f"fsw.tables.{_HOMES[name]}"), name)


__all__ = ["CATALOG", "COMMANDS", "EVENTS", "TELEMETRY"]
