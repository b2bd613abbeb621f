"""The telemetry table: one row per fixed-layout packet. Events have their own table.

HK and the four housekeeping-rate packets after it are sent together every housekeeping period;
WHEELS and FDIR have one field per wheel or monitor, generated from those tables.
"""

from fsw.fdir.schema import MonitorDef
from fsw.mobility.geometry import CORNERS, WHEELS
from fsw.packets.limits import Limits
from fsw.packets.reasons import Reason
from fsw.packets.schema import Field, TelemetryDef
from fsw.sequences import SLOTS as SEQ_SLOTS
from fsw.tables.commands import CommandCode
from fsw.tables.enums import (
    NO_ARGUMENT,
    Apid,
    BoardKind,
    Flag,
    MonitorState,
    Motion,
    SeqState,
    Stage,
    UplinkAuth,
)
from fsw.tables.monitors import MONITORS
from fsw.tables.telemetry_hk import HK_FIELDS

_WRAPS = "; wraps at 65536"
_SATURATES = "; stops at 4294967295"


def _f32(name: str, description: str, unit: str = "", limits: Limits | None = None) -> Field:
    return Field(name, "f32", description, unit, limits=limits)


def _wheel_fields() -> tuple[Field, ...]:
    out: list[Field] = []
    current = Limits(yellow_high=2.0, red_high=3.0)
    temp = Limits(yellow_high=70.0, red_high=80.0)
    for w in WHEELS:
        n = w.wheel.name
        out.append(_f32(f"rate_{n.lower()}", f"Wheel {n} rate from its encoder", "rad/s"))
        out.append(_f32(f"current_{n.lower()}", f"Wheel {n} motor current", "A", current))
        out.append(_f32(f"temp_{n.lower()}", f"Wheel {n} motor temperature", "degC", temp))
        out.append(Field(f"isolated_{n.lower()}", "u8", f"Wheel {n} isolated", enum=Flag))
    for c in CORNERS:
        n = c.wheel.name
        out.append(_f32(f"steer_{n.lower()}", f"Corner {n} steering angle, measured", "deg"))
    return tuple(out)


def _monitor_field(m: MonitorDef) -> Field:
    worst = " (the worst wheel)" if m.per_wheel else ""
    return Field(m.name.lower(), "u8", f"State of monitor {m.name}{worst}", enum=MonitorState)


TELEMETRY: tuple[TelemetryDef, ...] = (
    TelemetryDef(
        "HK",
        Apid.TLM_HK,
        "Executive housekeeping: mode, command and uplink counters, load (housekeeping rate).",
        HK_FIELDS,
    ),
    TelemetryDef(
        "CMD_VERIFY",
        Apid.TLM_VERIFY,
        "Command verification report: one per stage a command reaches, naming the command.",
        (
            Field("stage", "u8", "Which stage this report is", enum=Stage),
            Field("cmd_apid", "u16", "APID of the command"),
            Field("cmd_code", "u8", "Code of the command"),
            Field("cmd_seq", "u16", "Sequence count of the command packet"),
            Field("reason", "u8", "Why it was rejected or failed (OK otherwise)", enum=Reason),
            Field("arg_index", "u8", f"Index of the argument at fault ({NO_ARGUMENT} when none)"),
            Field("cmd_sn", "u64", "Sequence number of the envelope that carried it (0: none)"),
        ),
    ),
    TelemetryDef(
        "MOBILITY",
        Apid.TLM_MOBILITY,
        "Where the rover is and what it is doing: pose, attitude, drive progress, slip, hazard.",
        (
            _f32("x", "Position east of the site origin (visual odometry and IMU heading)", "m"),
            _f32("y", "Position north of the site origin", "m"),
            _f32("heading", "Heading, counter-clockwise from east", "deg"),
            _f32("pitch", "Pitch, nose up positive", "deg"),
            _f32("roll", "Roll, left side up positive", "deg"),
            _f32("tilt", "Tilt from level (pitch and roll together)", "deg"),
            _f32("odometry", "Distance the wheels rolled since boot (encoders)", "m"),
            _f32("travelled", "Distance over the ground since boot (visual odometry)", "m"),
            _f32("slip", "Smoothed slip: 1 - ground distance / wheel distance", ""),
            Field("motion", "u8", "What mobility is doing", enum=Motion),
            _f32("speed", "Commanded body speed", "m/s"),
            _f32("remaining", "Distance (m) or angle (deg) left of the present motion"),
            _f32("hazard_height", "Tallest step ahead", "m"),
            _f32("hazard_distance", "How far ahead that step is", "m"),
        ),
    ),
    TelemetryDef(
        "WHEELS",
        Apid.TLM_WHEELS,
        "Every wheel's rate, current, temperature and isolation, and the corner angles.",
        _wheel_fields(),
    ),
    TelemetryDef(
        "POWER",
        Apid.TLM_POWER,
        "Battery, solar array, sun and temperatures: what decides hibernation and naps.",
        (
            _f32("battery_soc", "Battery state of charge", "%", Limits(red_low=20, yellow_low=30)),
            _f32("battery_voltage", "Bus voltage", "V", Limits(red_low=28.0, yellow_low=29.0)),
            _f32("solar_power", "Solar array output", "W"),
            _f32("load_power", "Power drawn", "W"),
            _f32("sun_elevation", "Sun elevation above the local horizon", "deg"),
            _f32(
                "electronics_temp",
                "Warm electronics box",
                "degC",
                Limits(yellow_high=50, red_high=60),
            ),
            _f32(
                "exterior_temp",
                "Sunlit side of the body",
                "degC",
                Limits(yellow_high=90, red_high=100),
            ),
        ),
    ),
    TelemetryDef(
        "FDIR",
        Apid.TLM_FDIR,
        "The state of every fault monitor, and how often they have tripped.",
        (
            *(_monitor_field(m) for m in MONITORS),
            Field("trips", "u16", "Monitor trips since boot" + _WRAPS),
        ),
    ),
    TelemetryDef(
        "HW_LINK",
        Apid.TLM_HW_LINK,
        "The serial link to the motor board (sent only when a board is behind the hardware "
        "port): who answers, what crossed the link, and how long the round trips take.",
        (
            Field("connected", "u8", "A board answered the handshake and is not silent", enum=Flag),
            Field("board", "u8", "Which board answers", enum=BoardKind),
            Field("fw_major", "u8", "Board firmware version, major"),
            Field("fw_minor", "u8", "Board firmware version, minor"),
            Field("fw_patch", "u8", "Board firmware version, patch"),
            Field("board_uptime", "u32", "Time since the board booted, as it reports it", "s"),
            Field("frames_sent", "u32", "Frames written to the board"),
            Field("frames_received", "u32", "Good frames read from the board"),
            Field("crc_errors", "u16", "Frames from the board with a bad CRC" + _WRAPS),
            Field("bad_frames", "u16", "Other frames from the board thrown away" + _WRAPS),
            Field("rejects", "u16", "Messages the board refused (REJECT)" + _WRAPS),
            Field("board_rx_errors", "u16", "Frames the board says it threw away" + _WRAPS),
            Field("timeouts", "u16", "Handshakes unanswered and silences" + _WRAPS),
            Field("connects", "u16", "Handshakes completed" + _WRAPS),
            _f32("rtt_last", "Setpoint to status round trip, the last one", "ms"),
            _f32("rtt_mean", "Mean round trip since the link came up", "ms"),
            _f32(
                "rtt_max",
                "Longest round trip since the link came up",
                "ms",
                Limits(yellow_high=50.0, red_high=200.0),
            ),
            _f32(
                "silence",
                "Time since the board last sent a good frame",
                "s",
                Limits(yellow_high=0.3, red_high=0.5),
            ),
        ),
    ),
    TelemetryDef(
        "SECURITY",
        Apid.TLM_SECURITY,
        "Uplink authentication and arming: the key in use, the anti-replay window, what was "
        "refused and why, and what is armed (housekeeping rate).",
        (
            Field("uplink_auth", "u8", "Whether commands must be authenticated", enum=UplinkAuth),
            Field("spi", "u16", "The key's security parameter index (0: no key)"),
            Field("highest_sn", "u64", "Highest authenticated sequence number accepted"),
            Field("window", "u32", "Anti-replay window (ANTI_REPLAY_WINDOW)"),
            Field("authenticated", "u32", "Commands that passed authentication"),
            Field(
                "unauthenticated",
                "u32",
                "Bare commands or unknown keys refused" + _SATURATES,
                limits=Limits(yellow_high=1),
            ),
            Field(
                "bad_mac",
                "u32",
                "Commands refused for a MAC that does not match (forged)" + _SATURATES,
                limits=Limits(yellow_high=1),
            ),
            Field(
                "replayed",
                "u32",
                "Commands refused as replays (a used number, or SA_SET_ARSN with a spent "
                "challenge)" + _SATURATES,
                limits=Limits(yellow_high=1),
            ),
            Field(
                "malformed", "u32", "Envelopes too short or holding no good command" + _SATURATES
            ),
            Field(
                "unreported",
                "u32",
                "Refusals counted but not reported, over the rate limit (a flood)" + _SATURATES,
                limits=Limits(yellow_high=1),
            ),
            Field("armed", "u16", "The hazardous command armed now (0: none)"),
            _f32("arm_remaining", "Time left before the arming expires", "s"),
            Field(
                "arsn_known",
                "u8",
                "Whether the anti-replay counter is known (NO: lost at boot; every command but "
                "SA_SET_ARSN is refused ARSN_UNKNOWN)",
                enum=Flag,
                limits=Limits(red_low=1),
            ),
            Field("challenge", "u32", "What the next SA_SET_ARSN must carry (0: no key)"),
            _f32(
                "forward_limit",
                "How far above the highest a sequence number may be (ARSN_FORWARD_LIMIT)",
                "d",
            ),
            Field(
                "too_far_ahead",
                "u32",
                "Commands refused beyond the forward limit" + _SATURATES,
                limits=Limits(yellow_high=1),
            ),
            Field(
                "arsn_unknown",
                "u32",
                "Commands refused while the counter was unknown" + _SATURATES,
                limits=Limits(yellow_high=1),
            ),
            Field(
                "nvram_failed",
                "u32",
                "Commands refused as their counter could not be kept" + _SATURATES,
                limits=Limits(red_high=0),
            ),
            Field(
                "nvram_errno",
                "u16",
                "Error number of the last failed non-volatile write (0: the last write worked)",
                limits=Limits(red_high=0),
            ),
        ),
    ),
    TelemetryDef(
        "SEQ",
        Apid.TLM_SEQ,
        "Stored command sequences: each slot's state, step and size, and where the last one "
        "stopped on a failed step (housekeeping rate).",
        (
            *(
                f
                for n in range(1, SEQ_SLOTS + 1)
                for f in (
                    Field(f"slot{n}_state", "u8", f"Slot {n}'s state", enum=SeqState),
                    Field(f"slot{n}_step", "u8", f"Slot {n}'s last step started (0: none)"),
                    Field(f"slot{n}_steps", "u8", f"Steps in slot {n}"),
                )
            ),
            Field("steps_run", "u16", "Steps dispatched by every slot since boot" + _WRAPS),
            Field("fail_slot", "u8", "Slot of the last step that failed (0: none yet)"),
            Field("fail_step", "u8", "That step's number, from 1"),
            Field("fail_command", "u16", "That step's command", enum=CommandCode),
            Field("fail_reason", "u8", "Why it was rejected or failed", enum=Reason),
        ),
    ),
)

TELEMETRY += (  # the onboard store and playback (fsw.store, fsw.forward)
    TelemetryDef(
        "STORE",
        Apid.TLM_STORE,
        "The onboard store and playback: how full the store is, what it lost to its size, "
        "whether the relay is in view and what is waiting to be played back (housekeeping rate).",
        (
            Field("contact", "u8", "Relay in view: telemetry goes down live", enum=Flag),
            Field("size", "u32", "Store size", "byte"),
            Field("used", "u32", "Bytes of packets held", "byte"),
            _f32(
                "used_percent",
                "Share of the store in use",
                "%",
                Limits(yellow_high=80.0, red_high=95.0),
            ),
            Field("packets", "u32", "Packets held"),
            Field("oldest", "u32", "Time code (whole seconds) of the oldest packet held", "s"),
            Field("evicted_housekeeping", "u32", "Housekeeping packets lost to the size limit"),
            Field(
                "evicted_precious",
                "u32",
                "Events and verification reports lost to the size limit",
                limits=Limits(yellow_high=1),
            ),
            Field("pending", "u32", "Stored packets waiting to be played back"),
            Field("playbacks", "u8", "Playbacks waiting or under way"),
            Field("played_back", "u32", "Packets played back since boot"),
        ),
    ),
)

TELEMETRY += (  # the ground link's radio (hil.radio, through FlightSoftware's `radio` hook)
    TelemetryDef(
        "RADIO",
        Apid.TLM_RADIO,
        "The ground link's radio, as the hardware reports it (sent only when the flight software "
        "has a radio, as under `rover fsw`): who holds the link, connections that wanted it, and "
        "every uplink byte and downlink frame that did not get through (housekeeping rate).",
        (
            Field("connected", "u8", "A ground holds the link", enum=Flag),
            Field("connections", "u32", "Connections accepted (or times the device opened)"),
            Field("pending", "u8", "Connections waiting now to prove the uplink key"),
            Field("proven", "u32", "Connections that proved the key and took the link"),
            Field(
                "refused",
                "u32",
                "Connections closed without the link: no proof of the key, a bad one, or too many",
                limits=Limits(yellow_high=1),
            ),
            Field("bytes_up", "u32", "Uplink bytes handed to the flight software", "byte"),
            Field(
                "undelivered",
                "u32",
                "Uplink bytes of refused or replaced connections, never handed on",
                "byte",
            ),
            Field("frames_down", "u32", "Downlink frames written to the ground"),
            Field("dropped_down", "u32", "Downlink packets dropped: no ground, queue full, lost"),
            Field("relay_full_up", "u32", "Uplink frames dropped: the relay held too much"),
            Field("relay_full_down", "u32", "Downlink frames dropped: the relay held too much"),
        ),
    ),
)
