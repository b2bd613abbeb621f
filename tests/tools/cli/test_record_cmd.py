"""`rover record` against `rover fsw` over TCP: it records what the rover sends, loses nothing
already written when killed with -9, appends to a log after a crash (cutting the torn tail), and
keeps recording across the rover not being there yet, going away and coming back."""

from __future__ import annotations

import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from fsw.packets.timecode import MISSION_EPOCH
from tests.tools.fswproc import ROOT, FswProcess, child_env, free_port, rover_command
from tools.dictionary import Dictionary
from tools.ground.signer import new_key, write_key
from tools.tlmlog import LogReader, Record, RecordType, ScanStats, encode_record

DICTIONARY = Dictionary.from_flight()


LIMIT_FILES = (
    "import os, resource, sys; size = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (size, size)); os.execv(sys.argv[2], sys.argv[2:])"
)
"""Runs a command whose files may not grow past argv[1] bytes (SIGXFSZ stays ignored)."""


class Recorder:
    """A `rover record` child; its standard error goes to a file, read by `said()`; with
    `file_limit` its files may not grow past that many bytes (RLIMIT_FSIZE: EFBIG, for real)."""

    def __init__(self, link: str, out: Path, *extra: str, file_limit: int | None = None) -> None:
        self.out = out
        self.errors = out.with_suffix(f".{time.monotonic_ns()}.stderr")
        with self.errors.open("w") as err:
            command = rover_command("record", "--link", link, "--out", str(out), *extra)
            if file_limit is not None:
                command = [sys.executable, "-c", LIMIT_FILES, str(file_limit), *command]
            self.proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=child_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )

    def said(self) -> str:
        return self.errors.read_text()

    def wait_said(self, text: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.said():
            assert self.proc.poll() is None, f"rover record exited:\n{self.said()}"
            assert time.monotonic() < deadline, f"rover record never said {text!r}:\n{self.said()}"
            time.sleep(0.05)

    def wait(self, timeout: float = 15.0) -> int:
        return self.proc.wait(timeout)

    def stop(self) -> int:
        """^C, as an operator stops it; the exit status."""
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(10)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def recorders() -> Iterator[list[Recorder]]:
    started: list[Recorder] = []
    yield started
    for r in started:
        r.kill()
        assert "Traceback" not in r.said(), r.said()


def read(path: Path) -> tuple[list[Record], ScanStats]:
    reader = LogReader(path)
    records = list(reader)
    return records, reader.stats


def wait_records(path: Path, count: int, timeout: float = 10.0, **where: object) -> list[Record]:
    """The log's records once at least `count` are there (of HK only, with packet="HK")."""
    deadline = time.monotonic() + timeout
    while True:
        records = read(path)[0] if path.exists() and path.stat().st_size else []
        if "packet" in where:
            chosen = [r for r in records if DICTIONARY.decode(r.packet).name == where["packet"]]
        else:
            chosen = records
        if len(chosen) >= count:
            return records
        assert time.monotonic() < deadline, f"{path}: {len(chosen)} records, not {count}"
        time.sleep(0.1)


def decoded(records: list[Record]) -> list:
    return [DICTIONARY.decode(r.packet) for r in records]


def assert_no_gaps(records: list[Record]) -> None:
    """Every telemetry APID's sequence counts run on without a gap: nothing lost in between."""
    last: dict[int, int] = {}
    for p in decoded(records):
        if p.apid in last:
            assert p.seq_count == (last[p.apid] + 1) % 0x4000, f"{p.name}: gap at {p.seq_count}"
        last[p.apid] = p.seq_count


@pytest.fixture
def fsw():
    with FswProcess.start(speed=20) as process:
        yield process


def test_records_what_the_rover_sends_for_the_duration(fsw, tmp_path, recorders):
    log = tmp_path / "hk.tlm"
    started = time.monotonic()
    recorders.append(rec := Recorder(fsw.url, log, "--duration", "3"))
    assert rec.wait() == 0, rec.said()
    took = time.monotonic() - started
    assert 3 <= took < 8
    records, stats = read(log)
    assert stats == ScanStats(records=len(records))  # nothing skipped, damaged or torn
    names = Counter(p.name for p in decoded(records))
    # 1 Hz housekeeping at 20x for about 3 s (minus connecting): some 50 to 60 of each
    for name in ("HK", "MOBILITY", "POWER", "WHEELS", "FDIR"):
        assert names[name] >= 20, names
    assert all(r.type is RecordType.DOWNLINK for r in records)
    assert_no_gaps(records)
    said = rec.said()
    assert f"recording {fsw.url} to {log}" in said
    assert f"{len(records)} packets recorded" in said
    times = [r.received_ns for r in records]
    assert times == sorted(times)
    assert abs(times[-1] / 1e9 - time.time()) < 30  # stamped with the ground's clock


def test_kill_9_loses_nothing_written_and_the_log_can_be_appended_to(fsw, tmp_path, recorders):
    log = tmp_path / "killed.tlm"
    recorders.append(first := Recorder(fsw.url, log))
    wait_records(log, 40)
    # each packet is in the file as soon as it comes (five every 50 ms at 20x), not held in a
    # buffer that kill -9 would lose: the newest record is never more than a moment old
    # (a buffer of 8 KB holds half a second of it: the newest record would then be 0.25 s old
    # on average; a loaded machine may hold a packet back now and then, hence the median)
    ages = []
    for _ in range(20):
        time.sleep(0.05)
        ages.append(time.time() - read(log)[0][-1].received_ns / 1e9)
    assert statistics.median(ages) < 0.12, [round(age, 3) for age in ages]
    first.proc.send_signal(signal.SIGKILL)
    killed = time.time()
    first.wait()
    before, stats = read(log)
    assert killed - before[-1].received_ns / 1e9 < 1.0
    assert stats.corrupt_records == stats.skipped_bytes == stats.unknown_records == 0, stats
    assert len(before) >= 40
    assert_no_gaps(before)  # every record up to the last is there and whole

    # a crash in the middle of a write leaves a torn record at the end: the next writer cuts it
    torn = encode_record(before[-1].packet, time.time_ns())[:-7]
    with log.open("ab") as f:
        f.write(torn)
    assert read(log)[1].torn_tail_bytes == len(torn)
    size = log.stat().st_size

    recorders.append(second := Recorder(fsw.url, log, "--duration", "1.5"))
    assert second.wait() == 0, second.said()
    after, stats = read(log)
    assert stats == ScanStats(records=len(after)), stats  # the torn tail is gone
    assert after[: len(before)] == before  # what was there is untouched
    assert len(after) > len(before) + 10
    assert log.stat().st_size > size - len(torn)
    assert_no_gaps(after[len(before) :])
    assert min(r.received_ns for r in after[len(before) :]) > before[-1].received_ns


def test_a_second_recorder_on_the_same_log_is_refused(fsw, tmp_path, recorders):
    log = tmp_path / "shared.tlm"
    recorders.append(Recorder(fsw.url, log))
    wait_records(log, 5)
    recorders.append(second := Recorder(fsw.url, log, "--duration", "1"))
    assert second.wait() == 2
    assert "another process is writing this log" in second.said()
    records, stats = read(log)
    assert stats == ScanStats(records=len(records))


def test_keeps_trying_until_the_rover_is_there_and_records_across_a_restart(tmp_path, recorders):
    port = free_port()
    log = tmp_path / "restarts.tlm"
    recorders.append(rec := Recorder(f"socket://127.0.0.1:{port}", log))
    rec.wait_said("cannot open")  # refused: nobody listens yet
    assert "retrying" in rec.said()
    time.sleep(1.2)  # at least one more attempt, which must not end it
    assert rec.proc.poll() is None

    with FswProcess.start(speed=20, port=port):
        rec.wait_said(": up")
        count = len(wait_records(log, 20))
    killed = time.time_ns()  # the first emulator is gone: later records are the second's
    rec.wait_said("down")  # the emulator was killed: the link dropped
    with FswProcess.start(speed=20, port=port):  # back on the same port: a new boot
        wait_records(log, count + 20)
        assert rec.proc.poll() is None
    assert rec.stop() == 0, rec.said()
    assert rec.said().count(": up") == 2, rec.said()

    records, stats = read(log)
    assert stats.corrupt_records == stats.skipped_bytes == stats.torn_tail_bytes == 0, stats
    boots = (
        [r for r in records if r.received_ns < killed],
        [r for r in records if r.received_ns > killed],
    )
    assert sum(map(len, boots)) == len(records)
    assert len(boots[0]) >= 20 and len(boots[1]) >= 20, [len(b) for b in boots]
    # when each part's emulator booted, by its own telemetry: the packet time (mission time,
    # which starts from the wall clock) less the uptime in whole seconds, so up to 1 s late
    began = [[p.time - p.values["uptime"] for p in decoded(b) if p.name == "HK"] for b in boots]
    gone = killed / 1e9 - MISSION_EPOCH.timestamp()  # the kill, in mission time
    assert max(began[0]) - 1 < gone < min(began[1]), (gone, began)  # booted before, and after
    for boot in boots:
        assert_no_gaps(boot)


def test_sigterm_stops_it_as_ctrl_c_does(tmp_path, recorders):
    log = tmp_path / "none.tlm"
    recorders.append(rec := Recorder(f"socket://127.0.0.1:{free_port()}", log))
    rec.wait_said("SIGTERM stops")
    rec.proc.send_signal(signal.SIGTERM)
    assert rec.wait() == 0, rec.said()
    assert rec.said().splitlines()[-2:] == [
        "rover record: stopped by SIGTERM",
        "rover record: 0 packets recorded",
    ]


def test_with_the_wrong_key_nothing_is_recorded_and_the_refusals_are_said(fsw, tmp_path, recorders):
    wrong = tmp_path / "other.key"
    write_key(wrong, new_key())
    log = tmp_path / "wrong.tlm"
    recorders.append(rec := Recorder(fsw.url, log, "--duration", "2", "--key", str(wrong)))
    assert rec.wait() == 0, rec.said()
    said = rec.said()
    assert "telemetry verified with key SPI 1: forged or plain packets not recorded" in said
    assert read(log)[0] == []  # every packet failed its MAC: none believed, none recorded
    assert re.search(r"0 packets recorded; downlink verified \(0\); REFUSED \d+ forged", said), said


def test_key_and_insecure_together_are_refused(tmp_path):
    result = subprocess.run(
        rover_command("record", "--link", "socket://127.0.0.1:9", "--out", str(tmp_path / "x"),
                      "--key", str(tmp_path / "k"), "--insecure"),
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == "rover record: --key and --insecure: choose one\n"


def test_a_full_disk_stops_the_recorder_with_one_line_and_a_whole_log(fsw, tmp_path, recorders):
    log = tmp_path / "full.tlm"
    recorders.append(rec := Recorder(fsw.url, log, file_limit=6000))  # no --duration: runs on
    assert rec.wait(30) == 1, rec.said()  # stops by itself, failing, as soon as the disk is full
    said = rec.said()
    stopped = [line for line in said.splitlines() if "cannot write" in line]
    assert len(stopped) == 1, said  # one line, once
    assert stopped[0].startswith(f"rover record: stopped: {log}: cannot write (File too large)")
    assert "intact up to its last whole record" in stopped[0]
    assert "Traceback" not in said and "packets recorded" not in said
    records, stats = read(log)
    assert stats == ScanStats(records=len(records)), stats  # whole up to the last good record
    assert len(records) > 20 and log.stat().st_size <= 6000
    assert f"({len(records)} written)" in stopped[0]
    assert_no_gaps(records)
