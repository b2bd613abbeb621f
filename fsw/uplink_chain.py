"""The uplink chain of the flight software, wired in one place: the inbox the radio posts into
(bounded), the intake that takes from it within each control period's budget, the uplink that
deframes and judges packets through security, and the dispatcher behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fsw.inbox import Inbox, Intake
from fsw.security import UplinkSecurity
from fsw.uplink import Uplink

if TYPE_CHECKING:
    from fsw.flight import FlightSoftware


def build_uplink(
    f: FlightSoftware, security: UplinkSecurity
) -> tuple[UplinkSecurity, Uplink, Inbox, Intake]:
    """Security, uplink, inbox and intake for `f`, the intake hooked into its executive."""
    uplink = Uplink(
        f.catalog,
        f.command_arrived,
        f.emit,
        security,
        f.dispatcher.refuse,
        lambda: int(f.params["ANTI_REPLAY_WINDOW"]),
        f.clock.now,
    )
    inbox = Inbox(f.clock.wake)
    intake = Intake(inbox, f.params, f.control_period, f.clock.now, uplink)
    f.executive.intake = intake.step
    return security, uplink, inbox, intake
