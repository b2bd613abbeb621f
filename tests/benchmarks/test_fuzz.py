"""The fuzzing campaign's machinery (benchmarks/fuzz.py), on a small run of the same code."""

import pytest

from benchmarks import fuzz
from benchmarks.fuzz_inputs import fix_packet
from benchmarks.fuzz_targets import BoardBoard, FlightUplink, SecuredUplink
from fsw.packets.framing import Deframer, frame
from fsw.tables import CATALOG
from hil.board.endpoint import BoardEndpoint


def small_run(monkeypatch, capsys, *extra):
    code = fuzz.main(["--inputs", "3000", "--batch", "500", "--atheris-share", "0",
                      "--hypothesis-share", "0.02", *extra])  # fmt: skip
    return code, capsys.readouterr().out


def test_every_target_survives_a_small_campaign_and_the_link_still_works(monkeypatch, capsys):
    code, out = small_run(monkeypatch, capsys)
    assert code == 0, out
    assert "3,000 inputs (target >= 3,000)" in out
    assert "0 failures" in out
    for name in ("uplink", "dispatcher", "secured-uplink", "board-stream", "board-endpoint"):
        assert name in out
    # bad inputs are judged for the reasons a user would see
    assert "link BAD_CRC" in out
    assert "command REJECTED UNKNOWN_CODE" in out
    assert "command REJECTED BAD_MAC" in out
    assert "board REJECT BAD_CRC" in out


def test_a_deframer_that_drops_bytes_silently_is_caught(monkeypatch, capsys):
    monkeypatch.setattr(Deframer, "_discard", lambda *args, **kwargs: None)
    code, out = small_run(monkeypatch, capsys, "--targets", "uplink")
    assert code == 1
    assert "PROPERTY BROKEN: bytes fed are neither delivered, discarded nor held" in out


def test_a_rejection_without_a_report_is_caught():
    target = FlightUplink(3)
    target.flight.dispatcher.verify = lambda *args: None  # reports lost on the way
    packet = CATALOG.encode_command("PING", {"token": 1}, 0)
    bad_code = bytearray(packet)
    bad_code[6] = 0xEE
    with pytest.raises(fuzz.Violation, match="packets delivered, 0 judged"):
        target.run_one(frame(fix_packet(bytes(bad_code))))


def test_a_board_that_miscounts_a_bad_frame_is_caught(monkeypatch):
    target = BoardBoard(1)
    real = BoardEndpoint._reject_frame

    def uncounted(self, kind, reason):
        self.rx_errors -= 1
        return real(self, kind, reason)

    monkeypatch.setattr(BoardEndpoint, "_reject_frame", uncounted)
    with pytest.raises(fuzz.Violation, match="rx_errors moved by 0"):
        target.run_one(b"\x00\x05\x01\x02\x03\x04\x00")  # a frame whose CRC is wrong


def test_the_link_check_fails_when_the_uplink_is_wedged():
    target = SecuredUplink(1)
    assert target.healthy()
    target.flight.receive = lambda data: None  # nothing gets through any more
    assert not target.healthy()


def test_atheris_runs_a_target_in_a_child_when_installed():
    pytest.importorskip("atheris")
    campaign = fuzz.Campaign(BoardBoard(1), batch=100)
    assert fuzz.run_atheris(campaign, 300, seed=1) == ""
    assert campaign.inputs["atheris"] >= 300
    assert campaign.failures == 0
    assert campaign.health and all(campaign.health)
