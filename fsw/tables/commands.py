"""The command table: one row per command. Features add rows; everything else derives from them.

Which modes accept a command is the mode table's business (fsw.tables.modes) for the commands
that move the mode, and ALLOWED_MODES below for the rest.
"""

from fsw.mobility.geometry import TOP_SPEED
from fsw.packets.schema import CommandDef, Field
from fsw.tables.enums import Apid, FaultKind, Flag, Mode, Trigger, Wheel
from fsw.tables.params import Monitor, Param

_WHEEL = Field("wheel", "u8", "Which wheel", enum=Wheel)

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
    ),
    CommandDef(
        "TURN_IN_PLACE",
        Apid.CMD_MOBILITY,
        0x01,
        "Turn about the body centre by `angle` (positive: to the left) at TURN_RATE.",
        args=(Field("angle", "f32", "How far to turn; not 0", "deg", -360.0, 360.0),),
    ),
    CommandDef("STOP", Apid.CMD_MOBILITY, 0x02, "Stop any drive or turn now; it ends as failed."),
    CommandDef(
        "WHEEL_ISOLATE",
        Apid.CMD_MOBILITY,
        0x03,
        "Take a wheel out of service: unpowered, the others drive (five-wheel limits apply).",
        args=(_WHEEL,),
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
}
"""Modes accepting each command that does not move the mode (the mode table decides the rest)."""
