"""The catalog of this flight software: every row of the command, telemetry and event tables."""

from fsw.packets.catalog import Catalog
from fsw.tables.commands import COMMANDS
from fsw.tables.enums import Apid
from fsw.tables.events import EVENTS
from fsw.tables.telemetry import TELEMETRY

CATALOG = Catalog(COMMANDS, TELEMETRY, EVENTS, event_apid=Apid.TLM_EVENT)
"""Every packet this flight software sends or accepts."""
