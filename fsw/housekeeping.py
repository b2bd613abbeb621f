"""The housekeeping-rate packets, filled from the flight software's state."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fsw.mobility.geometry import CORNERS, WHEELS
from fsw.packets.reasons import Reason
from fsw.packets.schema import TelemetryDef
from fsw.port import LinkStatus, RadioStatus
from fsw.tables import CATALOG
from fsw.tables.commands import Hazardous
from fsw.tables.enums import DownlinkAuth, Flag, UplinkAuth
from fsw.tables.modes import ASLEEP
from fsw.tables.monitors import MONITORS

if TYPE_CHECKING:
    from fsw.flight import FlightSoftware

_HK = CATALOG.telemetry_packet("HK")
_MOBILITY = CATALOG.telemetry_packet("MOBILITY")
_WHEELS = CATALOG.telemetry_packet("WHEELS")
_POWER = CATALOG.telemetry_packet("POWER")
_FDIR = CATALOG.telemetry_packet("FDIR")
_HW_LINK = CATALOG.telemetry_packet("HW_LINK")
_SECURITY = CATALOG.telemetry_packet("SECURITY")
_SEQ = CATALOG.telemetry_packet("SEQ")
_STORE = CATALOG.telemetry_packet("STORE")
_RADIO = CATALOG.telemetry_packet("RADIO")
_WHEEL_NAMES = [w.wheel.name.lower() for w in WHEELS]
_CORNER_NAMES = [f"steer_{c.wheel.name.lower()}" for c in CORNERS]
_MONITOR_NAMES = [m.name.lower() for m in MONITORS]


def housekeeping_packets(f: FlightSoftware) -> Iterator[tuple[TelemetryDef, dict[str, Any]]]:
    """Each housekeeping packet with its values, in the order they are sent (HW_LINK only with a
    serial board, RADIO only with a radio). Asleep, only the beacon: HK and POWER (what the
    ground needs to know the rover will wake)."""
    yield _HK, _hk(f)
    if f.machine.mode in ASLEEP:
        yield _POWER, _power(f)
        return
    yield _MOBILITY, _mobility(f)
    yield _WHEELS, _wheels(f)
    yield _POWER, _power(f)
    yield _FDIR, _fdir(f)
    yield _SECURITY, _security(f)
    yield _SEQ, f.sequencer.telemetry()
    yield _STORE, f.forward.telemetry()
    link = f.port.link
    if link is not None:
        yield _HW_LINK, _hw_link(link)
    if f.radio is not None:
        yield _RADIO, _radio(f.radio())


def _hk(f: FlightSoftware) -> dict[str, Any]:
    c = f.dispatcher.counters
    values = {
        "mode": f.machine.mode,
        "boot_count": f.boot_count & 0xFFFF,
        "uptime": int(f.clock.now() - f.boot_time) & 0xFFFFFFFF,
        "cpu_load": f.executive.load(),
        "cycle_overruns": _u32(f.executive.overruns),
        "cmd_accepted": c.accepted & 0xFFFF,
        "cmd_rejected": c.rejected & 0xFFFF,
        "cmd_completed": c.completed & 0xFFFF,
        "cmd_failed": c.failed & 0xFFFF,
        "last_cmd_apid": c.last_apid,
        "last_cmd_code": c.last_code,
        "last_cmd_seq": c.last_seq,
        "last_reject_reason": c.last_reject,
        "events_sent": f.events_sent & 0xFFFF,
        "healthy_wheels": f.machine.wheels,
        "degraded": Flag.YES if f.degraded else Flag.NO,
        "uplink_auth": UplinkAuth.AUTHENTICATED if f.security.required else UplinkAuth.INSECURE,
        "downlink_auth": DownlinkAuth.AUTHENTICATED
        if f.downlink_auth.required
        else DownlinkAuth.INSECURE,
    }
    for name, count in f.uplink.counters().items():
        values[name] = count & (0xFFFFFFFF if name == "uplink_frames" else 0xFFFF)
    executive, inbox = f.executive, f.inbox
    values["cycle_late_last"] = executive.late_last_ns / 1e6
    values["cycle_late_max"] = executive.take_late_max() / 1e6
    values["cycles_late"] = _u32(executive.late_cycles)
    values["uplink_bytes"] = inbox.taken_bytes  # u64: a loopback flood passes 2^32 in seconds
    values["uplink_dropped_bytes"] = inbox.dropped_bytes
    values["uplink_dropped_chunks"] = _u32(inbox.dropped_chunks)
    values["uplink_deferred"] = _u32(f.intake.deferred)
    values["uplink_waiting"] = _u32(inbox.waiting)
    values["discards_unreported"] = _u32(f.uplink.discards_unreported)
    return values


def _u32(count: int) -> int:
    """A counter as a u32 field: held at the top rather than wrapped to a small number."""
    return min(count, 0xFFFFFFFF)


def _mobility(f: FlightSoftware) -> dict[str, Any]:
    nav, s, drive = f.nav, f.sensors, f.drive
    return {
        "x": nav.x,
        "y": nav.y,
        "heading": math.degrees(s.heading),
        "pitch": nav.pitch,
        "roll": nav.roll,
        "tilt": nav.tilt,
        "odometry": nav.odometry,
        "travelled": nav.travelled,
        "slip": nav.slip if nav.slip is not None else 0.0,
        "motion": drive.motion,
        "speed": drive.sign * drive.speed if drive.motion else 0.0,
        "remaining": drive.remaining if drive.motion else 0.0,
        "hazard_height": s.hazard_height,
        "hazard_distance": s.hazard_distance,
    }


def _wheels(f: FlightSoftware) -> dict[str, Any]:
    s, rates = f.sensors, f.nav.rates
    values: dict[str, Any] = {}
    for i, name in enumerate(_WHEEL_NAMES):
        values[f"rate_{name}"] = rates[i]
        values[f"current_{name}"] = s.currents[i]
        values[f"temp_{name}"] = s.motor_temps[i]
        values[f"isolated_{name}"] = Flag.YES if f.isolated[i] else Flag.NO
    for name, angle in zip(_CORNER_NAMES, s.steer, strict=True):
        values[name] = math.degrees(angle)
    return values


def _power(f: FlightSoftware) -> dict[str, Any]:
    s = f.sensors
    return {
        "battery_soc": s.battery_soc,
        "battery_voltage": s.battery_voltage,
        "solar_power": s.solar_power,
        "load_power": s.load_power,
        "sun_elevation": s.sun_elevation,
        "electronics_temp": s.electronics_temp,
        "exterior_temp": s.exterior_temp,
    }


def _fdir(f: FlightSoftware) -> dict[str, Any]:
    values: dict[str, Any] = {name: f.monitors.state(i) for i, name in enumerate(_MONITOR_NAMES)}
    values["trips"] = f.monitors.trips & 0xFFFF
    return values


def _security(f: FlightSoftware) -> dict[str, Any]:
    sec, arming = f.security, f.arming
    refused = sec.refused
    named = (Reason.UNAUTHENTICATED, Reason.BAD_MAC, Reason.REPLAYED, Reason.SN_TOO_FAR_AHEAD,
             Reason.ARSN_UNKNOWN, Reason.NVRAM_FAILED, Reason.BAD_CHALLENGE)  # fmt: skip
    remaining = arming.remaining()
    armed = arming.armed if remaining > 0 else None
    return {
        "uplink_auth": UplinkAuth.AUTHENTICATED if sec.required else UplinkAuth.INSECURE,
        "spi": sec.key.spi if sec.key is not None else 0,
        "highest_sn": sec.window.highest,
        "window": int(f.params["ANTI_REPLAY_WINDOW"]),
        "authenticated": _u32(sec.authenticated),
        "unauthenticated": _u32(refused[Reason.UNAUTHENTICATED]),
        "bad_mac": _u32(refused[Reason.BAD_MAC]),
        "replayed": _u32(refused[Reason.REPLAYED] + refused[Reason.BAD_CHALLENGE]),
        "malformed": _u32(sum(refused.values()) - sum(refused[r] for r in named)),
        "unreported": _u32(f.uplink.unreported),
        "armed": Hazardous[armed].value if armed is not None else 0,
        "arm_remaining": remaining,
        "arsn_known": Flag.YES if sec.window.known else Flag.NO,
        "challenge": sec.challenge,
        "forward_limit": f.params["ARSN_FORWARD_LIMIT"],
        "too_far_ahead": _u32(refused[Reason.SN_TOO_FAR_AHEAD]),
        "arsn_unknown": _u32(refused[Reason.ARSN_UNKNOWN]),
        "nvram_failed": _u32(refused[Reason.NVRAM_FAILED]),
        "nvram_errno": min(sec.nvram_errno, 0xFFFF),
    }


def _hw_link(link: LinkStatus) -> dict[str, Any]:
    major, minor, patch = link.firmware
    return {
        "connected": Flag.YES if link.connected else Flag.NO,
        "board": link.board,
        "fw_major": major,
        "fw_minor": minor,
        "fw_patch": patch,
        "board_uptime": int(link.board_uptime) & 0xFFFFFFFF,
        "frames_sent": link.frames_sent & 0xFFFFFFFF,
        "frames_received": link.frames_received & 0xFFFFFFFF,
        "crc_errors": link.crc_errors & 0xFFFF,
        "bad_frames": link.bad_frames & 0xFFFF,
        "rejects": link.rejects & 0xFFFF,
        "board_rx_errors": link.board_rx_errors & 0xFFFF,
        "timeouts": link.timeouts & 0xFFFF,
        "connects": link.connects & 0xFFFF,
        "rtt_last": link.rtt_last,
        "rtt_mean": link.rtt_mean,
        "rtt_max": link.rtt_max,
        "silence": link.silence,
    }


_RADIO_COUNTERS = (
    "connections", "proven", "refused", "bytes_up", "undelivered",
    "frames_down", "dropped_down", "relay_full_up", "relay_full_down",
)  # fmt: skip


def _radio(r: RadioStatus) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(r, name) & 0xFFFFFFFF for name in _RADIO_COUNTERS}
    values["connected"] = Flag.YES if r.connected else Flag.NO
    values["pending"] = min(r.pending, 0xFF)
    return values
