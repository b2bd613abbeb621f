"""The flight software: executive, uplink and dispatch, modes, mobility, fault protection and
housekeeping, wired together over one hardware port and one clock.

    control (10 Hz): sense -> navigation -> monitors -> responses -> mode -> drive -> actuate
    housekeeping (1 Hz): HK, MOBILITY, WHEELS, POWER, FDIR, SECURITY, SEQ, STORE (+HW_LINK, RADIO)
While asleep (HIBERNATE, NAP) the control group only checks whether to wake, and both groups run
at HIBERNATE_PERIOD: the wake-up circuit and a slow beacon.

Flight code runs on one thread. The radio, on threads of its own, post()s uplink bytes into a
bounded inbox; the executive hands them to the uplink between cycles, a slice at a time within
UPLINK_BUDGET bytes per control period (fsw.inbox), so no flood can hold the control group.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from fsw import VERSION
from fsw.arming import Arming
from fsw.clock import Clock
from fsw.dispatch import Command, Dispatcher, Rejected
from fsw.downlink_auth import NO_LEASE, Downlink, DownlinkAuth, Lease
from fsw.executive import Executive
from fsw.fdir.monitor import Change, MonitorBank
from fsw.fdir.quantities import Readings
from fsw.fdir.schema import Watch
from fsw.forward import StoreAndForward
from fsw.handlers import build_handlers
from fsw.housekeeping import housekeeping_packets
from fsw.mobility.drive import DriveController, Limits, Status, longest
from fsw.mobility.geometry import TOP_SPEED
from fsw.modes.machine import ModeMachine
from fsw.navigation import Navigation
from fsw.outbox import Outbox
from fsw.packets.catalog import Catalog
from fsw.packets.reasons import Reason
from fsw.params import ParamStore
from fsw.port import Actuation, HardwarePort, RadioStatus
from fsw.security import Key, Nonce, UplinkSecurity, challenge_of, random_challenge
from fsw.sequencer import Sequencer
from fsw.store import DEFAULT_SIZE
from fsw.tables import CATALOG
from fsw.tables.enums import Mode, Motion, Response, Trigger, Wheel
from fsw.tables.modes import ASLEEP, GUARDS, TRANSITIONS
from fsw.tables.monitors import MONITORS
from fsw.tables.params import PARAMS
from fsw.uplink_chain import build_uplink

_RESPONSE_TRIGGER = {
    Response.STOP: Trigger.FAULT_STOP,
    Response.SAFE: Trigger.FAULT_SAFE,
    Response.HIBERNATE: Trigger.FAULT_HIBERNATE,
    Response.NAP: Trigger.FAULT_NAP,
}
_HARDWARE_LINK = next(i for i, m in enumerate(MONITORS) if m.name == "HARDWARE_LINK")
_AWAKE_BIT, _MOVING_BIT, _DRIVING_BIT = Watch.AWAKE.bit, Watch.MOVING.bit, Watch.DRIVING.bit


class FlightSoftware:
    """The rover's flight software, running on `port` against `clock`."""

    def __init__(
        self,
        port: HardwarePort,
        clock: Clock,
        downlink: Downlink,
        *,
        boot_count: int = 1,
        control_period: float = 0.1,
        hk_period: float = 1.0,
        catalog: Catalog = CATALOG,
        contact: Callable[[], bool] | None = None,
        key: Key | None = None,
        replay_floor: int | None = 0,
        keep_replay: Callable[[int], None] | None = None,
        challenges: Nonce = random_challenge,
        store_size: int = DEFAULT_SIZE,
        downlink_lease: Lease = NO_LEASE,
        radio: Callable[[], RadioStatus] | None = None,
    ) -> None:
        self.port, self.clock, self.catalog = port, clock, catalog
        self.downlink_auth = DownlinkAuth(key, clock.now_ns, *downlink_lease)  # seals as it goes
        self.downlink = self.downlink_auth.sealing(downlink)
        self.contact = contact or (lambda: True)  # the relay in view now (store & playback)
        self.radio = radio  # the ground link's radio, for RADIO telemetry (None: none to report)
        self.outbox = Outbox(catalog, clock)  # makes every packet: numbered, stamped
        self.forward = StoreAndForward(self, store_size)  # every packet: live and/or stored
        self.outbox.sink = self.forward
        self.boot_count = boot_count
        self.params = ParamStore(PARAMS)
        self.executive = Executive(clock)
        self.control_period = control_period
        self.hk_period = hk_period
        self.control_group = self.executive.add("control", control_period, self.control)
        self.hk_group = self.executive.add("housekeeping", hk_period, self.housekeeping)
        self.monitors = MonitorBank(MONITORS, self.params)
        self.drive = DriveController()
        self.motion_cmd: Command | None = None
        self._motion_start = (0.0, 0.0)  # travelled (m) and heading (rad) when it began
        self.isolated = [False] * 6
        self.readings = Readings()
        self.actuation = Actuation()
        self.last_command_time, self.motion_vouches_until = clock.now(), -math.inf  # see longest
        self.boot_time = clock.now()
        self.machine = ModeMachine(
            TRANSITIONS, GUARDS, self._guards(), self._actions(), self._mode_changed
        )
        self.arming = Arming(clock.now, lambda: self.params["ARM_WINDOW"])
        self.sequencer = Sequencer(catalog, clock.now, self._run_step, self.emit)
        self.dispatcher = Dispatcher(
            catalog, build_handlers(self), self.outbox.verify, self.emit, self.arming
        )
        self.security, self.uplink, self.inbox, self.intake = build_uplink(
            self, UplinkSecurity(  # no key: --insecure; replay_floor None: counter lost
                key, replay_floor, keep_replay, challenge_of=challenge_of(catalog, "SA_SET_ARSN"),
                nonce=challenges, emit=self.emit, days=lambda: self.params["ARSN_FORWARD_LIMIT"],
            ),
        )  # fmt: skip
        self.sensors = port.sense()
        self.nav = Navigation(self.sensors)
        major, minor, patch = VERSION
        self.emit(
            "BOOTED",
            {"major": major, "minor": minor, "patch": patch, "boot_count": boot_count,
             "hardware": port.hardware},
        )  # fmt: skip
        self.security.announce()  # UPLINK_INSECURE, or ARSN_UNKNOWN when the counter was lost
        self.machine.fire(Trigger.BOOTED)

    # ---- running ---------------------------------------------------------------------------

    def run(self, until: float | None = None) -> None:
        """Run the rate groups until mission time `until` (s), or for ever."""
        self.executive.run(until)

    def receive(self, data: bytes) -> None:
        """Bytes from the ground link (COBS frames of command packets), on the flight thread."""
        self.uplink.receive(data)

    def post(self, data: bytes) -> bool:
        """Bytes from the ground link, from any thread, into the inbox: False when it was full
        (the excess dropped and counted) and the radio should ease off."""
        return self.inbox.post(data)

    def post_link_reset(self) -> None:
        """The link was reopened (any thread): forget a partial frame, in order with post()."""
        self.inbox.post_reset()

    def command_arrived(self, packet: bytes, sn: int) -> None:
        """A command the uplink passed (sn: its envelope's number, 0 when bare)."""
        self.last_command_time = self.clock.now()
        self.dispatcher.receive(packet, sn)

    def _run_step(self, packet: bytes) -> Command | Rejected:
        """A stored sequence's step, dispatched as if from the ground (it feeds the dead-man)."""
        self.last_command_time = self.clock.now()
        return self.dispatcher.receive(packet)

    @property
    def mode(self) -> Mode:
        """The present mode."""
        return self.machine.mode

    @property
    def degraded(self) -> bool:
        """Whether a wheel is isolated."""
        return any(self.isolated)

    # ---- control ---------------------------------------------------------------------------

    def control(self) -> None:
        """One control cycle."""
        self.intake.cycle()
        s = self.sensors = self.port.sense()
        dt = self.control_group.period_ns / 1e9
        params = self.params.values
        trusted = [not off for off in self.isolated]
        self.nav.update(s, dt, trusted, min(1.0, dt / params["SLIP_TIME_CONSTANT"]))
        self.sequencer.tick()  # stored sequences run awake or asleep, in contact or not
        self.forward.cycle()  # play back what is waiting, if in contact
        if self.machine.mode in ASLEEP:
            self._check_wake()
            return
        r = self.readings
        nav = self.nav
        r.tilt, r.hazard_height, r.slip = nav.tilt, s.hazard_height, nav.slip
        r.currents, r.motor_temps, r.measured = s.currents, s.motor_temps, nav.rates
        r.battery_soc, r.battery_voltage = s.battery_soc, s.battery_voltage
        r.electronics_temp, r.exterior_temp = s.electronics_temp, s.exterior_temp
        vouched = min(s.time, self.motion_vouches_until)  # a commanded motion is contact
        r.command_silence = s.time - max(self.last_command_time, vouched)
        r.hardware_silence = s.hardware_silence
        r.control_lateness = self.executive.late_last_ns / 1e9
        r.stall_fraction = params["STALL_RATE_FRACTION"]
        motion = self.drive.motion
        watching = _AWAKE_BIT  # asleep, the cycle ended above
        if motion is Motion.DRIVING:
            watching |= _MOVING_BIT | _DRIVING_BIT
        elif motion is Motion.TURNING:
            watching |= _MOVING_BIT
        changes = self.monitors.evaluate(r, watching, self.isolated, self.degraded)
        for change in changes:
            self._monitor_changed(change)
        self._follow_slope()
        self._step_drive(s.time, dt)

    def _follow_slope(self) -> None:
        mode, pitch = self.machine.mode, abs(self.nav.pitch)
        if mode is Mode.DRIVE and self.drive.motion is Motion.DRIVING:
            if pitch > self.params["CLIMB_PITCH"]:
                self.machine.fire(Trigger.SLOPE_UP)
        elif mode is Mode.CLIMB and pitch < self.params["CLIMB_EXIT_PITCH"]:
            self.machine.fire(Trigger.SLOPE_EASED)

    def _step_drive(self, now: float, dt: float) -> None:
        p = self.params.values
        speed = TOP_SPEED
        if self.machine.mode is Mode.CLIMB:
            speed = min(speed, p["CLIMB_SPEED"])
        if self.degraded:
            speed = min(speed, p["FIVE_WHEEL_SPEED"])
        limits = Limits(
            speed,
            math.radians(p["TURN_RATE"]),
            math.radians(p["STEER_TOLERANCE"]),
            p["STEER_TIMEOUT"],
        )
        status, rates, steer = self.drive.step(
            now, dt, self.nav.travelled, self.nav.heading, self.sensors.steer,
            tuple(self.isolated), limits,
        )  # fmt: skip
        if status is Status.DONE:
            self.emit(
                "MOTION_DONE",
                {"travelled": self.nav.travelled - self._motion_start[0],
                 "turned": math.degrees(abs(self.nav.heading - self._motion_start[1]))},
            )  # fmt: skip
            self._finish_motion(None)
            self.machine.fire(Trigger.MOTION_DONE)
        elif status is Status.STEER_TIMEOUT:
            self._finish_motion(Reason.TIMEOUT)
            self.machine.fire(Trigger.MOTION_DONE)
        self.actuation.drive = list(rates)
        self.actuation.steer = list(steer)
        self.port.actuate(self.actuation)
        self.readings.applied = self.actuation.drive

    def _finish_motion(self, failure: Reason | None) -> None:
        cmd, self.motion_cmd = self.motion_cmd, None
        self.motion_vouches_until = min(self.motion_vouches_until, self.clock.now())
        if failure is not None:
            self.emit("MOTION_STOPPED", {"reason": failure, "remaining": self.drive.remaining})
        self.drive.stop()
        if cmd is not None:
            if failure is None:
                self.dispatcher.complete(cmd)
            else:
                self.dispatcher.fail(cmd, failure)

    def _check_wake(self) -> None:
        s = self.sensors
        if self.machine.mode is Mode.HIBERNATE:
            if s.sun_elevation > self.params["WAKE_ELEVATION"]:
                self.machine.fire(Trigger.SUNRISE)
        elif s.exterior_temp < self.params["NAP_EXIT_TEMP"]:
            self.machine.fire(Trigger.COOLED)

    # ---- fault protection ------------------------------------------------------------------

    def _monitor_changed(self, c: Change) -> None:
        wheel = Wheel.NONE if c.wheel is None else Wheel(c.wheel)
        if not c.tripped:
            self.emit("MONITOR_CLEARED", {"monitor": c.index, "wheel": wheel, "value": c.value})
            return
        self.emit(
            "MONITOR_TRIPPED",
            {"monitor": c.index, "wheel": wheel, "value": c.value, "threshold": c.threshold,
             "response": c.monitor.response},
        )  # fmt: skip
        response = c.monitor.response
        if response is Response.ISOLATE_WHEEL and c.wheel is not None:
            self.isolate(c.wheel)
        elif response in _RESPONSE_TRIGGER:
            self.machine.fire(_RESPONSE_TRIGGER[response], Reason.FAULT_STOP)

    def isolate(self, wheel: int) -> None:
        """Take a wheel out of service and let the mode table decide what that means."""
        if self.isolated[wheel]:
            return
        self.isolated[wheel] = True
        self.machine.wheels -= 1
        self.emit("WHEEL_ISOLATED", {"wheel": wheel, "healthy": self.machine.wheels})
        self.machine.fire(Trigger.WHEEL_FAILED, Reason.FAULT_STOP)

    def restore(self, wheel: int) -> None:
        """Return an isolated wheel to service."""
        self.isolated[wheel] = False
        self.machine.wheels += 1
        self.emit("WHEEL_RESTORED", {"wheel": wheel, "healthy": self.machine.wheels})
        self.machine.fire(Trigger.WHEEL_RESTORED)

    def faults_present(self) -> bool:
        """Whether a SAFE-response monitor is beyond its threshold, too few wheels, or a board
        link that knows now the board is gone (before HARDWARE_LINK's silence limit)."""
        if self.machine.wheels < 5:
            return True
        link = self.port.link
        if link is not None and not link.connected and self.monitors.enabled[_HARDWARE_LINK]:
            return True
        return self.monitors.beyond_any(Response.SAFE, self.readings, self.degraded)

    # ---- mode table: guards, actions, listener ---------------------------------------------

    def _guards(self) -> dict[str, Callable[[object], bool]]:
        return {
            "wheels_ok": lambda _: self.machine.wheels >= 5,
            "wheels_lost": lambda _: self.machine.wheels < 5,
            "faults_clear": lambda _: not self.faults_present(),
            "to_standby": lambda m: m == Mode.STANDBY,
            "to_standby_wheels_lost": lambda m: m == Mode.STANDBY and self.machine.wheels < 5,
            "to_safe": lambda m: m == Mode.SAFE,
            "to_hibernate": lambda m: m == Mode.HIBERNATE,
            "charged": lambda _: self.sensors.battery_soc >= self.params["WAKE_BATTERY"],
        }

    def _actions(self) -> dict[str, Callable[[Any], None]]:
        return {
            "start_drive": self._start_drive,
            "start_turn": self._start_turn,
            "stop_motion": self._stop_motion,
            "resume_drive": lambda _: self.drive.resume(self.clock.now()),
            "sleep": self._sleep,
            "wake": self._wake,
        }

    def _start_drive(self, cmd: Command) -> None:
        a = cmd.args
        self.motion_cmd = cmd
        self._motion_start = (self.nav.travelled, self.nav.heading)
        self.drive.start_drive(a["distance"], a["radius"], a["speed"], self.clock.now())
        self.motion_vouches_until = self.clock.now() + longest(a, self.params.values)
        self.emit("DRIVE_STARTED", dict(a))

    def _start_turn(self, cmd: Command) -> None:
        self.motion_cmd = cmd
        self._motion_start = (self.nav.travelled, self.nav.heading)
        self.drive.start_turn(cmd.args["angle"], self.clock.now())
        self.motion_vouches_until = self.clock.now() + longest(cmd.args, self.params.values)
        self.emit("TURN_STARTED", {"angle": cmd.args["angle"]})

    def _stop_motion(self, reason: object) -> None:
        if self.drive.motion is not Motion.IDLE or self.motion_cmd is not None:
            self._finish_motion(reason if isinstance(reason, Reason) else Reason.ABORTED)
        self.actuation.drive = [0.0] * 6
        self.port.actuate(self.actuation)

    def _sleep(self, reason: object) -> None:
        self._stop_motion(reason)
        self.actuation.powered = False
        self.port.actuate(self.actuation)
        period = self.params["HIBERNATE_PERIOD"]
        self.executive.retime(self.control_group, period)
        self.executive.retime(self.hk_group, period)

    def _wake(self, _: object) -> None:
        for index, on in enumerate(self.monitors.enabled):  # asleep, nothing was judged:
            self.monitors.enable(index, on)  # every monitor starts afresh and may trip again
        self.actuation.powered = True
        self.port.actuate(self.actuation)
        self.executive.retime(self.control_group, self.control_period)
        self.executive.retime(self.hk_group, self.hk_period)

    def _mode_changed(self, before: Mode, after: Mode, trigger: Trigger, wheels: int) -> None:
        args = {"from_mode": before, "to_mode": after, "trigger": trigger, "wheels": wheels}
        self.emit("MODE_CHANGED", args)
        s = self.sensors
        state = {"elevation": s.sun_elevation, "soc": s.battery_soc, "temp": s.exterior_temp}
        if after in ASLEEP and before not in ASLEEP:
            self.emit("SLEEPING", {"mode": after, **state})
        elif before in ASLEEP and after not in ASLEEP:
            self.emit("AWAKE", state)

    # ---- telemetry -------------------------------------------------------------------------

    def housekeeping(self) -> None:
        """Send every housekeeping-rate packet."""
        self.outbox.housekeeping(housekeeping_packets(self))

    def emit(self, name: str, args: dict[str, Any]) -> None:
        """Raise an event."""
        self.outbox.event(name, args)

    @property
    def events_sent(self) -> int:
        """Events raised since boot."""
        return self.outbox.events_sent
