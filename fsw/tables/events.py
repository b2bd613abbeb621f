"""The event table: one row per event, with a format rendered on the ground from typed arguments."""

from fsw.packets.reasons import Reason
from fsw.packets.schema import EventDef, Field, Severity

_APID = Field("apid", "u16", "APID of the command")
_CODE = Field("code", "u8", "Command code under that APID")
_SEQ = Field("seq", "u16", "Sequence count of the command packet")
_REASON = Field("reason", "u8", "Why", enum=Reason)

EVENTS: tuple[EventDef, ...] = (
    EventDef(
        "NOOP",
        1,
        Severity.INFO,
        "NOOP received, flight software {major}.{minor}.{patch}",
        "The answer to NOOP, with the flight-software version.",
        (Field("major", "u8"), Field("minor", "u8"), Field("patch", "u8")),
    ),
    EventDef(
        "PING_REPLY",
        2,
        Severity.INFO,
        "PING reply, token {token}",
        "The answer to PING.",
        (Field("token", "u32", "The token the PING carried"),),
    ),
    EventDef(
        "COUNTERS_RESET",
        3,
        Severity.INFO,
        "Command and uplink counters reset",
        "RESET_COUNTERS zeroed the housekeeping counters.",
    ),
    EventDef(
        "CMD_REJECTED",
        4,
        Severity.WARNING,
        "Command APID {apid} code {code} seq {seq} rejected: {reason}",
        "A command was refused and changed nothing.",
        (_APID, _CODE, _SEQ, _REASON),
    ),
    EventDef(
        "CMD_FAILED",
        5,
        Severity.WARNING,
        "Command APID {apid} code {code} seq {seq} failed: {reason}",
        "A command was accepted and started but could not complete.",
        (_APID, _CODE, _SEQ, _REASON),
    ),
    EventDef(
        "UPLINK_DISCARDED",
        6,
        Severity.WARNING,
        "Uplink discarded {count} bytes: {reason}",
        "The uplink deframer threw bytes away; nothing in them was executed.",
        (Field("count", "u32", "Bytes discarded", "byte"), _REASON),
    ),
)
