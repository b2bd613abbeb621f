"""A gzip-compressed telemetry log reads as the log it holds; a damaged one says so."""

import gzip

import pytest

from tests.data import regenerate
from tools.tlmlog import LogError, LogReader, LogWriter, read_log_bytes

ROCK = regenerate.golden("rock-0.25m-stops")


@pytest.fixture
def plain(tmp_path):
    path = tmp_path / "rock.tlm"
    path.write_bytes(gzip.decompress(ROCK.read_bytes()))
    return path


def test_a_gzip_log_reads_as_the_log_it_holds_whatever_its_name(plain, tmp_path):
    renamed = tmp_path / "rock.bin"
    renamed.write_bytes(ROCK.read_bytes())
    assert read_log_bytes(renamed) == read_log_bytes(plain) == plain.read_bytes()
    assert list(LogReader(renamed)) == list(LogReader(plain))
    assert LogReader(renamed).header == LogReader(plain).header


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda gz: gz[: len(gz) // 2], r"corrupt gzip \(cut short before its end\)"),
        (lambda gz: gz[:-8] + bytes(4) + gz[-4:], r"corrupt gzip \(CRC check failed"),
        (lambda gz: gz[:3] + b"\xff" + gz[4:], r"corrupt gzip \("),
        (lambda gz: gz[:2], r"corrupt gzip \(cut short"),
    ],
    ids=["truncated", "bad-crc", "bad-flags", "magic-only"],
)
def test_a_damaged_gzip_is_a_log_error_that_says_so(tmp_path, damage, message):
    path = tmp_path / "bad.tlm.gz"
    path.write_bytes(damage(ROCK.read_bytes()))
    with pytest.raises(LogError, match=f"^{path}: {message}"):
        LogReader(path)


def test_a_gzip_of_something_else_is_not_a_log(tmp_path):
    path = tmp_path / "notes.gz"
    path.write_bytes(gzip.compress(b"hello"))
    with pytest.raises(LogError, match="not a telemetry log"):
        LogReader(path)


def test_writers_never_append_to_a_gzip_log(tmp_path):
    path = tmp_path / "rock.tlm.gz"
    path.write_bytes(ROCK.read_bytes())
    header = LogReader(path).header
    with pytest.raises(LogError, match="not appending to it"):
        LogWriter(path, header.dictionary)
    assert path.read_bytes() == ROCK.read_bytes()


def test_the_api_replays_a_gzip_log(rover_log, plain, tmp_path):
    packed = tmp_path / "rock.tlm.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    a, b = rover_log(plain), rover_log(packed)
    for rover in (a, b):
        rover.await_event("MOTION_STOPPED", timeout=100)
    assert [e.raw for e in a.events()] == [e.raw for e in b.events()]
