"""The recorder-kill campaign's machinery (benchmarks/recorder_kill.py), on a small run."""

import re

from benchmarks import recorder_kill as rk
from tools.dictionary import Dictionary
from tools.tlmlog import LogWriter


def test_a_few_kills_lose_nothing_flushed_and_every_log_opens(tmp_path, capsys):
    code = rk.main(["--kills", "4", "--append-runs", "2", "--max-delay", "0.05",
                    "--keep", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "kills: 4" in out
    assert "records lost before the last flush: 0 (target 0)" in out
    assert "records damaged or skipped: 0 (target 0)" in out
    # the one cut short by hand, and any a SIGKILL left mid-write (reported and skipped, allowed)
    torn = re.search(r"torn tails reported and skipped: (\d+)", out)
    assert torn is not None and int(torn.group(1)) >= 1, out
    assert "with no torn tail: yes" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kill-0.tlm", "kill-2.tlm"]


def write(path, numbers):
    with LogWriter(path, rk.FINGERPRINT) as writer:
        for i in numbers:
            writer.write(rk.packet(i), rk.received_ns(i), rk.record_type(i))


def test_a_lost_flushed_record_is_counted(tmp_path):
    log = tmp_path / "short.tlm"
    write(log, range(10))
    totals = rk.Totals()
    assert rk.check_log(log, 12, 15, totals, Dictionary.from_flight()) == 10
    assert totals.lost_before_flush == 2
    assert totals.lost_after_flush == 3
    assert totals.damaged == 0


def test_a_record_that_is_not_the_one_written_is_counted(tmp_path):
    log = tmp_path / "wrong.tlm"
    write(log, [0, 1, 2, 4, 4])
    totals = rk.Totals()
    rk.check_log(log, 5, 5, totals, Dictionary.from_flight())
    assert totals.damaged == 1
    assert totals.checked == 5


def test_a_torn_tail_is_reported_and_the_records_before_it_read(tmp_path):
    log = tmp_path / "torn.tlm"
    write(log, range(3))
    totals = rk.Totals()
    rk.tear(log, 3, rk.random.Random(1), totals, Dictionary.from_flight())
    assert (totals.torn_tails, totals.torn_made, totals.damaged) == (1, 1, 0)
    assert not totals.unreadable
