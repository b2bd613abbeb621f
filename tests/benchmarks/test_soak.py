"""The soak's machinery (benchmarks/soak.py), on short runs of the same code."""

from benchmarks import soak


def run(capsys, *argv):
    code = soak.main(list(argv))
    return code, capsys.readouterr().out


def test_a_day_from_dusk_hibernates_and_keeps_its_memory(capsys):
    code, out = run(capsys, "--days", "1", "--before-sunset", "1")
    assert code == 0, out
    assert "modes visited: STANDBY, HIBERNATE" in out
    assert "day  1: HIBERNATE" in out
    assert "commands: accepted" in out
    assert "resident size: start" in out and "target <= 5" in out


def test_the_rover_wakes_by_itself_after_sunrise(capsys):
    night = soak.SYNODIC_PERIOD / 2 / 3600  # hours of a night: start 2 h before it ends
    code, out = run(capsys, "--days", "0.7", "--before-sunset", str(2 - night))
    assert code == 0, out
    assert "from sunrise (SUNRISE)" in out


def test_memory_that_grows_misses_the_target(capsys, monkeypatch):
    sizes = iter(range(30, 1000, 10))
    monkeypatch.setattr(soak, "rss_mb", lambda: float(next(sizes)))
    code, out = run(capsys, "--days", "2", "--before-sunset", "1")
    assert code == 1
    assert "(growth +20.0 MB, target <= 5)" in out
    assert "TARGETS NOT MET" in out


def test_an_exception_is_reported_as_a_crash(capsys, monkeypatch):
    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(soak.Soak, "random_command", broken)
    code, out = run(capsys, "--days", "1", "--before-sunset", "1")
    assert code == 1
    assert "CRASH: RuntimeError: boom" in out
