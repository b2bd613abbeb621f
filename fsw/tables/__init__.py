"""The flight software's tables (commands, telemetry, events) and the catalog built from them."""

from fsw.packets.catalog import Catalog
from fsw.tables.commands import COMMANDS
from fsw.tables.enums import Apid
from fsw.tables.events import EVENTS
from fsw.tables.telemetry import TELEMETRY

CATALOG = Catalog(COMMANDS, TELEMETRY, EVENTS, event_apid=Apid.TLM_EVENT)
"""Every packet this flight software sends or accepts."""

__all__ = ["CATALOG", "COMMANDS", "EVENTS", "TELEMETRY"]
