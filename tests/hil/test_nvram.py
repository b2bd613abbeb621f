"""Non-volatile counters: a blank memory, a missing and a damaged counter are told apart; writes
are atomic and durable (fsync of the file, then of the directory after the rename); a write that
fails keeps the old value and says why."""

import errno
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hil.nvram import Nvram


def test_counters_survive_and_a_missing_one_reads_none(tmp_path):
    nv = Nvram(tmp_path / "nvram")
    assert nv.blank and nv.read("uplink-sn-1") is None
    nv.write("uplink-sn-1", 1_700_000_000_000_123)
    again = Nvram(tmp_path / "nvram")
    assert not again.blank
    assert again.read("uplink-sn-1") == 1_700_000_000_000_123
    assert again.read("uplink-sn-2") is None  # written memory, this counter missing: lost
    assert [p.name for p in (tmp_path / "nvram").iterdir()] == ["uplink-sn-1"]


def test_a_damaged_counter_is_refused_naming_the_file(tmp_path):
    (tmp_path / "uplink-sn-1").write_text("12ab\n")
    with pytest.raises(ValueError, match=r"uplink-sn-1: holds '12ab', not a whole number"):
        Nvram(tmp_path).read("uplink-sn-1")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("18446744073709551616", "holds 18446744073709551616..., more than a 64-bit counter"),
        ("9" * 5000, f"holds {'9' * 20}..., more than a 64-bit counter"),
        ("\u00b2", "holds '\u00b2', not a whole number"),  # isdigit(), but not for int()
    ],
    ids=["2**64", "5000 digits", "superscript two"],
)
def test_a_counter_too_big_for_64_bits_is_damaged(tmp_path, text, why):
    (tmp_path / "uplink-sn-1").write_text(text + "\n")
    with pytest.raises(ValueError) as err:
        Nvram(tmp_path).read("uplink-sn-1")
    assert str(err.value) == f"{tmp_path / 'uplink-sn-1'}: {why}"


def test_the_largest_64_bit_counter_is_read(tmp_path):
    (tmp_path / "c").write_text(f"{2**64 - 1}\n")
    assert Nvram(tmp_path).read("c") == 2**64 - 1


def test_a_write_is_synced_to_disk_before_and_after_the_rename(tmp_path, monkeypatch):
    nv = Nvram(tmp_path)
    nv.write("c", 1)
    synced: list[str] = []
    real_fsync, real_replace = os.fsync, type(tmp_path).replace

    def fsync(fd: int) -> None:
        synced.append("dir" if Path(f"/proc/self/fd/{fd}").is_dir() else "file")
        real_fsync(fd)

    def replace(self, target):
        synced.append("rename")
        return real_replace(self, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(type(tmp_path), "replace", replace)
    nv.write("c", 2)
    assert synced == ["file", "rename", "dir"]
    assert nv.read("c") == 2


def test_a_crash_before_the_rename_leaves_the_old_value_and_the_leftover_is_ignored(tmp_path):
    nv = Nvram(tmp_path)
    nv.write("c", 41)
    (tmp_path / ".c.new").write_text("4")  # a write killed half-way
    assert nv.read("c") == 41
    nv.write("c", 42)  # the next write takes the leftover's place
    assert nv.read("c") == 42
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]


def test_a_failed_write_keeps_the_old_value(tmp_path, monkeypatch):
    nv = Nvram(tmp_path)
    nv.write("c", 7)

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError, match="No space left"):
        nv.write("c", 8)
    monkeypatch.undo()
    assert nv.read("c") == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]  # no partial file left


def test_a_file_size_limit_is_an_oserror_not_a_signal(tmp_path):
    """EFBIG: a process whose files may not grow (RLIMIT_FSIZE), as on a quota'd SD card."""
    script = textwrap.dedent(
        f"""
        import resource, sys
        sys.path.insert(0, {str(Path.cwd())!r})
        from pathlib import Path
        from hil.nvram import Nvram
        nv = Nvram(Path({str(tmp_path)!r}))
        nv.write("c", 5)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
        try:
            nv.write("c", 123456)
        except OSError as err:
            print(err.errno, nv.read("c"))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout.split()) == (0, [str(errno.EFBIG), "5"]), done.stderr
    assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] != 1  # only the child was limited


def test_a_first_boot_killed_before_its_first_rename_is_still_a_new_memory(tmp_path):
    """A kill between mkdir and the first rename leaves a directory with at most a temporary
    file: nothing was ever kept, so the next boot is a new rover, not a lost counter (before,
    every command was then refused ARSN_UNKNOWN)."""
    nv = Nvram(tmp_path / "nv")
    (tmp_path / "nv").mkdir()
    assert nv.blank
    (tmp_path / "nv" / ".uplink-sn-1.new").write_text("")  # torn by the kill
    assert nv.blank
    nv.write("downlink-sn-1", 5)  # any counter kept: the memory was written
    assert not nv.blank and nv.read("uplink-sn-1") is None
