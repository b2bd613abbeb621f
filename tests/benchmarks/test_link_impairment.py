"""The link impairment campaign's machinery (benchmarks/link_impairment.py) on a short run."""

from benchmarks import link_impairment


def test_a_short_impaired_pass_ends_with_everything_and_nothing_twice(capsys, tmp_path):
    code = link_impairment.main(["--hours", "0.25", "--loss", "0.1", "--log", str(tmp_path / "l")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 of them missing on the ground" in out
    assert "rover replay on the archive: 0 missing by sequence count" in out
    assert ", twice 0" in out and "REPLAYED" in out  # a doubted copy was refused, not run
    assert "lost" in out and " 0 lost," not in out.split("downlink:")[1].splitlines()[0]


def test_without_playback_the_same_pass_has_gaps(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(link_impairment.Campaign, "recover", lambda self: 0)
    code = link_impairment.main(["--hours", "0.25", "--loss", "0.1", "--log", str(tmp_path / "l")])
    out = capsys.readouterr().out
    assert code == 1 and "targets (zero gaps, nothing twice, every command decided): MISSED" in out
    assert " 0 of them missing" not in out and "archive: 0 missing by sequence" not in out
