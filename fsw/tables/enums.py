"""Enumerations that the tables share with the flight software (exported into the dictionary)."""

from enum import IntEnum


class Apid(IntEnum):
    """Application process identifiers: 0x010-0x0FF telecommand, 0x100-0x1FF telemetry."""

    CMD_EXEC = 0x010  # executive and command dispatcher commands
    CMD_MOBILITY = 0x011  # driving, turning, wheels
    CMD_FDIR = 0x012  # fault protection, parameters, modes
    CMD_POWER = 0x013  # hibernation
    CMD_SEQ = 0x014  # stored command sequences: load, start, pause, resume, abort, clear
    CMD_STORE = 0x015  # onboard store: playback by time or sequence, abort, clear
    CMD_TEST = 0x01F  # test-only commands, refused on real hardware
    CMD_SECURE = 0x0F0  # authenticated envelope around a command (fsw.packets.secure)
    TLM_HK = 0x100  # executive housekeeping
    TLM_VERIFY = 0x101  # command verification reports
    TLM_EVENT = 0x102  # events
    TLM_MOBILITY = 0x103  # pose and drive state (housekeeping rate)
    TLM_WHEELS = 0x104  # per-wheel currents, rates, temperatures (housekeeping rate)
    TLM_POWER = 0x105  # battery, solar, sun, thermal (housekeeping rate)
    TLM_FDIR = 0x106  # the state of every fault monitor (housekeeping rate)
    TLM_HW_LINK = 0x107  # the serial board's link (housekeeping rate, only with a board)
    TLM_PLAYBACK = 0x108  # a stored packet played back, in an envelope (fsw.packets.playback)
    TLM_SEQ = 0x109  # stored command sequences: each slot's state (housekeeping rate)
    TLM_STORE = 0x10A  # the onboard store and playback (housekeeping rate)
    TLM_SECURITY = 0x10B  # uplink authentication and arming (housekeeping rate)
    TLM_SECURE = 0x10C  # authenticated envelope around a telemetry packet (fsw.packets.secure)
    TLM_RADIO = 0x10D  # the ground link's radio: connections, bytes, drops (housekeeping rate)


class Mode(IntEnum):
    """The rover's operating mode."""

    BOOT = 0
    STANDBY = 1
    DRIVE = 2
    CLIMB = 3
    SAFE = 4
    HIBERNATE = 5
    NAP = 6


class Stage(IntEnum):
    """Stage of a command verification report (in the spirit of PUS service 1)."""

    ACCEPTED = 1
    REJECTED = 2
    STARTED = 3
    PROGRESS = 4
    COMPLETED = 5
    FAILED = 6


class Wheel(IntEnum):
    """The six wheels: left/right, front/middle/rear. NONE where no wheel is meant."""

    LF = 0
    LM = 1
    LR = 2
    RF = 3
    RM = 4
    RR = 5
    NONE = 0xFF


class Flag(IntEnum):
    """A yes/no value in telemetry or a command."""

    NO = 0
    YES = 1


class FaultKind(IntEnum):
    """Faults the simulated rover can be told to have (SIM_INJECT_FAULT)."""

    CLEAR = 0  # remove every injected fault
    WHEEL_STALL = 1  # the wheel locks: high current, no rotation
    WHEEL_OPEN_CIRCUIT = 2  # the motor draws no current and drives nothing
    ENCODER_LOSS = 3  # the wheel turns but its encoder stops counting
    IMU_BIAS = 4  # pitch and roll read `value` degrees high
    BATTERY_CELL_LOSS = 5  # one of the battery's cells drops out


class Response(IntEnum):
    """What fault protection does when a monitor trips."""

    NONE = 0  # report only
    STOP = 1  # stop driving; the drive fails
    ISOLATE_WHEEL = 2  # stop, isolate the wheel, drive on the others if enough are left
    SAFE = 3  # stop and enter SAFE
    HIBERNATE = 4  # stop and hibernate
    NAP = 5  # stop and nap until cool


class MonitorState(IntEnum):
    """A fault monitor's state as telemetry reports it (the worst wheel for per-wheel ones)."""

    DISABLED = 0
    IDLE = 1  # enabled, not watching in this mode
    OK = 2
    PENDING = 3  # beyond its threshold, not yet for its persistence
    TRIPPED = 4


class Trigger(IntEnum):
    """What makes the mode state machine move (named in every MODE_CHANGED event)."""

    BOOTED = 0
    CMD_DRIVE = 1
    CMD_TURN = 2
    CMD_STOP = 3
    CMD_SET_MODE = 4
    CMD_SAFE_RECOVER = 5
    CMD_HIBERNATE = 6
    MOTION_DONE = 7
    SLOPE_UP = 8
    SLOPE_EASED = 9
    FAULT_STOP = 10
    FAULT_SAFE = 11
    WHEEL_FAILED = 12
    WHEEL_RESTORED = 13
    FAULT_HIBERNATE = 14
    FAULT_NAP = 15
    SUNRISE = 16
    COOLED = 17


class Motion(IntEnum):
    """What the mobility controller is doing."""

    IDLE = 0
    STEERING = 1  # turning the corner wheels before rolling
    DRIVING = 2
    TURNING = 3  # turning in place


class Hardware(IntEnum):
    """What the flight software's hardware port talks to."""

    SIMULATED = 0
    SERIAL_BOARD = 1


class BoardKind(IntEnum):
    """Which motor-and-sensor board answers on a serial hardware link (the board protocol's
    INFO.board byte)."""

    NONE = 0  # no board has answered yet
    ARDUINO_UNO = 1
    RASPBERRY_PI = 2


NO_ARGUMENT = 0xFF
"""arg_index of a verification report that is not about one argument."""


class DownlinkAuth(IntEnum):
    """Whether telemetry goes down authenticated (said in every HK packet)."""

    INSECURE = 0  # plain packets: started with --insecure, a relay could forge them
    AUTHENTICATED = 1  # every packet sealed in a telemetry envelope with its own key and MAC


class UplinkAuth(IntEnum):
    """Whether the uplink demands authenticated commands (said in every HK packet)."""

    INSECURE = 0  # bare commands are executed: started with --insecure
    AUTHENTICATED = 1  # only commands in a good authenticated envelope are executed


class SeqState(IntEnum):
    """A stored-sequence slot's state (SEQ telemetry, sequence events)."""

    EMPTY = 0  # nothing loaded
    LOADED = 1  # loaded, never started
    RUNNING = 2
    PAUSED = 3  # no further step starts until SEQ_RESUME (a step under way finishes)
    COMPLETED = 4  # every step completed; SEQ_START runs it again
    FAILED = 5  # stopped at a step that was rejected or failed
    ABORTED = 6  # stopped by SEQ_ABORT


class PlaybackCause(IntEnum):
    """Why stored packets are being played back."""

    CONTACT = 0  # stored while the relay was out of view: played back when it came back
    TIME = 1  # PLAYBACK_TIME asked for a range of packet times
    SEQUENCE = 2  # PLAYBACK_SEQ asked for a range of one APID's sequence counts
