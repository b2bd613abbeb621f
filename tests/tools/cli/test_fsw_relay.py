"""`rover fsw --relay ...`: the relay between the ground link and the flight software in real
time, and its options refused in one line."""

import time

import pytest

from fsw.packets.framing import frame
from fsw.tables import CATALOG
from tests.hil.support import Ground
from tests.tools.cli.test_fsw_link import LISTENING, Fsw
from tools.cli import main


def test_a_ping_through_queqiao_takes_twice_the_light_time_and_the_uplink_hop():
    fsw = Fsw("--listen", "127.0.0.1:0", "--speed", "10", "--duration", "40", "--insecure",
              "--quiet", "--relay", "queqiao", "--relay-seed", "3")  # fmt: skip
    port = int(fsw.wait_for(LISTENING).group(1))
    fsw.wait_for(r"^rover fsw: relay queqiao: light-time 1\.75 s, up 125 bit/s, down 285 kbit/s")
    fsw.wait_for("flight software on the simulated rover")
    ground = Ground.tcp(("127.0.0.1", port))
    ground.until(lambda p: p.name == "HK", timeout=10)  # the link is up, both ways
    sent = time.monotonic()
    ground.send("PING", 5, token=5)
    assert ground.stages(5, timeout=10)[-1] == "COMPLETED"
    took = (time.monotonic() - sent) * 10  # mission seconds
    bits = len(frame(CATALOG.encode_command("PING", {"token": 5}, 5))) * 8
    assert 2 * 1.75 + bits / 125 - 0.1 < took < 2 * 1.75 + bits / 125 + 1.0
    code, err = fsw.finish(timeout=60)
    ground.close()
    assert (code, err) == (0, "")
    relay = next(x for x in fsw.lines if x.startswith("rover fsw: relay: "))
    assert relay.startswith("rover fsw: relay: up 1 frames: 1 delivered, 0 corrupted, 0 lost")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--relay", "bogus"], "--relay 'bogus': not a profile; give one of none, queqiao, or a "),
        (["--relay", "queqiao", "--relay-loss", "2"], "relay loss 2.0: give a probability from 0"),
        (["--relay-ber", "x"], "relay ber 'x': give a number"),
        (["--relay-uplink-rate", "0"], "relay uplink_rate '0': give a positive rate in bit/s"),
        (["--relay-los", "600+300,700+10"], "relay LOS window '700+10': overlaps 600+300"),
        (["--relay-los", "10-20"], "relay LOS window '10-20': give START+DURATION in seconds"),
        (["--relay-los-period", "60"], "relay LOS period 60.0: a period needs LOS windows"),
        (["--relay", "absent.toml"], "relay profile absent.toml: No such file or directory"),
    ],
)
def test_bad_relay_options_exit_2_with_one_line(args, reason, capsys):
    assert main(["fsw", "--insecure", "--listen", "127.0.0.1:0", *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"rover fsw: {reason}") and captured.err.count("\n") == 1
    assert captured.out == ""
