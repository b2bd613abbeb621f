"""Random valid commands (benchmarks/valid_commands.py): valid for the table, as promised."""

import random

from benchmarks.valid_commands import random_args, valid_packets
from fsw.tables import CATALOG
from fsw.tables.params import PARAMS


def test_every_command_gets_arguments_its_row_accepts():
    rng = random.Random(5)
    for command in CATALOG.commands:
        for _ in range(50):
            args = random_args(command, rng)
            assert command.check_args(dict(args)) is not None  # raises when out of range


def test_set_param_stays_inside_the_parameter_row_and_off_the_kept_ones():
    rng = random.Random(6)
    command = CATALOG.command("SET_PARAM")
    by_id = {p.id: p for p in PARAMS}
    for _ in range(500):
        args = random_args(command, rng, skip_params=("WAKE_ELEVATION",))
        row = by_id[args["param"]]
        assert row.name != "WAKE_ELEVATION"
        assert row.check(args["value"]) == args["value"]


def test_the_corpus_holds_every_command():
    packets = valid_packets(random.Random(1), per_command=2)
    assert len(packets) == 2 * len(CATALOG.commands)
    assert {CATALOG.decode(p).name for p in packets} == {c.name for c in CATALOG.commands}
