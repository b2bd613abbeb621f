"""The shape the team agreed on: flight code never imports the ground or a hardware backend, and
modules stay small."""

import ast
from pathlib import Path

import pytest

from fsw.tables.dictionary import flight_dictionary
from tools import modedoc
from tools.dictdoc import render

ROOT = Path(__file__).resolve().parent.parent


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", modules("fsw"), ids=lambda p: str(p.relative_to(ROOT)))
def test_flight_code_imports_neither_ground_nor_hardware(path):
    bad = {n for n in imported(path) if n.split(".")[0] in ("tools", "hil")}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize(
    "path",
    [*modules("fsw"), *modules("hil"), *modules("tools")],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_modules_stay_small(path):
    assert len(path.read_text().splitlines()) <= 400


def test_reference_doc_is_generated_from_the_tables():
    current = (ROOT / "docs" / "reference.md").read_text()
    assert current == render(flight_dictionary()), (
        "run: rover dict --format markdown --out docs/reference.md"
    )


def test_mode_diagram_is_generated_from_the_mode_table():
    current = (ROOT / "docs" / "modes.md").read_text()
    assert current == modedoc.render(flight_dictionary()["modes"]), (
        "run: rover dict --format modes --out docs/modes.md"
    )
