"""A benchmark that misses its target says so in its exit status (1), not only in its text, so a
script or CI job running it sees the miss; one that meets it exits 0. The figures are not judged
here (a test is not a benchmark): the targets are moved instead."""

from types import SimpleNamespace

import pytest

from benchmarks import codec, console_rtt, replay, sim_speed


@pytest.mark.parametrize(("wall", "code", "verdict"), [(1.0, 1, "TARGET NOT MET"),
                                                      (0.01, 0, "target met")])  # fmt: skip
def test_sim_speed(monkeypatch, capsys, wall, code, verdict):
    done = SimpleNamespace(passed=True, simulated=3300.0, wall=wall, packets=10)
    monkeypatch.setattr(sim_speed, "run", lambda *_, **__: done)  # 3,300x or 330,000x
    assert sim_speed.main(["--runs", "1"]) == code
    out = capsys.readouterr().out
    assert "target 10,000" in out and out.splitlines()[-1] == verdict


@pytest.mark.parametrize(("target", "code", "verdict"), [(0.0, 1, "TARGETS NOT MET"),
                                                        (1e9, 0, "targets met")])  # fmt: skip
def test_codec(monkeypatch, capsys, target, code, verdict):
    monkeypatch.setattr(codec, "TARGET_DECODE", target)
    assert codec.main(["--packets", "2000", "--repeats", "1"]) == code
    out = capsys.readouterr().out
    assert f"(target <= {target:g}x)" in out and out.splitlines()[-1] == verdict


def test_console_rtt(monkeypatch, capsys):
    monkeypatch.setattr(console_rtt, "TARGET_P99_MS", 0.0)  # no round trip is that fast
    assert console_rtt.main(["--count", "20"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "  target p99 <= 0 ms, every PING completed: NOT met"


def test_replay(monkeypatch, capsys, tmp_path):
    short = tmp_path / "short.toml"  # a minute's run as the template, not a 50 m traverse
    short.write_text('name = "short"\nduration = 60\n[[commands]]\nat = 1\nname = "NOOP"\n')
    monkeypatch.setattr(replay, "SCENARIO", short)
    monkeypatch.setattr(replay, "TARGET_CSV", 10**12)
    assert replay.main(["--packets", "5000", "--repeats", "1"]) == 1
    out = capsys.readouterr().out
    assert "target >= 1,000,000,000,000" in out and out.splitlines()[-1] == "TARGETS NOT MET"
