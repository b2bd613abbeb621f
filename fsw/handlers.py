"""What each command does: one Handler per row of the command table.

Every check runs before anything changes; a command that moves the mode is checked against the
mode table, the others against ALLOWED_MODES, and a motion while another is under way is BUSY.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fsw import VERSION
from fsw.dispatch import Command, Failed, Handler, Rejected, checked
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.rules import check_rules
from fsw.store_commands import store_handlers
from fsw.tables.commands import ALLOWED_MODES, MODE_TRIGGERS, Hazardous
from fsw.tables.enums import FaultKind, Flag, Motion, Trigger, Wheel
from fsw.tables.modes import ASLEEP

if TYPE_CHECKING:
    from fsw.flight import FlightSoftware


def build_handlers(f: FlightSoftware) -> dict[str, Handler]:  # noqa: PLR0915 - one per command
    """Every command's handler, bound to the flight software `f`."""

    def mode_check(cmd: Command, arg: object = None) -> None:
        trigger = MODE_TRIGGERS.get(cmd.name)
        mode = f.machine.mode
        if trigger is not None:
            _, reason = f.machine.select(trigger, arg if arg is not None else cmd)
            if reason is not Reason.OK:
                raise Rejected(reason, f"{cmd.name} is not allowed in {mode.name} now")
        elif mode not in ALLOWED_MODES[cmd.name]:
            raise Rejected(Reason.NOT_ALLOWED_IN_MODE, f"{cmd.name} is not allowed in {mode.name}")

    def not_busy(cmd: Command) -> None:
        if f.drive.motion is not Motion.IDLE:
            raise Rejected(Reason.BUSY, f"{cmd.name}: a motion is under way (STOP it first)")

    def done(action: Callable[[Command], object]) -> Callable[[Command], bool]:
        def run(cmd: Command) -> bool:
            action(cmd)
            return True

        return run

    # ---- executive -------------------------------------------------------------------------

    def reset_counters(_: Command) -> None:
        f.dispatcher.reset_counters()
        f.uplink.reset_counters()
        f.emit("COUNTERS_RESET", {})

    def hk_period_check(cmd: Command) -> None:
        cycles = cmd.args["period"] / f.control_period
        if abs(cycles - round(cycles)) > 1e-3:  # f32 carries 4.2 as 4.19999981
            raise Rejected(
                Reason.INVALID_VALUE,
                f"SET_HK_PERIOD: {cmd.args['period']} s is not a whole number of "
                f"{f.control_period} s control cycles",
                0,
            )

    def set_hk_period(cmd: Command) -> None:
        period = round(cmd.args["period"] / f.control_period) * f.control_period
        f.hk_period = period
        if f.machine.mode not in ASLEEP:  # asleep, the beacon period holds until waking
            f.executive.retime(f.hk_group, period)
        f.emit("HK_PERIOD_SET", {"period": period})

    # ---- mobility --------------------------------------------------------------------------

    def start_motion(cmd: Command) -> bool:
        f.machine.fire(MODE_TRIGGERS[cmd.name], cmd)
        return False  # completes when the motion ends

    def stop(_: Command) -> None:
        if f.drive.motion is not Motion.IDLE:
            f.machine.fire(Trigger.CMD_STOP, Reason.ABORTED)

    def isolate_check(cmd: Command) -> None:
        if f.isolated[cmd.args["wheel"]]:
            name = Wheel(cmd.args["wheel"]).name
            raise Rejected(Reason.INVALID_VALUE, f"WHEEL_ISOLATE: {name} is already isolated", 0)

    def restore_check(cmd: Command) -> None:
        if not f.isolated[cmd.args["wheel"]]:
            name = Wheel(cmd.args["wheel"]).name
            raise Rejected(Reason.INVALID_VALUE, f"WHEEL_RESTORE: {name} is not isolated", 0)

    # ---- modes, parameters, monitors ---------------------------------------------------------

    def set_mode_check(cmd: Command) -> None:
        mode_check(cmd, cmd.args["mode"])

    def set_mode(cmd: Command) -> None:
        f.machine.fire(MODE_TRIGGERS["SET_MODE"], cmd.args["mode"])

    def safe_recover(cmd: Command) -> None:
        for index in range(len(f.monitors.rows)):  # acknowledged: each may trip afresh
            f.monitors.enable(index, f.monitors.enabled[index])
        f.machine.fire(MODE_TRIGGERS[cmd.name])

    def set_param(cmd: Command) -> None:
        row = f.params.by_id[cmd.args["param"]]
        old = f.params.set(row.name, cmd.args["value"])
        f.emit("PARAM_CHANGED", {"param": row.id, "value": f.params[row.name], "old": old})

    def get_param(cmd: Command) -> None:
        row = f.params.by_id[cmd.args["param"]]
        f.emit("PARAM_VALUE", {"param": row.id, "value": f.params[row.name]})

    def monitor_enable(cmd: Command) -> None:
        index, on = cmd.args["monitor"], cmd.args["enabled"] == Flag.YES
        f.monitors.enable(index, on)
        f.emit("MONITOR_CONFIGURED", {"monitor": index, "enabled": cmd.args["enabled"]})

    # ---- test ------------------------------------------------------------------------------

    def inject_check(cmd: Command) -> None:
        if f.port.faults is None:
            raise Rejected(
                Reason.NOT_SUPPORTED, "SIM_INJECT_FAULT: the rover is not on simulated hardware"
            )

    def inject(cmd: Command) -> None:
        a = cmd.args
        assert f.port.faults is not None
        wheel = a["wheel"] if a["wheel"] != Wheel.NONE else -1
        try:
            f.port.faults.inject(FaultKind(a["fault"]), wheel, a["value"])
        except ConnectionError as err:  # a board that is not there cannot be told
            raise Failed(Reason.EXECUTION_ERROR, f"SIM_INJECT_FAULT: {err}") from None
        f.emit("FAULT_INJECTED", dict(a))

    def arm(cmd: Command) -> None:
        f.arming.arm(Hazardous(cmd.args["command"]).name)
        f.emit("ARMED", {"command": cmd.args["command"], "window": f.params["ARM_WINDOW"]})

    def sa_check(cmd: Command) -> None:
        sec = f.security
        if not sec.required:
            why = "SA_SET_ARSN: the uplink has no key (--insecure), so no anti-replay counter"
            raise Rejected(Reason.NOT_SUPPORTED, why)
        if cmd.args["challenge"] != sec.challenge:
            raise Rejected(
                Reason.BAD_CHALLENGE,
                f"SA_SET_ARSN: challenge {cmd.args['challenge']} is not the one in SECURITY "
                "telemetry (stale, or a replay)",
                1,
            )

    def sa_set_arsn(cmd: Command) -> None:
        sec = f.security
        previous = sec.window.highest if sec.window.known else 0
        try:
            sec.set_arsn(cmd.args["arsn"])
        except OSError as err:
            why = f"SA_SET_ARSN: the counter could not be kept ({err.strerror or err})"
            raise Failed(Reason.NVRAM_FAILED, why) from None
        args = {"arsn": cmd.args["arsn"], "previous": previous, "challenge": sec.challenge}
        f.emit("ARSN_SET", args)

    def noop(_: Command) -> None:
        major, minor, patch = VERSION
        f.emit("NOOP", {"major": major, "minor": minor, "patch": patch})

    def table_rules(cmd: Command) -> None:  # the command row's own rules, first
        try:
            check_rules(cmd.definition, cmd.args, f.params.values, f.params.by_id)
        except PacketError as err:
            raise Rejected(err.reason, err.message, err.arg_index) from None

    motion_check = checked(not_busy, mode_check)
    handlers = {
        "NOOP": Handler(done(noop), mode_check),
        "RESET_COUNTERS": Handler(done(reset_counters), mode_check),
        "PING": Handler(
            done(lambda c: f.emit("PING_REPLY", {"token": c.args["token"]})), mode_check
        ),
        "SET_HK_PERIOD": Handler(done(set_hk_period), checked(mode_check, hk_period_check)),
        "DRIVE": Handler(start_motion, motion_check),
        "TURN_IN_PLACE": Handler(start_motion, motion_check),
        "STOP": Handler(done(stop), mode_check),
        "WHEEL_ISOLATE": Handler(
            done(lambda c: f.isolate(c.args["wheel"])), checked(isolate_check, motion_check)
        ),
        "WHEEL_RESTORE": Handler(
            done(lambda c: f.restore(c.args["wheel"])), checked(restore_check, motion_check)
        ),
        "SET_MODE": Handler(done(set_mode), set_mode_check),
        "SAFE_RECOVER": Handler(done(safe_recover), mode_check),
        "HIBERNATE": Handler(done(lambda c: f.machine.fire(MODE_TRIGGERS[c.name])), mode_check),
        "SET_PARAM": Handler(done(set_param), mode_check),
        "GET_PARAM": Handler(done(get_param), mode_check),
        "MONITOR_ENABLE": Handler(done(monitor_enable), mode_check),
        "SIM_INJECT_FAULT": Handler(done(inject), checked(mode_check, inject_check)),
        "ARM": Handler(done(arm), mode_check),
        "SA_SET_ARSN": Handler(done(sa_set_arsn), checked(mode_check, sa_check)),
        **f.sequencer.handlers(mode_check),  # SEQ_*: stored command sequences
        **store_handlers(f, mode_check),  # PLAYBACK_*, STORE_CLEAR: the onboard store
    }
    return {
        name: Handler(h.execute, table_rules if h.check is None else checked(table_rules, h.check))
        for name, h in handlers.items()
    }
