"""`rover fsw --hardware serial://DEVICE` as a user with a board on the desk runs it: it waits for
the board, flies on it, says when the board goes away, and the ground sees it in telemetry."""

from __future__ import annotations

import time

from tests.hil.board.pi_board import PiBoard
from tests.tools.fswproc import FswProcess
from tools.dictionary import Dictionary
from tools.ground.session import LinkSession
from tools.ground.signer import default_key


def test_rover_fsw_flies_on_a_board_and_says_when_it_is_unplugged(tmp_path):
    path = tmp_path / "ttyBOARD"
    with PiBoard(path) as board:
        hardware = ("--hardware", f"serial://{path}", "--quiet")
        with FswProcess.start(speed=1, extra=hardware) as fsw:
            fsw.wait_for_line(r"^rover fsw: board: RASPBERRY_PI firmware 1\.0\.0 on .*ttyBOARD")
            fsw.wait_for_line(r"^rover fsw: flight software on the board on .*ttyBOARD")
            session = LinkSession(Dictionary.from_flight(), fsw.url, key=default_key()).start()
            try:
                assert session.wait_for(lambda: "HW_LINK" in session.state.latest, 5.0)
                hw = session.state.latest["HW_LINK"].shown()
                assert (hw["connected"], hw["board"]) == ("YES", "RASPBERRY_PI")
                board.unplug()
                fsw.wait_for_line(r"^rover fsw: board on .*ttyBOARD: lost", timeout=3.0)

                def safe() -> bool:
                    hk = session.state.latest.get("HK")
                    return hk is not None and hk.shown()["mode"] == "SAFE"

                assert session.wait_for(safe, 3.0)
                board.plug()
                fsw.wait_for_line(r"board: RASPBERRY_PI firmware .* protocol 1$")
                time.sleep(0.1)
            finally:
                session.close()
