"""The mode state machine, declared as a table. The state is the mode and the count of healthy
wheels; the engine (fsw.modes.machine) runs it, and the dictionary and docs/modes.md show it.

The first row whose source, trigger and guard match wins; a command whose trigger matches no row
is rejected with the reason of the guard that failed (NOT_ALLOWED_IN_MODE when none matched).
"""

from fsw.modes.schema import Guard, Transition
from fsw.packets.reasons import Reason
from fsw.tables.enums import Mode, Trigger

M = Mode
T = Trigger
MOVING = (M.DRIVE, M.CLIMB)
AWAKE = (M.STANDBY, M.DRIVE, M.CLIMB, M.SAFE)
ASLEEP = frozenset({M.HIBERNATE, M.NAP})
"""Modes in which only the wake-up circuit and a slow beacon run."""

GUARDS: tuple[Guard, ...] = (
    Guard("wheels_ok", "at least five healthy wheels", Reason.NOT_ALLOWED_IN_MODE),
    Guard("wheels_lost", "fewer than five healthy wheels", Reason.NOT_ALLOWED_IN_MODE),
    Guard(
        "faults_clear",
        "five or more healthy wheels, no SAFE-response monitor beyond its threshold, and a "
        "serial board (if any) connected while HARDWARE_LINK is enabled",
        Reason.FAULT_ACTIVE,
    ),
    Guard("to_standby", "the commanded mode is STANDBY", Reason.NOT_ALLOWED_IN_MODE),
    Guard("to_safe", "the commanded mode is SAFE", Reason.NOT_ALLOWED_IN_MODE),
    Guard("to_hibernate", "the commanded mode is HIBERNATE", Reason.NOT_ALLOWED_IN_MODE),
    Guard("charged", "battery charge at least WAKE_BATTERY", Reason.FAULT_ACTIVE),
    Guard(
        "to_standby_wheels_lost",
        "the commanded mode is STANDBY but fewer than five wheels are healthy",
        Reason.NOT_ALLOWED_IN_MODE,
    ),
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition((M.BOOT,), T.BOOTED, M.STANDBY),
    Transition((M.STANDBY,), T.CMD_DRIVE, M.DRIVE, "wheels_ok", "start_drive"),
    Transition((M.STANDBY,), T.CMD_TURN, M.DRIVE, "wheels_ok", "start_turn"),
    Transition(MOVING, T.MOTION_DONE, M.STANDBY),
    Transition(MOVING, T.CMD_STOP, M.STANDBY, "", "stop_motion"),
    Transition((M.DRIVE,), T.SLOPE_UP, M.CLIMB),
    Transition((M.CLIMB,), T.SLOPE_EASED, M.DRIVE),
    Transition(MOVING, T.FAULT_STOP, M.STANDBY, "", "stop_motion"),
    Transition(MOVING, T.WHEEL_FAILED, M.DRIVE, "wheels_ok", "resume_drive"),
    Transition((M.STANDBY,), T.WHEEL_FAILED, None, "wheels_ok"),
    Transition((M.STANDBY, *MOVING), T.WHEEL_FAILED, M.SAFE, "wheels_lost", "stop_motion"),
    Transition((M.SAFE, M.HIBERNATE, M.NAP), T.WHEEL_FAILED, None),
    Transition((M.STANDBY, M.SAFE, M.HIBERNATE, M.NAP), T.WHEEL_RESTORED, None),
    Transition((M.STANDBY, *MOVING), T.FAULT_SAFE, M.SAFE, "", "stop_motion"),
    Transition((M.STANDBY,), T.CMD_SET_MODE, M.SAFE, "to_safe"),
    Transition((M.STANDBY, M.SAFE), T.CMD_SET_MODE, M.HIBERNATE, "to_hibernate", "sleep"),
    Transition((M.HIBERNATE, M.NAP), T.CMD_SET_MODE, M.SAFE, "to_standby_wheels_lost", "wake"),
    Transition((M.HIBERNATE, M.NAP), T.CMD_SET_MODE, M.STANDBY, "to_standby", "wake"),
    Transition((M.SAFE,), T.CMD_SAFE_RECOVER, M.STANDBY, "faults_clear"),
    Transition((M.STANDBY, M.SAFE), T.CMD_HIBERNATE, M.HIBERNATE, "", "sleep"),
    Transition(AWAKE, T.FAULT_HIBERNATE, M.HIBERNATE, "", "sleep"),
    Transition(AWAKE, T.FAULT_NAP, M.NAP, "", "sleep"),
    Transition((M.HIBERNATE,), T.SUNRISE, M.SAFE, "wheels_lost", "wake"),
    Transition((M.HIBERNATE,), T.SUNRISE, M.STANDBY, "charged", "wake"),
    Transition((M.NAP,), T.COOLED, M.SAFE, "wheels_lost", "wake"),
    Transition((M.NAP,), T.COOLED, M.STANDBY, "", "wake"),
)
