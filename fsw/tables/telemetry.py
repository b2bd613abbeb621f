"""The telemetry table: one row per fixed-layout packet. Events have their own table."""

from fsw.packets.limits import Limits
from fsw.packets.reasons import Reason
from fsw.packets.schema import Field, TelemetryDef
from fsw.tables.enums import NO_ARGUMENT, Apid, Mode, Stage

_WRAPS = "; wraps at 65536"

TELEMETRY: tuple[TelemetryDef, ...] = (
    TelemetryDef(
        "HK",
        Apid.TLM_HK,
        "Executive housekeeping: mode, command and uplink counters, load (housekeeping rate).",
        (
            Field("mode", "u8", "Operating mode", enum=Mode),
            Field("boot_count", "u16", "Times the flight software has booted"),
            Field("uptime", "u32", "Time since this boot", "s"),
            Field(
                "cpu_load",
                "f32",
                "Share of each cycle spent in the rate groups",
                "%",
                limits=Limits(yellow_high=80.0, red_high=95.0),
            ),
            Field(
                "cycle_overruns",
                "u16",
                "Rate-group cycles that ran past their deadline" + _WRAPS,
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
        ),
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
        ),
    ),
)
