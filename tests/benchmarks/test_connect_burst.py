"""The connect-burst benchmark (benchmarks/connect_burst.py) runs, counts every connection and says
in its exit status whether the target was met (the figures themselves are the benchmark's)."""

from benchmarks import connect_burst


def test_a_small_burst_is_measured_and_every_connection_accepted(capsys):
    assert connect_burst.main(["--count", "20", "--target-ms", "1e6"]) == 0
    out = capsys.readouterr().out
    assert "20 connects at once, listen backlog " in out
    assert "radio: 20 accepted" in out
    assert "target: p90 <= 1e+06 ms: met" in out


def test_a_missed_target_is_said_and_exits_1(capsys):
    assert connect_burst.main(["--count", "5", "--target-ms", "0"]) == 1
    assert "target: p90 <= 0 ms: MISSED" in capsys.readouterr().out
