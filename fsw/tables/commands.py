"""The command table: one row per command. Features add rows; everything else derives from them."""

from fsw.packets.schema import CommandDef, Field
from fsw.tables.enums import Apid

COMMANDS: tuple[CommandDef, ...] = (
    CommandDef(
        "NOOP",
        Apid.CMD_EXEC,
        0x00,
        "Do nothing but count, verify and raise the NOOP event: proves the uplink end to end.",
    ),
    CommandDef(
        "RESET_COUNTERS",
        Apid.CMD_EXEC,
        0x01,
        "Zero the command and uplink counters in housekeeping.",
    ),
    CommandDef(
        "PING",
        Apid.CMD_EXEC,
        0x02,
        "Answer with the PING_REPLY event carrying the same token: measures the round trip.",
        args=(Field("token", "u32", "Any number; the reply carries it back unchanged."),),
    ),
)
