"""The ground's view of the relay link: the schedule it was given, placed on the rover's run from
housekeeping, and what it observes; fed by an in-process session through the relay."""

from dataclasses import replace

import pytest

from fsw.tables import CATALOG
from hil.radio.relay_profile import QUEQIAO, LosWindow
from tools.ground.inprocess import InProcessSession
from tools.ground.linkwatch import LinkWatch, duration_text
from tools.ground.state import Update

PROFILE = replace(QUEQIAO, los=(LosWindow(10.0, 20.0),))


def watched(pace: float = 1.0) -> tuple[InProcessSession, LinkWatch]:
    """A session through the relay, and a watch whose wall clock runs 1/pace of mission time."""
    s = InProcessSession(relay=PROFILE)
    watch = LinkWatch(PROFILE, wall=lambda: s.now() / pace)
    s.listeners.append(watch.update)
    return s, watch


def test_before_any_packet_the_watch_says_what_it_knows():
    _, watch = watched()
    assert watch.line() == (
        "relay queqiao · LOS schedule placed at the first HK · light-time 1.75 s · no packet yet"
    )


def test_in_contact_it_counts_down_to_the_next_los():
    s, watch = watched()
    s.run_for(5)
    assert watch.rover_time() == pytest.approx(s.now(), abs=0.05)  # + time on the hop
    assert watch.line().startswith("relay queqiao · in contact, LOS in 5 s · light-time 1.75 s")


def test_in_los_it_counts_down_to_contact_and_shows_the_silence():
    s, watch = watched()
    s.run_for(15)
    line = watch.line()
    assert "· LOS, contact in 15 s ·" in line
    assert line.endswith("last packet 4.2 s ago")  # the last, made at 9 s, landed at 10.75 s
    s.run_for(20)
    assert "in contact ·" in watch.line()  # no more LOS to come


def test_a_faster_mission_clock_is_measured_from_the_packets():
    profile = replace(QUEQIAO, los=(LosWindow(100.0, 20.0),))
    s = InProcessSession(relay=profile)
    watch = LinkWatch(profile, wall=lambda: s.now() / 10)  # `rover fsw --speed 10`
    s.listeners.append(watch.update)
    s.run_for(4)
    assert watch.pace() == 1.0  # too soon to tell
    s.run_for(56)
    assert watch.pace() == pytest.approx(10.0, rel=0.01)
    assert "in contact, LOS in 4 s" in watch.line()  # 40 mission s: 4 wall s
    s.run_for(46)
    assert "LOS, contact in 1 s" in watch.line()  # 14 mission s


def test_no_schedule_no_forecast():
    s = InProcessSession(relay=QUEQIAO)
    watch = LinkWatch(QUEQIAO, wall=s.now)
    s.listeners.append(watch.update)
    s.run_for(3)
    assert watch.line().startswith("relay queqiao · no LOS scheduled · light-time 1.75 s")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.4, "0 s"), (59.4, "59 s"), (60, "1 min 00 s"), (250, "4 min 10 s"), (7500, "2 h 05 min")],
)
def test_durations_read_as_an_operator_says_them(seconds, text):
    assert duration_text(seconds) == text


def test_a_playback_of_old_packets_does_not_skew_the_pace():
    wall = [0.0]
    watch = LinkWatch(PROFILE, wall=lambda: wall[0])

    def power(t: float, playback: bool) -> Update:
        values = {f.name: 0.0 for f in CATALOG.telemetry_packet("POWER").fields}
        return Update(CATALOG.decode(CATALOG.encode_telemetry("POWER", values, 0, t)),
                      playback=playback)  # fmt: skip

    watch.update(power(110.0, playback=True))  # the first packet heard: from the store
    watch.update(power(400.0, playback=False))
    wall[0] = 30.0
    watch.update(power(430.0, playback=False))
    assert watch.pace() == pytest.approx(1.0)  # not (430 - 110) / 30
