"""The fields of HK, the executive's housekeeping packet (its own module: the packet grew with
every part that reports in it: commands, uplink, security, the control loop's timing, the inbox)."""

from fsw.packets.limits import Limits
from fsw.packets.reasons import Reason
from fsw.packets.schema import Field
from fsw.tables.enums import DownlinkAuth, Flag, Mode, UplinkAuth

_WRAPS = "; wraps at 65536"

HK_FIELDS: tuple[Field, ...] = (
    Field("mode", "u8", "Operating mode", enum=Mode),
    Field("boot_count", "u16", "Times the flight software has booted"),
    Field("uptime", "u32", "Time since this boot", "s"),
    Field(
        "cpu_load",
        "f32",
        "Share of each cycle spent in the rate groups (0 on the simulated clock)",
        "%",
        limits=Limits(yellow_high=80.0, red_high=95.0),
    ),
    Field(
        "cycle_overruns",
        "u32",
        "Rate-group deadlines missed (a stalled cycle counts every deadline it missed)",
        limits=Limits(yellow_high=1, red_high=10),
    ),
    Field("cmd_accepted", "u16", "Commands accepted" + _WRAPS),
    Field("cmd_rejected", "u16", "Commands rejected" + _WRAPS),
    Field("cmd_completed", "u16", "Commands completed" + _WRAPS),
    Field("cmd_failed", "u16", "Commands that started and failed" + _WRAPS),
    Field("last_cmd_apid", "u16", "APID of the last command received"),
    Field("last_cmd_code", "u8", "Code of the last command received"),
    Field("last_cmd_seq", "u16", "Sequence count of the last command received"),
    Field(
        "last_reject_reason",
        "u8",
        "Why the last rejected command was rejected",
        enum=Reason,
    ),
    Field("events_sent", "u16", "Events raised" + _WRAPS),
    Field("uplink_frames", "u32", "Uplink frames that held a good packet"),
    Field("uplink_bad_crc", "u16", "Uplink frames discarded for a bad CRC" + _WRAPS),
    Field(
        "uplink_bad_frame",
        "u16",
        "Uplink frames discarded for bad COBS, length, header or size" + _WRAPS,
    ),
    Field(
        "uplink_unknown_apid",
        "u16",
        "Uplink packets discarded for an APID nobody owns" + _WRAPS,
    ),
    Field(
        "healthy_wheels",
        "u8",
        "Wheels in service",
        limits=Limits(yellow_low=5.5, red_low=4.5),
    ),
    Field("degraded", "u8", "A wheel is isolated: five-wheel limits apply", enum=Flag),
    Field(
        "uplink_auth",
        "u8",
        "Whether commands must be authenticated (INSECURE: started with --insecure)",
        enum=UplinkAuth,
        limits=Limits(red_low=0.5),
    ),
    Field(
        "downlink_auth",
        "u8",
        "Whether telemetry goes down sealed with a MAC (INSECURE: started with --insecure)",
        enum=DownlinkAuth,
        limits=Limits(red_low=0.5),
    ),
    Field(
        "cycle_late_last",
        "f32",
        "How late the last control cycle started against its deadline (0 on the simulated clock)",
        "ms",
        limits=Limits(yellow_high=20.0, red_high=100.0),
    ),
    Field(
        "cycle_late_max",
        "f32",
        "Latest start of a cycle since the last HK (0 on the simulated clock)",
        "ms",
        limits=Limits(yellow_high=20.0, red_high=100.0),
    ),
    Field(
        "cycles_late",
        "u32",
        "Cycles that started over a fifth of a control period late (20 ms at 10 Hz; 0 "
        "on the simulated clock)",
        limits=Limits(yellow_high=1),
    ),
    Field("uplink_bytes", "u64", "Uplink bytes the flight software took in", "byte"),
    Field(
        "uplink_dropped_bytes",
        "u64",
        "Uplink bytes dropped: the inbox was full (a flood)",
        "byte",
        limits=Limits(yellow_high=1),
    ),
    Field(
        "uplink_dropped_chunks",
        "u32",
        "Radio reads dropped whole or in part: the inbox was full",
        limits=Limits(yellow_high=1),
    ),
    Field(
        "uplink_deferred",
        "u32",
        "Control cycles that began with uplink input waiting (over UPLINK_BUDGET)",
    ),
    Field(
        "uplink_waiting",
        "u32",
        "Uplink bytes in the inbox, not yet taken in",
        "byte",
    ),
    Field(
        "discards_unreported",
        "u32",
        "UPLINK_DISCARDED events not raised (rate limit; their bytes went in later ones)",
    ),
)
