"""Non-volatile counters: absent reads 0, writes survive, damage is named."""

import pytest

from hil.nvram import Nvram


def test_counters_survive_and_start_at_zero(tmp_path):
    nv = Nvram(tmp_path / "nvram")
    assert nv.read("uplink-sn-1") == 0
    nv.write("uplink-sn-1", 1_700_000_000_000_123)
    assert Nvram(tmp_path / "nvram").read("uplink-sn-1") == 1_700_000_000_000_123
    assert [p.name for p in (tmp_path / "nvram").iterdir()] == ["uplink-sn-1"]


def test_a_damaged_counter_is_refused_naming_the_file(tmp_path):
    (tmp_path / "uplink-sn-1").write_text("12ab\n")
    with pytest.raises(ValueError, match=r"uplink-sn-1: holds '12ab', not a whole number"):
        Nvram(tmp_path).read("uplink-sn-1")
