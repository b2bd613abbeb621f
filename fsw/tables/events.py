"""The event table: one row per event, with a format rendered on the ground from typed arguments."""

from fsw.packets.reasons import Reason
from fsw.packets.schema import EventDef, Field, Severity
from fsw.tables.commands import Hazardous
from fsw.tables.enums import (
    FaultKind,
    Flag,
    Hardware,
    Mode,
    PlaybackCause,
    Response,
    Trigger,
    Wheel,
)
from fsw.tables.params import Monitor, Param
from fsw.tables.sequence_events import SEQUENCE_EVENTS

_APID = Field("apid", "u16", "APID of the command")
_CODE = Field("code", "u8", "Command code under that APID")
_SEQ = Field("seq", "u16", "Sequence count of the command packet")
_REASON = Field("reason", "u8", "Why", enum=Reason)

EVENTS: tuple[EventDef, ...] = (  # ids never change: recorded logs keep their meaning
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

_MODE = Field("from_mode", "u8", "Mode before", enum=Mode)
_WHEEL = Field("wheel", "u8", "Which wheel (NONE for a monitor of the whole rover)", enum=Wheel)
_MONITOR = Field("monitor", "u8", "Which monitor", enum=Monitor)
_PARAM = Field("param", "u16", "Which parameter", enum=Param)
_HEALTHY = Field("healthy", "u8", "Wheels in service")


def _f32(name: str, description: str, unit: str = "") -> Field:
    return Field(name, "f32", description, unit)


EVENTS += (
    EventDef(
        "BOOTED",
        7,
        Severity.INFO,
        "Flight software {major}.{minor}.{patch} booted (boot {boot_count}) on {hardware}",
        "The flight software started and is about to enter STANDBY.",
        (
            Field("major", "u8"),
            Field("minor", "u8"),
            Field("patch", "u8"),
            Field("boot_count", "u16"),
            Field("hardware", "u8", "What the hardware port talks to", enum=Hardware),
        ),
    ),
    EventDef(
        "MODE_CHANGED",
        8,
        Severity.INFO,
        "Mode {from_mode} -> {to_mode} on {trigger}, {wheels} healthy wheels",
        "Every transition of the mode state machine, naming what caused it.",
        (
            _MODE,
            Field("to_mode", "u8", "Mode after", enum=Mode),
            Field("trigger", "u8", "What caused it", enum=Trigger),
            Field("wheels", "u8", "Healthy wheels"),
        ),
    ),
    EventDef(
        "MONITOR_TRIPPED",
        9,
        Severity.WARNING,
        "{monitor} tripped ({wheel}): {value} beyond {threshold}, response {response}",
        "A fault monitor stayed beyond its threshold for its persistence.",
        (
            _MONITOR,
            _WHEEL,
            _f32("value", "The value that tripped it"),
            _f32("threshold", "The threshold it broke"),
            Field("response", "u8", "What fault protection does", enum=Response),
        ),
    ),
    EventDef(
        "MONITOR_CLEARED",
        10,
        Severity.INFO,
        "{monitor} cleared ({wheel}): {value}",
        "A tripped monitor's quantity came back within its threshold.",
        (_MONITOR, _WHEEL, _f32("value", "The value now")),
    ),
    EventDef(
        "WHEEL_ISOLATED",
        11,
        Severity.WARNING,
        "Wheel {wheel} isolated; {healthy} healthy wheels left",
        "A wheel was taken out of service, by fault protection or by command.",
        (_WHEEL, _HEALTHY),
    ),
    EventDef(
        "WHEEL_RESTORED",
        12,
        Severity.INFO,
        "Wheel {wheel} restored; {healthy} healthy wheels",
        "An isolated wheel was returned to service by command.",
        (_WHEEL, _HEALTHY),
    ),
    EventDef(
        "DRIVE_STARTED",
        13,
        Severity.INFO,
        "Drive {distance} m, radius {radius} m, at {speed} m/s",
        "A DRIVE began (after its corners are steered).",
        (_f32("distance", "", "m"), _f32("radius", "", "m"), _f32("speed", "", "m/s")),
    ),
    EventDef(
        "TURN_STARTED",
        14,
        Severity.INFO,
        "Turn in place {angle} deg",
        "A TURN_IN_PLACE began.",
        (_f32("angle", "", "deg"),),
    ),
    EventDef(
        "MOTION_DONE",
        15,
        Severity.INFO,
        "Motion done: {travelled} m over the ground, {turned} deg turned",
        "A drive or turn reached its goal.",
        (_f32("travelled", "", "m"), _f32("turned", "", "deg")),
    ),
    EventDef(
        "MOTION_STOPPED",
        16,
        Severity.WARNING,
        "Motion stopped ({reason}) with {remaining} left",
        "A drive or turn ended before its goal: a STOP, fault protection or a mode change.",
        (_REASON, _f32("remaining", "Metres or degrees left")),
    ),
    EventDef(
        "PARAM_CHANGED",
        17,
        Severity.INFO,
        "{param} = {value} (was {old})",
        "SET_PARAM changed a parameter.",
        (_PARAM, Field("value", "f64"), Field("old", "f64")),
    ),
    EventDef(
        "PARAM_VALUE",
        18,
        Severity.INFO,
        "{param} = {value}",
        "The answer to GET_PARAM.",
        (_PARAM, Field("value", "f64")),
    ),
    EventDef(
        "MONITOR_CONFIGURED",
        19,
        Severity.INFO,
        "{monitor} enabled: {enabled}",
        "MONITOR_ENABLE changed a monitor.",
        (_MONITOR, Field("enabled", "u8", enum=Flag)),
    ),
    EventDef(
        "HK_PERIOD_SET",
        20,
        Severity.INFO,
        "Housekeeping every {period} s",
        "SET_HK_PERIOD changed the housekeeping rate.",
        (_f32("period", "", "s"),),
    ),
    EventDef(
        "FAULT_INJECTED",
        21,
        Severity.WARNING,
        "Simulated fault {fault} injected (wheel {wheel}, value {value})",
        "SIM_INJECT_FAULT made the simulated rover fail on purpose.",
        (Field("fault", "u8", enum=FaultKind), _WHEEL, _f32("value", "")),
    ),
    EventDef(
        "SLEEPING",
        22,
        Severity.INFO,
        "Asleep in {mode}: sun {elevation} deg, battery {soc} %, exterior {temp} degC",
        "The rover stopped, switched its loads off and went to sleep (hibernation or nap).",
        (
            Field("mode", "u8", enum=Mode),
            _f32("elevation", "", "deg"),
            _f32("soc", "", "%"),
            _f32("temp", "", "degC"),
        ),
    ),
    EventDef(
        "AWAKE",
        23,
        Severity.INFO,
        "Awake: sun {elevation} deg, battery {soc} %, exterior {temp} degC",
        "The rover woke from hibernation or a nap.",
        (_f32("elevation", "", "deg"), _f32("soc", "", "%"), _f32("temp", "", "degC")),
    ),
    EventDef(
        "UPLINK_REFUSED",
        40,
        Severity.ERROR,
        "Security refused a command (APID {apid} code {code} seq {seq}): {reason}, "
        "SPI {spi}, SN {sn}",
        "A command failed uplink authentication (bare, forged, wrong key or replayed) and did "
        "nothing. The APID, code and seq are what the packet claims: untrusted unless the "
        "reason is REPLAYED.",
        (
            _APID,
            _CODE,
            _SEQ,
            _REASON,
            Field("spi", "u16", "Key the envelope named (0: none)"),
            Field("sn", "u64", "Sequence number the envelope carried (0: none)"),
        ),
    ),
    EventDef(
        "ARMED",
        41,
        Severity.WARNING,
        "{command} armed for {window} s",
        "ARM let one hazardous command through for ARM_WINDOW seconds.",
        (Field("command", "u16", enum=Hazardous), _f32("window", "", "s")),
    ),
    EventDef(
        "UPLINK_INSECURE",
        42,
        Severity.WARNING,
        "Uplink and downlink NOT authenticated (--insecure): anyone who can reach the link "
        "can command, and forge telemetry",
        "Raised at boot when the flight software runs without a key: commands are not "
        "judged and telemetry goes down plain.",
    ),
    EventDef(
        "ARSN_UNKNOWN",
        47,
        Severity.CRITICAL,
        "Anti-replay counter lost (non-volatile memory missing or unreadable): every command is "
        "refused until SA_SET_ARSN, challenge {challenge}",
        "Raised at boot when the uplink's anti-replay counter could not be restored: starting "
        "it at 0 would let every command ever captured run again, so only SA_SET_ARSN (with "
        "this challenge, also in SECURITY telemetry) is accepted until it is set.",
        (Field("challenge", "u32", "What SA_SET_ARSN must carry"),),
    ),
    EventDef(
        "ARSN_SET",
        48,
        Severity.WARNING,
        "Anti-replay counter set to {arsn} (was {previous}); next challenge {challenge}",
        "SA_SET_ARSN re-established the anti-replay counter.",
        (
            Field("arsn", "u64", "The counter now"),
            Field("previous", "u64", "The counter before (0: unknown)"),
            Field("challenge", "u32", "The challenge the next SA_SET_ARSN must carry"),
        ),
    ),
    EventDef(
        "NVRAM_FAILED",
        49,
        Severity.CRITICAL,
        "Non-volatile memory write failed (errno {errno}): commands are refused NVRAM_FAILED "
        "until the anti-replay counter can be kept",
        "The anti-replay counter could not be written (disk full, file too large, read-only). "
        "Raised once per run of failures; SECURITY telemetry keeps the errno and a count.",
        (Field("errno", "u16", "The operating system's error number (28: no space left)"),),
    ),
)

_CAUSE = Field("cause", "u8", "Why these packets are played back", enum=PlaybackCause)

EVENTS += (  # the onboard store and playback (fsw.forward)
    EventDef(
        "STORE_OVERFLOW",
        50,
        Severity.WARNING,
        "Onboard store full ({size} bytes): packets lost, oldest housekeeping first "
        "({housekeeping} housekeeping, {precious} events and reports so far)",
        "The store lost its first packet since boot or STORE_CLEAR (raised once: STORE "
        "telemetry keeps counting). Events and verification reports are kept before "
        "housekeeping.",
        (
            Field("size", "u32", "Store size", "byte"),
            Field("housekeeping", "u32", "Housekeeping packets lost"),
            Field("precious", "u32", "Events and verification reports lost"),
        ),
    ),
    EventDef(
        "PLAYBACK_STARTED",
        51,
        Severity.INFO,
        "Playback of {packets} stored packets started ({cause})",
        "A playback sent its first packet: the outage's on contact, or a PLAYBACK command's.",
        (Field("packets", "u32", "Stored packets it will send"), _CAUSE),
    ),
    EventDef(
        "PLAYBACK_FINISHED",
        52,
        Severity.INFO,
        "Playback finished ({cause}): {sent} packets sent, {lost} lost before their turn, {reason}",
        "A playback ended: all sent (OK), or ABORTED by PLAYBACK_ABORT or STORE_CLEAR.",
        (
            Field("sent", "u32", "Packets played back"),
            Field("lost", "u32", "Packets evicted from the store before their turn"),
            _CAUSE,
            _REASON,
        ),
    ),
    EventDef(
        "STORE_CLEARED",
        53,
        Severity.WARNING,
        "Onboard store cleared: {dropped} packets dropped",
        "STORE_CLEAR emptied the store.",
        (Field("dropped", "u32", "Packets dropped"),),
    ),
)

EVENTS = (*EVENTS, *SEQUENCE_EVENTS)  # stored command sequences: ids 60-69
