"""Replayed-telemetry testing: a pytest API over a ground session (tools.testing.api) and its
fixtures (tools.testing.plugin, the `rover` pytest plugin).

Imported lazily: the plugin is loaded by every pytest run where the project is installed, and
should cost nothing until a test asks for a rover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.testing.api import RoverTestAPI

__all__ = ["RoverTestAPI"]


def __getattr__(name: str) -> Any:
    if name == "RoverTestAPI":
        from tools.testing.api import RoverTestAPI  # noqa: PLC0415

        return RoverTestAPI
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
