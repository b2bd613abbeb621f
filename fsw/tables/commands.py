"""The command table: one row per command. Features add rows; everything else derives from them.

Which modes accept a command is the mode table's business (fsw.tables.modes) for the commands
that move the mode, and ALLOWED_MODES below for the rest.
"""

from enum import IntEnum

from fsw.mobility.geometry import TOP_SPEED
from fsw.packets.rules import Rule
from fsw.packets.schema import CommandDef, Data, Field
from fsw.sequences import MAX_IMAGE, SLOTS
from fsw.tables.enums import Apid, FaultKind, Flag, Mode, Trigger, Wheel
from fsw.tables.params import ORDERED, Monitor, Param

_WHEEL = Field("wheel", "u8", "Which wheel", enum=Wheel)
_A_WHEEL = (Rule("not_member", "wheel", "name a wheel, not NONE", member=Wheel.NONE.name),)
_WHEEL_FAULTS = (FaultKind.WHEEL_STALL, FaultKind.WHEEL_OPEN_CIRCUIT, FaultKind.ENCODER_LOSS)
_SLOT = Field("slot", "u8", "Sequence slot", min=1, max=SLOTS)

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
    CommandDef(
        "SET_HK_PERIOD",
        Apid.CMD_EXEC,
        0x03,
        "Send housekeeping every `period` seconds (a whole number of control cycles).",
        args=(Field("period", "f32", "Housekeeping period", "s", min=0.1, max=3600.0),),
    ),
    CommandDef(
        "DRIVE",
        Apid.CMD_MOBILITY,
        0x00,
        "Drive `distance` metres along an arc of `radius` metres (0: straight) at `speed`; "
        "completes when the distance over the ground is covered.",
        args=(
            Field("distance", "f32", "Distance; negative drives backwards", "m", -100.0, 100.0),
            Field(
                "radius",
                "f32",
                "Turn radius, centre to the left when positive; 0 means straight; otherwise "
                "at least MIN_TURN_RADIUS",
                "m",
                -1000.0,
                1000.0,
            ),
            Field(
                "speed", "f32", "Speed (faster is refused, not clipped)", "m/s", 0.001, TOP_SPEED
            ),
        ),
        rules=(
            Rule("nonzero", "distance", "goes nowhere"),
            Rule("zero_or_at_least", "radius", "(0 means straight)", param="MIN_TURN_RADIUS"),
        ),
    ),
    CommandDef(
        "TURN_IN_PLACE",
        Apid.CMD_MOBILITY,
        0x01,
        "Turn about the body centre by `angle` (positive: to the left) at TURN_RATE.",
        args=(Field("angle", "f32", "How far to turn; not 0", "deg", -360.0, 360.0),),
        rules=(Rule("nonzero", "angle", "turns nowhere"),),
    ),
    CommandDef("STOP", Apid.CMD_MOBILITY, 0x02, "Stop any drive or turn now; it ends as failed."),
    CommandDef(
        "WHEEL_ISOLATE",
        Apid.CMD_MOBILITY,
        0x03,
        "Take a wheel out of service: unpowered, the others drive (five-wheel limits apply).",
        args=(_WHEEL,),
        rules=_A_WHEEL,
        hazardous=True,
        hazard="Isolating a good wheel loses traction; a second isolation leaves the rover "
        "unable to drive (SAFE).",
    ),
    CommandDef(
        "WHEEL_RESTORE",
        Apid.CMD_MOBILITY,
        0x04,
        "Return an isolated wheel to service.",
        args=(_WHEEL,),
        rules=_A_WHEEL,
        hazardous=True,
        hazard="A wheel isolated for a stall or a short may be damaged further, or drag and "
        "trip fault protection again.",
    ),
    CommandDef(
        "SET_MODE",
        Apid.CMD_FDIR,
        0x00,
        "Ask for a mode: SAFE from STANDBY, HIBERNATE from STANDBY or SAFE, STANDBY to wake. "
        "DRIVE and CLIMB come from motion commands; SAFE is left with SAFE_RECOVER.",
        args=(Field("mode", "u8", "The mode wanted", enum=Mode),),
    ),
    CommandDef(
        "SAFE_RECOVER",
        Apid.CMD_FDIR,
        0x01,
        "Acknowledge the faults and leave SAFE for STANDBY; refused while a fault is present.",
    ),
    CommandDef(
        "SET_PARAM",
        Apid.CMD_FDIR,
        0x02,
        "Set a parameter (range-checked against its row in the dictionary).",
        args=(
            Field("param", "u16", "Which parameter", enum=Param),
            Field("value", "f64", "New value, in the parameter's unit"),
        ),
        rules=(Rule("param_value", "value", select="param", pairs=ORDERED),),
    ),
    CommandDef(
        "GET_PARAM",
        Apid.CMD_FDIR,
        0x03,
        "Report a parameter's value in the PARAM_VALUE event.",
        args=(Field("param", "u16", "Which parameter", enum=Param),),
    ),
    CommandDef(
        "MONITOR_ENABLE",
        Apid.CMD_FDIR,
        0x04,
        "Enable or disable a fault monitor (a disabled monitor forgets its count).",
        args=(
            Field("monitor", "u8", "Which monitor", enum=Monitor),
            Field("enabled", "u8", "YES to watch, NO to stop watching", enum=Flag),
        ),
    ),
    CommandDef(
        "HIBERNATE",
        Apid.CMD_POWER,
        0x00,
        "Stop, switch off every non-essential load and sleep until the sun rises past "
        "WAKE_ELEVATION with the battery above WAKE_BATTERY.",
    ),
    CommandDef(
        "SIM_INJECT_FAULT",
        Apid.CMD_TEST,
        0x00,
        "Test only: make the simulated rover have a fault. Refused on real hardware.",
        args=(
            Field("fault", "u8", "Which fault", enum=FaultKind),
            Field("wheel", "u8", "Which wheel, for wheel faults (NONE otherwise)", enum=Wheel),
            Field("value", "f32", "IMU bias in degrees (other faults ignore it)", "deg", -90, 90),
        ),
        rules=(
            Rule(
                "not_member",
                "wheel",
                "a wheel fault names a wheel",
                member=Wheel.NONE.name,
                when_arg="fault",
                when_in=tuple(f.name for f in _WHEEL_FAULTS),
            ),
        ),
    ),
    CommandDef(
        "SEQ_LOAD",
        Apid.CMD_SEQ,
        0x00,
        "Load a stored command sequence into a slot, replacing what it held (refused while it "
        "runs). Checked whole: the CRC-32, every step's command and argument ranges, absolute "
        "times not past and in order; SEQ_LOAD_REJECTED names the step at fault. The image is "
        "each step's timing u8 (0 AFTER: ms after the previous step finished; 1 AT: mission "
        "second), time u32 and command packet (see fsw/sequences.py).",
        args=(
            _SLOT,
            Field("image_crc", "u32", "CRC-32 (zlib.crc32) of the image, as the ground made it"),
        ),
        data=Data("image", "The sequence's steps back to back", MAX_IMAGE),
    ),
    CommandDef(
        "SEQ_START",
        Apid.CMD_SEQ,
        0x01,
        "Run a loaded sequence from its first step (again, if it ran before). Refused if an "
        "absolute time has passed.",
        args=(_SLOT,),
    ),
    CommandDef(
        "SEQ_PAUSE",
        Apid.CMD_SEQ,
        0x02,
        "Start no further step of a running sequence until SEQ_RESUME (a step under way, "
        "a drive, finishes).",
        args=(_SLOT,),
    ),
    CommandDef(
        "SEQ_RESUME",
        Apid.CMD_SEQ,
        0x03,
        "Go on with a paused sequence; the next relative delay counts from now at the earliest.",
        args=(_SLOT,),
    ),
    CommandDef(
        "SEQ_ABORT",
        Apid.CMD_SEQ,
        0x04,
        "Stop a running or paused sequence: no further step starts. A drive under way goes on "
        "(STOP stops it).",
        args=(_SLOT,),
    ),
    CommandDef(
        "SEQ_CLEAR",
        Apid.CMD_SEQ,
        0x05,
        "Empty a slot that is not running.",
        args=(_SLOT,),
    ),
    CommandDef(
        "PLAYBACK_TIME",
        Apid.CMD_STORE,
        0x00,
        "Play back every stored packet whose time code t has start <= t < end, oldest first, "
        "each in a playback envelope, paced by PLAYBACK_BUDGET while in contact; completes when "
        "the last has been sent. Rejected INVERTED_RANGE if end < start, EMPTY_RANGE if nothing "
        "stored falls in the range.",
        args=(
            Field("start", "f64", "First packet time included (mission time)", "s", 0, 2**32),
            Field("end", "f64", "Packet time where the range ends, excluded", "s", 0, 2**32),
        ),
    ),
    CommandDef(
        "PLAYBACK_SEQ",
        Apid.CMD_STORE,
        0x01,
        "Play back the stored packets of one APID whose sequence count s has first <= s <= "
        "last (both included), oldest first, like PLAYBACK_TIME. A range across the wrap at "
        "16383 takes two commands. Rejected INVERTED_RANGE if last < first, EMPTY_RANGE if "
        "nothing stored falls in the range.",
        args=(
            Field("apid", "u16", "The telemetry APID (TLM_EVENT for events)", enum=Apid),
            Field("first", "u16", "First sequence count included", min=0, max=16383),
            Field("last", "u16", "Last sequence count included", min=0, max=16383),
        ),
    ),
    CommandDef(
        "PLAYBACK_ABORT",
        Apid.CMD_STORE,
        0x02,
        "End every playback, the automatic one included: a PLAYBACK command waiting or under "
        "way fails ABORTED. The store keeps its packets.",
    ),
    CommandDef(
        "STORE_CLEAR",
        Apid.CMD_STORE,
        0x03,
        "Abort every playback and empty the onboard store; its overflow and eviction counts "
        "start afresh.",
        hazardous=True,
        hazard="Telemetry stored and not yet played back (an outage's) is lost for good.",
    ),
)

Hazardous = IntEnum(  # type: ignore[misc]
    "Hazardous", [(c.name, c.apid << 8 | c.code) for c in COMMANDS if c.hazardous]
)
"""The hazardous commands, as ARM names them (APID and code in one number)."""

COMMANDS = (  # after the table: ARM names the table's hazardous commands
    *COMMANDS,
    CommandDef(
        "ARM",
        Apid.CMD_EXEC,
        0x04,
        "Let one hazardous command through: it is accepted if it arrives within ARM_WINDOW "
        "seconds, once. A later ARM replaces this one.",
        args=(Field("command", "u16", "The hazardous command to let through", enum=Hazardous),),
    ),
    CommandDef(
        "SA_SET_ARSN",
        Apid.CMD_EXEC,
        0x05,
        "Set the uplink's anti-replay counter (ARSN) to `arsn`: every sequence number at or "
        "below it counts as used; the only command accepted while the counter is unknown (lost "
        "non-volatile memory). Judged by its MAC and `challenge`, not by the anti-replay window: "
        "it must carry the challenge in SECURITY telemetry, drawn anew at boot and whenever the "
        "counter moves (each accepted command, each SA_SET_ARSN), so a captured or withheld one "
        "cannot be used later. Give the ground clock in microseconds (what the ground signs "
        "with) or more; a lower value lets older commands run again.",
        args=(
            Field("arsn", "u64", "The new anti-replay counter", min=1),
            Field("challenge", "u32", "SECURITY telemetry's challenge"),
        ),
    ),
)

MODE_TRIGGERS: dict[str, Trigger] = {
    "DRIVE": Trigger.CMD_DRIVE,
    "TURN_IN_PLACE": Trigger.CMD_TURN,
    "SET_MODE": Trigger.CMD_SET_MODE,
    "SAFE_RECOVER": Trigger.CMD_SAFE_RECOVER,
    "HIBERNATE": Trigger.CMD_HIBERNATE,
}
"""Commands that move the mode: accepted only where the mode table has a row for the trigger."""

_ANY = frozenset(Mode)

ALLOWED_MODES: dict[str, frozenset[Mode]] = {
    "NOOP": _ANY,
    "RESET_COUNTERS": _ANY,
    "PING": _ANY,
    "SET_HK_PERIOD": _ANY,
    "STOP": _ANY,
    "WHEEL_ISOLATE": frozenset({Mode.STANDBY, Mode.SAFE}),
    "WHEEL_RESTORE": frozenset({Mode.STANDBY, Mode.SAFE}),
    "SET_PARAM": _ANY,
    "GET_PARAM": _ANY,
    "MONITOR_ENABLE": _ANY,
    "SIM_INJECT_FAULT": _ANY,
    "ARM": _ANY,
    "SA_SET_ARSN": _ANY,
    "SEQ_LOAD": _ANY,
    "SEQ_START": _ANY,
    "SEQ_PAUSE": _ANY,
    "SEQ_RESUME": _ANY,
    "SEQ_ABORT": _ANY,
    "SEQ_CLEAR": _ANY,
    "PLAYBACK_TIME": _ANY,
    "PLAYBACK_SEQ": _ANY,
    "PLAYBACK_ABORT": _ANY,
    "STORE_CLEAR": _ANY,
}
"""Modes accepting each command that does not move the mode (the mode table decides the rest)."""

CommandCode = IntEnum(  # type: ignore[misc]
    "CommandCode", [(c.name, c.apid << 8 | c.code) for c in COMMANDS]
)
"""Every command as APID << 8 | code: how sequence events and telemetry name a step's command.
Keep this after every addition to COMMANDS."""
