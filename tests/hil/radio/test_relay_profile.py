"""Relay profiles: the named ones, overrides from text, TOML files, and one-line refusals."""

import pytest

from hil.radio.relay_profile import (
    QUEQIAO,
    LosWindow,
    RelayProfile,
    named,
    parse_los,
    parse_rate,
    with_overrides,
)


def test_queqiao_has_the_relays_figures_and_no_loss():
    q = named("queqiao")
    assert (q.delay, q.uplink_rate, q.downlink_rate) == (1.75, 125.0, 285_000.0)
    assert (q.ber, q.loss, q.los) == (0.0, 0.0, ())
    assert named("none").is_lab and not q.is_lab


def test_overrides_from_text():
    p = with_overrides(
        QUEQIAO,
        {"delay": "1.7", "loss": "0.05", "ber": "1e-5", "los": "600+300,3000+300",
         "los_period": "7200", "seed": "7", "downlink_rate": "140k", "uplink_rate": "2M"},
    )  # fmt: skip
    assert p.delay == 1.7 and p.loss == 0.05 and p.ber == 1e-5 and p.seed == 7
    assert p.los == (LosWindow(600, 300), LosWindow(3000, 300)) and p.los_period == 7200
    assert (p.downlink_rate, p.uplink_rate) == (140_000.0, 2_000_000.0)
    assert "LOS 600+300,3000+300 every 7200 s" in p.describe()


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("loss", "1.5", "relay loss 1.5: give a probability from 0 to 1"),
        ("ber", "-1e-5", "relay ber -1e-05: give a probability from 0 to 1"),
        ("delay", "-1", "relay delay -1.0: give a number of seconds, 0 or more"),
        ("delay", "soon", "relay delay 'soon': give a number"),
        ("uplink_rate", "-125", "relay uplink_rate '-125': give a positive rate in bit/s"),
        ("uplink_rate", "fast", "relay uplink_rate 'fast': give bit/s, e.g. 125, 285k"),
        ("los", "600", "relay LOS window '600': give START+DURATION in seconds"),
        ("los", "600+300,700+10", "relay LOS window '700+10': overlaps 600+300"),
        ("los", "600+0", "relay LOS window '600+0': the duration must be more than 0 s"),
        ("los_period", "100", "relay LOS period 100.0: a period needs LOS windows"),
        ("seed", "1.5", "relay seed '1.5': give a whole number"),
    ],
)
def test_a_bad_value_is_refused_in_one_line_naming_it(field, text, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace("+", r"\+")):
        with_overrides(QUEQIAO, {field: text})


def test_a_window_must_end_within_its_period():
    with pytest.raises(ValueError, match="ends after the period of 1000 s"):
        RelayProfile(los=(LosWindow(900, 200),), los_period=1000.0)


def test_rates_and_windows_in_text():
    assert parse_rate("285k", "r") == 285_000.0 and parse_rate("inf", "r") == float("inf")
    assert parse_los("none") == () and parse_los(" 1+2 , 5+1 ") == (
        LosWindow(1, 2),
        LosWindow(5, 1),
    )


def test_an_unknown_profile_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"^--relay 'bogus': not a profile; give one of none, "
                                         r"queqiao, or a \.toml file$"):  # fmt: skip
        named("bogus")


def test_a_profile_file_starts_from_its_base(tmp_path):
    path = tmp_path / "pass.toml"
    path.write_text('base = "queqiao"\nloss = 0.02\nlos = [[600, 300]]\ndownlink_rate = "140k"\n')
    p = named(str(path))
    assert p.name == "pass" and p.delay == 1.75 and p.loss == 0.02
    assert p.los == (LosWindow(600, 300),) and p.downlink_rate == 140_000.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("loss = 2\n", "loss 2.0: give a probability"),
        ('base = "mars"\n', "base 'mars' is not one of none, queqiao"),
        ('base = ["queqiao"]\n', "base \\['queqiao'\\] is not one of none, queqiao"),
        ("speed = 3\n", "field 'speed': not one of delay"),
        ("los = [[1]]\n", "los \\[\\[1\\]\\]: give \\[\\[START, DURATION\\], ...\\]"),
        ("loss = \n", "not TOML"),
    ],
)
def test_a_bad_profile_file_is_refused_naming_the_file(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=f"^relay profile {path}: .*{message}"):
        named(str(path))


def test_a_missing_profile_file_says_so(tmp_path):
    with pytest.raises(ValueError, match="No such file"):
        named(str(tmp_path / "absent.toml"))
