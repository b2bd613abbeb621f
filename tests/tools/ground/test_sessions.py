import time

import pytest

from fsw.packets.secure import unseal
from fsw.security import Key
from tests.hil.support import Emulator, Ground, eventually
from tools.dictionary import Dictionary
from tools.ground.cmdline import parse
from tools.ground.conditions import parse_condition
from tools.ground.inprocess import InProcessSession
from tools.ground.playback import PlaybackSession
from tools.ground.session import GroundError, LinkSession, Session
from tools.ground.signer import Signer, new_key
from tools.tlmlog import LogReader, RecordType

D = Dictionary.from_flight()


def line(text):
    return parse(D, text)


@pytest.fixture
def recorded(tmp_path):
    """A short drive recorded by an in-process session."""
    path = tmp_path / "drive.tlm"
    s = InProcessSession(record=path)
    ping = s.send(line("PING 7"))
    drive = s.send(line("DRIVE 1 0 0.0447"))
    assert s.await_final(ping, 1) == "COMPLETED"
    assert s.await_final(drive, 60) == "COMPLETED"
    s.run_for(2)
    s.close()
    return path


def test_in_process_commands_are_verified_stage_by_stage_in_mission_time():
    s = InProcessSession()
    start = s.now()
    drive = s.send(line("DRIVE 1 0 0.0447"))
    assert drive.seq == 0
    assert s.await_final(drive, 5) is None  # 1 m takes 22 s: not done after 5
    assert drive.stages == ["ACCEPTED", "STARTED"]
    assert s.now() - start == pytest.approx(5, abs=0.11)
    assert s.await_final(drive, 60) == "COMPLETED"
    assert 22.3 < drive.finished - drive.sent < 25  # 1 m at 0.0447 m/s, and slowing to stop
    done = s.await_event("MOTION_DONE", 1)
    assert done is not None and done.values["travelled"] == pytest.approx(1, abs=0.01)
    assert s.await_condition(parse_condition(D, ["MOBILITY.travelled", ">=", "0.99"]), 2)


def test_a_rejected_command_names_its_reason_and_argument():
    s = InProcessSession()
    hib = s.send(line("SET_MODE HIBERNATE"))
    s.await_final(hib, 2)
    drive = s.send(line("DRIVE 1 0 0.0447"))
    assert s.await_final(drive, 2) == "REJECTED"
    assert drive.outcome() == "REJECTED: NOT_ALLOWED_IN_MODE"


def test_waits_time_out_and_events_are_looked_for_after_a_mark():
    s = InProcessSession()
    s.send(line("PING 1"))
    assert s.await_event("PING_REPLY", 1) is not None
    mark = s.event_cursor()
    assert s.await_event("PING_REPLY", 3, since=mark) is None
    assert s.await_condition(parse_condition(D, ["HK.mode", "==", "SAFE"]), 3) is False


def test_the_recording_holds_each_command_before_its_reports(recorded):
    records = list(LogReader(recorded))
    kinds = [(r.type, D.decode(r.packet).name) for r in records]
    first_uplink = kinds.index((RecordType.UPLINK, "PING"))
    first_verify = kinds.index((RecordType.DOWNLINK, "CMD_VERIFY"))
    assert first_uplink < first_verify


def test_a_log_plays_back_the_same_story(recorded):
    p = PlaybackSession(recorded)
    drive = p.send(line("DRIVE 1 0 0.0447"))  # the PING before it is passed over
    assert p.await_final(drive, 60) == "COMPLETED"
    assert drive.stages == ["ACCEPTED", "STARTED", "COMPLETED"]
    assert p.await_event("MOTION_DONE", 5) is not None
    with pytest.raises(GroundError, match="no further PING token=7 was sent"):
        p.send(line("PING 7"))
    assert p.finished


def test_a_log_does_not_match_a_command_with_other_arguments(recorded):
    p = PlaybackSession(recorded)
    with pytest.raises(GroundError, match="no further DRIVE distance=2"):
        p.send(line("DRIVE 2 0 0.0447"))


def test_scenario_faults_happen_at_their_times_and_its_commands_play_on_request():
    s = InProcessSession("scenarios/wheel-stall-50m.toml", play_commands=True)
    isolated = s.await_event("WHEEL_ISOLATED", 900)
    assert isolated is not None
    assert isolated.shown()["wheel"] == "LM"
    assert 560 <= isolated.time - s.scenario.start_time < 570
    assert [c.name for c in s.sent][:1] == ["DRIVE"]


def test_short_waits_one_after_another_end_on_time():
    s = InProcessSession()
    start = s.now()
    s.run_for(60)
    for _ in range(20):  # 0.1 s is no whole number of nanoseconds in binary: each wait must end
        s.run_for(0.1)
    assert s.now() - start == pytest.approx(62, abs=1e-6)


def test_a_console_with_the_key_takes_the_link_and_a_recorder_without_it_is_told_why():
    key = new_key()
    emu = Emulator.keyed(key, proof_timeout=0.5)
    url = f"socket://127.0.0.1:{emu.radio.address[1]}"
    holder = Ground.tcp(emu.radio.address)
    holder.signer = Signer(key, lambda: time.time_ns() // 1000)
    said: list[str] = []
    recorder = LinkSession(D, url, on_status=said.append).start()  # `rover record`: no key
    console = None
    try:
        holder.send("PING", 1, token=1)
        assert holder.stages(1)[-1] == "COMPLETED"
        eventually(lambda: any("closed by the rover before any telemetry" in s for s in said))
        assert recorder.state.counts == {}  # it never had the link
        holder.send("PING", 2, token=2)
        assert holder.stages(2)[-1] == "COMPLETED"  # the operator kept it

        told: list[str] = []
        console = LinkSession(D, url, key=key, on_status=told.append).start()
        assert console.wait_for(lambda: "HK" in console.state.counts, 8)  # listening: proven
        assert any("proving the uplink key on the next connection" in s for s in told)
        ping = console.send(line("PING 5"))
        assert console.await_final(ping, 5) == "COMPLETED"
        assert ping.seq == 0  # the proof's NOOP took no sequence count of the console's
        assert console.await_event("NOOP", 5) is not None  # the proof ran, once
        eventually(lambda: holder.listen() == [] and holder.closed)
        assert emu.radio.counters.proven == 1
    finally:
        if console is not None:
            console.close()
        recorder.close()
        holder.close()
        emu.stop()


class _Uplink(Session):
    """A session whose uplink keeps what it would send."""

    def __init__(self, now: list[int]) -> None:
        super().__init__(Dictionary.from_flight())
        self.signer = Signer(Key(1, bytes(32)), lambda: now[0])
        self.wire: list[bytes] = []

    def _transmit(self, packet: bytes) -> None:
        self.wire.append(packet)


def test_sa_set_arsn_below_the_grounds_numbering_is_refused_on_the_ground():
    """A counter set below numbers already signed would let those commands run again: an
    operator typing `arsn=1` (the ARSN_UNKNOWN event gives only the challenge) reopened every
    captured command."""
    now = [1_764_000_000_000_000]
    s = _Uplink(now)
    s.send(parse(s.dictionary, "NOOP"))
    with pytest.raises(GroundError) as err:
        s.send(parse(s.dictionary, "SA_SET_ARSN arsn=1 challenge=7"))
    assert str(err.value) == (
        "SA_SET_ARSN arsn=1: below this ground's numbering (1764000000000001, the clock in "
        "microseconds), commands signed before would run again if replayed; give "
        "arsn=1764000000000001 or more"
    )
    assert len(s.wire) == 1  # nothing went out
    ahead = now[0] + 5_000_000  # a counter set ahead of the clock: later commands go above it
    s.send(parse(s.dictionary, f"SA_SET_ARSN arsn={ahead} challenge=7"))
    s.send(parse(s.dictionary, "NOOP"))
    assert unseal(s.wire[-1]).sn > ahead  # the NOOP after it: above the counter, so it runs


def test_two_consoles_with_the_key_do_not_take_the_link_from_each_other_for_ever():
    key = new_key()
    emu = Emulator.keyed(key, proof_timeout=0.3)
    url = f"socket://127.0.0.1:{emu.radio.address[1]}"
    told: dict[str, list[str]] = {"first": [], "second": []}
    consoles: list[LinkSession] = []
    try:
        for said in told.values():
            consoles.append(LinkSession(D, url, key=key, on_status=said.append))
            consoles[-1].link.retry = 0.1  # a take-back would come within a second
            consoles[-1].start()
            assert consoles[-1].wait_for(lambda c=consoles[-1]: "HK" in c.state.counts, 8)
        first, second = consoles
        eventually(
            lambda: any("another ground with the uplink key took" in s for s in told["first"])
        )
        time.sleep(2.0)  # ten retries: the first console must not prove itself back
        assert emu.radio.counters.proven == 1
        seen = second.state.counts["HK"]
        assert second.wait_for(lambda: second.state.counts["HK"] > seen, 3)  # it keeps the link
        second.close()  # the link comes free: the first console takes it, with no proof
        heard = first.state.counts["HK"]
        assert first.wait_for(lambda: first.state.counts["HK"] > heard, 8)
        assert emu.radio.counters.proven == 1
    finally:
        for console in consoles:
            console.close()
        emu.stop()
