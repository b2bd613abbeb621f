"""This mission's secondary headers, as construct fields, and the names every header takes.

The primary header is CCSDS's (ccsds.py); these follow it. Field names the headers take cannot be
field names of a row (schema.py), and every layout splices these fields in (layout.py).
"""

from __future__ import annotations

from collections.abc import Iterable

import construct as cs

from fsw.packets.ccsds import HEADER_FIELDS

TC_SECONDARY: tuple[cs.Subconstruct, ...] = ("code" / cs.Int8ub,)
"""Telecommand secondary header: the command code under the APID."""

TM_SECONDARY: tuple[cs.Subconstruct, ...] = ("time_coarse" / cs.Int32ub, "time_fine" / cs.Int16ub)
"""Telemetry secondary header: CUC time code, 4 octets of seconds and 2 of 1/65536 s."""

EVENT_PREFIX: tuple[cs.Subconstruct, ...] = ("event_id" / cs.Int16ub, "severity" / cs.Int8ub)
"""The fields every event packet starts its data with, before the event's own arguments."""


def names(*groups: Iterable[cs.Subconstruct]) -> frozenset[str]:
    """The names of the header fields in `groups`."""
    return frozenset(sc.name for group in groups for sc in group)


COMMAND_HEADER_NAMES = names(HEADER_FIELDS, TC_SECONDARY)
TELEMETRY_HEADER_NAMES = names(HEADER_FIELDS, TM_SECONDARY)
EVENT_HEADER_NAMES = names(HEADER_FIELDS, TM_SECONDARY, EVENT_PREFIX)
