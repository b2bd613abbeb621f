"""What `rover fsw` prints of the packets going down, a playback from the store included."""

from fsw.packets import playback
from fsw.tables import CATALOG
from tests.fsw.support import Rover
from tools.cli import fsw_cmd


def test_a_playback_prints_its_events_marked_and_no_stale_status_lines(capsys):
    show = fsw_cmd._printer(1000.0)
    event = CATALOG.encode_event("PING_REPLY", {"token": 3}, 0, 1002.0)
    rover = Rover()
    rover.run(1)
    hk = next(p.raw for p in rover.packets if p.name == "HK")
    show(event)
    show(hk)
    show(playback.wrap(event, 0, 1010.0))
    show(playback.wrap(hk, 1, 1010.0))
    assert capsys.readouterr().out.splitlines() == [
        "t+    2.0s INFO     PING reply, token 3",
        f"t+{86401.0 - 1000.0:7.1f}s HK       STANDBY   wheels 6 cmds 0/0 rejected",
        "t+    2.0s INFO     PING reply, token 3 (played back)",
    ]
