"""The README tells the truth: its commands are the ones CI runs, and its examples run as shown."""

import doctest
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import tools.dictionary

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(text: str) -> list[tuple[str, str, int]]:
    return [
        (m.group(1), m.group(2), text[: m.start()].count("\n") + 1) for m in FENCE.finditer(text)
    ]


def test_opens_with_the_two_commands_and_ci_runs_the_second():
    kind, body, _ = blocks(README)[0]
    assert kind == "sh"
    main_job, test_command = body.strip().splitlines()
    assert main_job == "pip install . && rover run scenarios/wheel-stall-50m.toml"
    assert test_command == "bash tests/run"
    assert "exec bash tests/run" in (ROOT / ".ci" / "run").read_text()


def console_steps(body: str) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def matches(expected: str, actual: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual) is not None


README_PORT = "127.0.0.1:50277"
"""The README's example port; each run uses a free one instead, so parallel runs never collide."""


def free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def run_console(body: str, cwd: Path, env: dict) -> None:
    port = free_port()
    for command, expected in console_steps(body):
        out = subprocess.run(
            ["bash", "-c", command.replace(README_PORT, port)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        lines = (out.stdout + out.stderr).splitlines()
        assert len(lines) == len(expected), (command, lines)
        for want, got in zip(expected, lines, strict=True):
            assert matches(want, got), (command, want, got)


@pytest.fixture
def shell_env(tmp_path):
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env["PATH"]
    env.pop("ROVER_KEY", None)  # a reader's machine: no key until the README makes one
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env.pop("ROVER_STATE_DIR", None)
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return env


def test_examples_run_as_shown(tmp_path, shell_env, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")  # a reader runs from the checkout
    globs: dict = {}
    ran = 0
    for kind, body, line in blocks(README):
        if kind == "console":
            run_console(body, tmp_path, shell_env)
            ran += 1
        elif kind == "pycon":
            test = doctest.DocTestParser().get_doctest(
                body, globs, f"README.md:{line}", "README.md", line
            )
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
            runner.run(test, clear_globs=False)
            globs.update(test.globs)  # later blocks use what earlier ones defined, as a reader does
            assert runner.failures == 0, f"README.md line {line}: see the doctest output above"
            ran += 1
    assert ran >= 5
    assert README_PORT in README  # the example still uses the port swapped out above


def test_docs_python_examples_run(tmp_path, shell_env, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    subprocess.run(
        ["rover", "dict", "--out", "dictionary.json"],
        env=shell_env,
        check=True,
        capture_output=True,
    )
    for name in ("packets.md",):
        for kind, body, _ in blocks((ROOT / "docs" / name).read_text()):
            if kind == "python":
                exec(compile(body, name, "exec"), {})
    assert capsys.readouterr().out.strip() == "{'token': 7}"


def test_module_docstring_examples():
    assert doctest.testmod(tools.dictionary).failed == 0
