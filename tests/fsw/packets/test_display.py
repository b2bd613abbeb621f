"""Decimals shown of a float: declared once by unit (a field may declare its own), and carried by
the dictionary so that any ground shows telemetry alike."""

import pytest

from fsw.packets.display import DEFAULT_DECIMALS, decimals_for
from fsw.packets.schema import Field
from tools.dictionary import Dictionary


def test_a_float_gets_its_units_decimals_or_its_own():
    assert Field("x", "f32", unit="m").decimals == 3
    assert Field("x", "f32", unit="m", precision=1).decimals == 1
    assert Field("x", "f32", unit="furlong").decimals == DEFAULT_DECIMALS
    assert Field("n", "u16").decimals is None  # whole numbers are shown whole
    assert decimals_for("%") == 1


@pytest.mark.parametrize("precision", [-1, 13, 2.5, True])
def test_a_precision_that_is_no_number_of_decimals_is_refused(precision):
    with pytest.raises(ValueError, match="precision is a number of decimals"):
        Field("x", "f32", precision=precision)


def test_the_dictionary_carries_each_float_fields_decimals():
    d = Dictionary.from_flight()
    hk = next(t for t in d.doc["telemetry"] if t["name"] == "MOBILITY")
    x = next(f for f in hk["fields"] if f["name"] == "x")
    assert x["decimals"] == 3 and x["unit"] == "m"
    assert all("decimals" not in f for t in d.doc["telemetry"] for f in t["fields"]
               if f["type"] not in ("f32", "f64"))  # fmt: skip
    assert d.telemetry_packet("MOBILITY").fields[0].decimals == 3  # read back by the loader
