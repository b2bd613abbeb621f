"""The shipped scenarios, run end to end: each writes a telemetry log, and the story read back from
that log (not from the flight software's insides) meets the scenario's expectations."""

from pathlib import Path

import pytest

from fsw.tables import CATALOG
from tools import scenario
from tools.cli import main
from tools.runner import run
from tools.story import check, tell
from tools.tlmlog import LogReader, RecordType

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


def test_the_issue_s_scenarios_are_shipped():
    names = {p.stem for p in SHIPPED}
    assert {"flat-20m", "climb-20deg", "slope-22deg-stops", "rock-0.18m-driven-over",
            "rock-0.25m-stops", "wheel-stall-50m", "second-failure-safes",
            "lunar-night"} <= names  # fmt: skip


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_scenario_holds_in_the_log_it_writes(path, tmp_path):
    sc = scenario.load(path)
    log = tmp_path / "run.log"
    result = run(sc, out=log)
    assert sc.expect, "a shipped scenario says what it expects"
    records = list(LogReader(log))
    down = [CATALOG.decode(r.packet) for r in records if r.type == RecordType.DOWNLINK]
    up = [CATALOG.decode(r.packet) for r in records if r.type == RecordType.UPLINK]
    story = tell(down, {p.seq_count: p.name for p in up})
    outcome = check(story, sc.expect)
    assert all(ok for _, ok, _ in outcome), [o for o in outcome if not o[1]]
    assert result.passed and len(down) == result.packets


def test_same_seed_same_log_and_another_seed_differs(tmp_path):
    sc = scenario.load(ROOT / "scenarios" / "flat-20m.toml")
    logs = []
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        run(sc, seed=seed, out=tmp_path / name)
        logs.append((tmp_path / name).read_bytes())
    assert logs[0] == logs[1] != logs[2]


BAD = [
    ('name = "x"', "missing 'duration'"),
    ('name = "x"\nduration = 10\nwheels = 7', "unknown key 'wheels'"),
    ('name = "x"\nduration = 10\n[[commands]]\nat = 1\nname = "DRIVEE"', "did you mean DRIVE"),
    ('name = "x"\nduration = 10\n[[commands]]\nat = 1\nname = "DRIVE"\n'
     'args = {distance = 1, radius = 0, speed = 0.05}', "above the maximum 0.0447"),
    ('name = "x"\nduration = 10\n[[faults]]\nat = 1\nfault = "WHEEL_STALL"', "needs a wheel"),
    ('name = "x"\nduration = 10\n[[commands]]\nat = 11\nname = "NOOP"', "outside"),
    ('name = "x"\nduration = 10\n[terrain]\nrocks = [{x = 1, y = 0, height = -1, radius = 1}]',
     "rocks[0]"),
    ("duration = ", "not TOML"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_scenario_is_refused_naming_the_item(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(scenario.ScenarioError, match=message.replace("[", r"\[")):
        run(scenario.load(path))


def test_repeated_commands_are_expanded():
    sc = scenario.parse({"name": "x", "duration": 100, "commands": [
        {"at": 10, "every": 30, "name": "NOOP"}]})  # fmt: skip
    assert [c.at for c in sc.commands] == [10, 40, 70, 100]


@pytest.mark.parametrize(
    ("expect", "message"),
    [({"travelled": 5}, r"\[min, max\]"), ({"events": "BOOTED"}, "list of names"),
     ({"degraded": 1}, "true or false"), ({"final_x": [2, 1]}, "above max")],
)  # fmt: skip
def test_a_badly_shaped_expectation_is_refused(expect, message):
    with pytest.raises(scenario.ScenarioError, match=message):
        scenario.parse({"name": "x", "duration": 5.0, "expect": expect})


def test_a_duration_that_is_not_a_number_is_refused():
    with pytest.raises(scenario.ScenarioError, match="not a number"):
        scenario.parse({"name": "x", "duration": float("nan")})


@pytest.mark.parametrize(
    ("expect", "message"),
    [({"final_mode": "FLYING"}, "expect.final_mode: unknown mode 'FLYING' (one of BOOT, STANDBY, "
      "DRIVE, CLIMB, SAFE, HIBERNATE, NAP)"),
     ({"modes_visited": ["STANDBY", "DRIVING"]}, "expect.modes_visited: unknown mode 'DRIVING'"),
     ({"modes_not_visited": ["safe"]}, "expect.modes_not_visited: unknown mode 'safe'"),
     ({"events": ["DRIVE_STARTD"]},
      "expect.events: unknown event 'DRIVE_STARTD' (did you mean DRIVE_STARTED?)"),
     ({"absent_events": ["EXPLODED"]},
      "expect.absent_events: unknown event 'EXPLODED' (see docs/reference.md)"),
     ({"completed": ["DRIVE", "DRIVES"]},
      "expect.completed: unknown command 'DRIVES' (did you mean DRIVE?)"),
     ({"failed": ["FLY"]}, "expect.failed: unknown command 'FLY'"),
     ({"rejected": ["NOOPS"]}, "expect.rejected: unknown command 'NOOPS' (did you mean NOOP"),
     ],
)  # fmt: skip
def test_an_expectation_naming_nothing_known_is_refused_at_load(expect, message):
    with pytest.raises(scenario.ScenarioError) as refused:
        scenario.parse({"name": "x", "duration": 5.0, "expect": expect})
    assert str(refused.value).startswith(message)


def test_rover_run_refuses_an_unknown_final_mode_before_running(tmp_path, capsys):
    path = tmp_path / "fly.toml"
    path.write_text('name = "x"\nduration = 100000\n[expect]\nfinal_mode = "FLYING"\n')
    assert main(["run", str(path)]) == 2  # at once: 100,000 s are not simulated first
    out = capsys.readouterr()
    assert out.err == (
        f"rover run: {path}: expect.final_mode: unknown mode 'FLYING' (one of BOOT, STANDBY, "
        "DRIVE, CLIMB, SAFE, HIBERNATE, NAP)\n"
    )
    assert out.out == ""


@pytest.mark.parametrize("seed", [-1, 2**32, 10**30, True])
def test_a_seed_out_of_range_is_refused(seed):
    with pytest.raises(scenario.ScenarioError, match="is not a whole number from 0 to 4294967295"):
        scenario.parse({"name": "x", "duration": 5.0, "seed": seed})
