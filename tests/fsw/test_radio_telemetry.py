"""RADIO telemetry: the ground link's radio, reported at the housekeeping rate from the status the
radio hands the flight software (connections, proofs, refusals, bytes and frames lost), and only
when there is a radio."""

from __future__ import annotations

from fsw.port import RadioStatus
from tests.fsw.support import Rover


def test_radio_telemetry_reports_the_radio_and_only_when_there_is_one():
    status = RadioStatus(
        connected=True, connections=7, pending=2, proven=1, refused=4, bytes_up=5000,
        undelivered=123, frames_down=900, dropped_down=11, relay_full_up=3, relay_full_down=0,
    )  # fmt: skip
    r = Rover(flight={"radio": lambda: status})
    r.run(2.0)
    v = r.last("RADIO")
    assert v == {
        "connected": "YES", "connections": 7, "pending": 2, "proven": 1, "refused": 4,
        "bytes_up": 5000, "undelivered": 123, "frames_down": 900, "dropped_down": 11,
        "relay_full_up": 3, "relay_full_down": 0,
    }  # fmt: skip
    plain = Rover()
    plain.run(2.0)
    assert not [p for p in plain.packets if p.name == "RADIO"]
