"""The operator console as an operator uses it: `rover console` in a real pseudo-terminal, typing
keys (TAB, arrows, ^D) against `rover fsw` serving the ground link, and reading what the terminal
shows. The terminal is a small VT100 screen kept here (cursor moves, erase, scrolling), so the
assertions are about the screen, not about the byte stream prompt_toolkit happens to write."""

from __future__ import annotations

import itertools
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest

from tests.tools.fswproc import ROOT, FswProcess, child_env, rover_command

ROWS, COLS = 50, 200
PROMPT = re.compile(r"^rover(?: \w+| \(link down\))?>(?: |$)")
READY = "rover STANDBY> "  # the prompt once housekeeping has come: link up, mode known
CSI = re.compile(r"\x1b\[([?>=!]?)([0-9;]*)([ -/]*)([@-~])")
OTHER_ESCAPE = re.compile(r"\x1b(?:\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[@-Z\\-_=>78])")
PARTIAL_ESCAPE = re.compile(r"\x1b(?:\[[?>=!]?[0-9;]*[ -/]*|\][^\x07]*|[()])?\Z")
ANSI = re.compile(r"\x1b\[[0-9;?>=!]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()]?.")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")

UP, TAB, CTRL_C, CTRL_D, CTRL_U = "\x1b[A", "\t", "\x03", "\x04", "\x15"


class Screen:
    """A VT100 screen of ROWS x COLS: what the operator sees, plus the lines scrolled off."""

    def __init__(self, rows: int = ROWS, cols: int = COLS) -> None:
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.scrolled: list[str] = []
        self.row = self.col = 0
        self.wrap = True
        self._pending = ""

    def feed(self, text: str) -> None:
        """Interpret terminal output."""
        data, self._pending = self._pending + text, ""
        i = 0
        while i < len(data):
            ch = data[i]
            if ch == "\x1b":
                m = CSI.match(data, i)
                if m:
                    self._csi(m.group(1), m.group(2), m.group(4))
                    i = m.end()
                    continue
                m = OTHER_ESCAPE.match(data, i)
                if m:
                    i = m.end()
                    continue
                if PARTIAL_ESCAPE.match(data, i):  # the rest comes with the next read
                    self._pending = data[i:]
                    return
                i += 1
                continue
            if ch == "\r":
                self.col = 0
            elif ch == "\n":
                self._down()
            elif ch == "\b":
                self.col = max(0, self.col - 1)
            elif ch == "\t":
                self.col = min(self.cols - 1, (self.col // 8 + 1) * 8)
            elif ch >= " ":
                self._put(ch)
            i += 1

    def _put(self, ch: str) -> None:
        if self.col >= self.cols:
            if not self.wrap:
                self.grid[self.row][self.cols - 1] = ch
                return
            self.col = 0
            self._down()
        self.grid[self.row][self.col] = ch
        self.col += 1

    def _down(self) -> None:
        if self.row < self.rows - 1:
            self.row += 1
            return
        self.scrolled.append("".join(self.grid.pop(0)).rstrip())
        self.grid.append([" "] * self.cols)

    def _csi(self, private: str, params: str, final: str) -> None:
        numbers = [int(p) if p else 0 for p in params.split(";")] if params else []
        n = max(1, numbers[0]) if numbers else 1
        if private == "?":
            if numbers and numbers[0] == 7 and final in "hl":
                self.wrap = final == "h"
            return
        if final == "A":
            self.row = max(0, self.row - n)
        elif final == "B":
            self.row = min(self.rows - 1, self.row + n)
        elif final == "C":
            self.col = min(self.cols - 1, self.col + n)
        elif final == "D":
            self.col = max(0, min(self.col, self.cols - 1) - n)
        elif final == "E":
            self.row, self.col = min(self.rows - 1, self.row + n), 0
        elif final == "F":
            self.row, self.col = max(0, self.row - n), 0
        elif final == "G":
            self.col = min(self.cols - 1, n - 1)
        elif final == "d":
            self.row = min(self.rows - 1, n - 1)
        elif final in "Hf":
            row = numbers[0] if numbers else 1
            col = numbers[1] if len(numbers) > 1 else 1
            self.row = min(self.rows - 1, max(1, row) - 1)
            self.col = min(self.cols - 1, max(1, col) - 1)
        elif final == "J":
            mode = numbers[0] if numbers else 0
            if mode == 0:
                self._erase(self.row, self.col, self.cols)
                for r in range(self.row + 1, self.rows):
                    self._erase(r, 0, self.cols)
            elif mode == 1:
                for r in range(self.row):
                    self._erase(r, 0, self.cols)
                self._erase(self.row, 0, self.col + 1)
            else:
                for r in range(self.rows):
                    self._erase(r, 0, self.cols)
        elif final == "K":
            mode = numbers[0] if numbers else 0
            start, stop = {0: (self.col, self.cols), 1: (0, self.col + 1)}.get(mode, (0, self.cols))
            self._erase(self.row, start, stop)

    def _erase(self, row: int, start: int, stop: int) -> None:
        for c in range(max(0, start), min(self.cols, stop)):
            self.grid[row][c] = " "

    def lines(self) -> list[str]:
        """Every line shown so far: those scrolled away, then the screen (absolute rows)."""
        return [*self.scrolled, *("".join(r).rstrip() for r in self.grid)]

    @property
    def cursor_row(self) -> int:
        """The cursor's absolute row (an index into lines())."""
        return len(self.scrolled) + self.row


class Console:
    """`rover console` in a pseudo-terminal, driven by keys and read off its screen."""

    def __init__(self, link: str, state_dir: Path, *extra: str) -> None:
        command = rover_command("console", "--link", link, "--state-dir", str(state_dir), *extra)
        env = child_env(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS=str(COLS))
        env.pop("LINES", None)
        env.pop("NO_COLOR", None)
        self.child = pexpect.spawn(command[0], command[1:], cwd=str(ROOT), env=env,
                                   dimensions=(ROWS, COLS), encoding="utf-8",
                                   codec_errors="replace")  # fmt: skip
        self.screen = Screen()
        self.raw: list[str] = []

    # ---- reading ------------------------------------------------------------------------

    def pump(self, seconds: float = 0.05) -> bool:
        """Read whatever the console writes within `seconds`; whether it wrote anything."""
        deadline = time.monotonic() + seconds
        got = False
        while True:
            left = deadline - time.monotonic()
            try:
                data = self.child.read_nonblocking(65536, timeout=max(0.0, left))
            except (pexpect.TIMEOUT, pexpect.EOF):
                return got
            got = True
            self.raw.append(data)
            self.screen.feed(data)
            if left <= 0:
                return got

    def settle(self, quiet: float = 0.05, most: float = 1.0) -> None:
        """Read until the console has written nothing for `quiet` s (or `most` s have passed)."""
        deadline = time.monotonic() + most
        while self.pump(quiet) and time.monotonic() < deadline:
            pass

    def written(self) -> str:
        """The end of what the console wrote, escapes and all (for a failure's message)."""
        return f"\nthe last bytes written:\n{''.join(self.raw)[-3000:]!r}"

    def transcript(self) -> str:
        """Everything the console wrote, escape sequences removed."""
        return ANSI.sub("", "".join(self.raw))

    def shown(self, since: int = 0) -> str:
        """The screen's lines from absolute row `since` on."""
        return "\n".join(self.screen.lines()[since:])

    def cursor_line(self) -> str:
        """The line the cursor is on (the prompt and what is typed), without trailing blanks."""
        return self.screen.lines()[self.screen.cursor_row]

    def mark(self) -> int:
        """The cursor's row now: shown(since=mark) is what comes after."""
        return self.screen.cursor_row

    def wait(self, pattern: str, since: int = 0, timeout: float = 10.0) -> re.Match[str]:
        """The first match of `pattern` on the screen's lines from row `since` (waits)."""
        wanted = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout
        while True:
            m = wanted.search(self.shown(since))
            if m:
                return m
            if time.monotonic() > deadline or not self.child.isalive():
                self.pump(0.2)
                m = wanted.search(self.shown(since))
                if m:
                    return m
                raise AssertionError(
                    f"the console never showed {pattern!r}; the screen from row {since}:\n"
                    f"{self.shown(since)}{self.written()}"
                )
            self.pump(0.05)

    def wait_cursor_line(self, pattern: str, timeout: float = 10.0) -> str:
        """The cursor's line once it matches `pattern` (waits)."""
        wanted = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while not wanted.search(self.cursor_line()):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the line at the cursor never matched {pattern!r}: {self.cursor_line()!r}\n"
                    f"screen:\n{self.shown(max(0, self.mark() - 20))}{self.written()}"
                )
            self.pump(0.05)
        return self.cursor_line()

    def ready(self, timeout: float = 15.0) -> None:
        """Wait for the prompt with the rover's mode: the link is up and HK has come."""
        self.wait_cursor_line(f"^{re.escape(READY.rstrip())}$", timeout)
        while self.screen.col != len(READY):  # the cursor is where typing goes
            self.pump(0.05)

    # ---- typing -------------------------------------------------------------------------

    def type(self, keys: str) -> None:
        """Type keys, and let the console draw what they do."""
        self.child.send(keys)
        self.settle()

    def enter(
        self, line: str, until: str | None = None, *, timeout: float = 10.0, ready: bool = True
    ) -> list[str]:
        """Type a line and Enter at the prompt (with the rover's mode in it, if `ready`); the
        lines shown between the line typed and the next prompt (events arriving meanwhile too).

        The console prints from a writer thread (prompt_toolkit's patch_stdout, which batches
        writes 0.2 s apart), so the next prompt may be drawn before the output is: the output
        is taken once a line matches `until`, or else once something came and then nothing for
        longer than that.
        """
        if ready:
            self.ready()
        else:
            self.wait_cursor_line(PROMPT.pattern + "$")
        start = self.mark()
        self.child.send(line + "\r")
        wanted = re.compile(until) if until else None
        deadline = time.monotonic() + timeout
        while True:
            self.pump(0.05)
            out = self._output_after(start, line)
            if out and wanted is not None and any(wanted.search(text) for text in out):
                return out
            if out and wanted is None:
                self.settle(quiet=0.3)
                out = self._output_after(start, line)
                if out:
                    return out
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"nothing shown after {line!r}:\n{self.shown(start)}{self.written()}"
                )

    def enter_each(self, lines: list[str]) -> list[list[str]]:
        """Enter lines one after the other, each once the one before has printed something;
        what each printed, read off the screen once all is quiet."""
        self.ready()
        first = self.mark()
        for line in lines:
            start = self.mark()
            self.child.send(line + "\r")
            deadline = time.monotonic() + 10.0
            while not self._output_after(start, line):
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"nothing shown after {line!r}:\n{self.shown(start)}{self.written()}"
                    )
                self.pump(0.05)
        self.settle(quiet=0.3)
        shown, end = self.screen.lines(), self.screen.cursor_row
        rows: list[int] = []
        for line in lines:
            row = next(i for i in range(rows[-1] + 1 if rows else first, end)
                       if PROMPT.match(shown[i]) and shown[i].endswith(line))  # fmt: skip
            rows.append(row)
        rows.append(end)
        return [
            [text for text in shown[a + 1 : b] if text.strip()] for a, b in itertools.pairwise(rows)
        ]

    def _output_after(self, start: int, line: str) -> list[str] | None:
        """The lines between `line` as entered (at or below row `start`) and the prompt at the
        cursor, if there is output and a prompt after it."""
        lines, row = self.screen.lines(), self.screen.cursor_row
        if not PROMPT.match(lines[row]):
            return None
        echoes = [i for i in range(start, row) if PROMPT.match(lines[i])]
        typed = next((i for i in echoes if lines[i].endswith(line.rstrip())), None)
        if typed is None:
            return None
        return [text for text in lines[typed + 1 : row] if text.strip()] or None

    def quit(self) -> int:
        """^D at the prompt; the exit status."""
        self.child.send(CTRL_D)
        self.child.expect(pexpect.EOF, timeout=10)
        self.raw.append(self.child.before or "")
        self.child.close()
        return self.child.exitstatus

    def close(self) -> None:
        """Make sure it has gone."""
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture(scope="module")
def fsw():
    """One emulator for the tests that leave the rover as they found it."""
    with FswProcess.start(speed=20) as process:
        yield process


@pytest.fixture
def own_fsw():
    """An emulator for one test only (it isolates a wheel, or is killed)."""
    with FswProcess.start(speed=20) as process:
        yield process


def consoles(fsw: FswProcess, state: Path) -> Iterator[Callable[..., Console]]:
    """Starts consoles on `fsw`; at the end, fails if any ever printed a traceback."""
    opened: list[Console] = []

    def start(state_dir: Path = state) -> Console:
        c = Console(fsw.url, state_dir)
        opened.append(c)
        c.ready()
        return c

    yield start
    for c in opened:
        c.close()
        assert "Traceback" not in c.transcript(), c.transcript()


@pytest.fixture
def console(fsw, tmp_path):
    """A console on the shared emulator."""
    yield from consoles(fsw, tmp_path / "state")


@pytest.fixture
def console_alone(own_fsw, tmp_path):
    """A console on an emulator of its own."""
    yield from consoles(own_fsw, tmp_path / "state")


def hk(c: Console, name: str) -> int:
    """A whole-number field of the rover's latest HK, as `tlm HK` shows it."""
    shown = "\n".join(c.enter("tlm HK", until=r"^degraded\s"))
    m = re.search(rf"^{name}\s+(\d+)\b", shown, re.MULTILINE)
    assert m, f"`tlm HK` shows no {name}:\n{shown}"
    return int(m.group(1))


def commands_sent(c: Console) -> int:
    """How many commands the console says it sent (`status`)."""
    out = c.enter("status", until="commands sent")
    line = "".join(out)  # one line, wrapped by the terminal when long
    m = re.search(r"(\d+) commands sent", line)
    assert m, line
    return int(m.group(1))


def test_tab_completes_commands_arguments_and_enum_values(console):
    c = console()
    c.type("DRI" + TAB)
    assert c.wait_cursor_line(r"> DRIVE\s*$") == f"{READY}DRIVE"
    c.type(" spe" + TAB)
    assert c.wait_cursor_line(r"speed=$") == f"{READY}DRIVE speed="
    c.type("0.0447 dis" + TAB)  # completion runs in the background: wait for it, as one does
    c.wait_cursor_line(r"distance=$")
    c.type("0.2 rad" + TAB)
    c.wait_cursor_line(r"radius=$")
    c.type("0")  # the screen is redrawn when the console gets to it: wait for it
    line = c.wait_cursor_line(r"radius=0$")
    assert line == f"{READY}DRIVE speed=0.0447 distance=0.2 radius=0"
    c.type(CTRL_U)
    assert c.wait_cursor_line(r"STANDBY>\s*$") == READY.rstrip()

    start = c.mark()
    c.type("WHEEL_ISOLATE wheel=L" + TAB)
    menu = c.wait(r"^\s+LF\s*$\n^\s+LM\s*$\n^\s+LR\s*$", since=start + 1)
    column = menu.group(0).index("LF")
    assert column >= len(f"{READY}WHEEL_ISOLATE "), "the menu is not under the word completed"
    assert "RF" not in c.shown(start + 1), "the menu offers wheels that do not start with L"
    c.type(TAB + TAB)  # the first entry, then the second
    assert c.wait_cursor_line(r"wheel=LM$") == f"{READY}WHEEL_ISOLATE wheel=LM"
    c.type(CTRL_C)  # the line is abandoned: nothing sent
    c.ready()
    assert commands_sent(c) == 0
    assert c.quit() == 0


def test_a_command_is_sent_and_its_verification_shown_in_order(console, tmp_path):
    c = console()
    out = c.enter("DRIVE distance=0.2 radius=0 speed=0.0447", until="sent$")
    assert len(out) >= 1
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d \[0\] DRIVE distance=0\.2 radius=0 speed=0\.0447 sent",
                        out[0]), out  # fmt: skip
    # 0.2 m at 0.0447 m/s is 4.5 mission seconds: a quarter of a second at 20x
    done = c.wait(r"^\d\d:\d\d:\d\d\.\d \[0\] DRIVE COMPLETED \(\d+\.\d s\)$", timeout=10)
    text = c.shown()
    accepted = text.index("[0] DRIVE ACCEPTED")
    started = text.index("DRIVE_STARTED")
    assert accepted < started < text.index("MOTION_DONE") < done.start(), text
    assert hk(c, "cmd_completed") >= 1
    assert c.quit() == 0
    log = (tmp_path / "state" / "commands.log").read_text().splitlines()
    assert len(log) == 1 and log[0].endswith(
        "seq 0  COMPLETED  DRIVE distance=0.2 radius=0 speed=0.0447"
    ), log


def test_an_argument_out_of_range_is_explained_and_nothing_is_sent(console, tmp_path):
    c = console()
    frames = hk(c, "uplink_frames")
    out = c.enter("DRIVE distance=1 radius=0 speed=0.05")
    assert out == ["DRIVE speed: 0.05 m/s is above the maximum 0.0447 m/s"]
    out = c.enter("DRIVE 1 0 0.0005")
    assert out == ["DRIVE speed: 0.0005 m/s is below the minimum 0.001 m/s"]
    time.sleep(0.3)  # six housekeeping periods at 20x: a frame sent would be counted by now
    assert hk(c, "uplink_frames") == frames
    assert commands_sent(c) == 0
    assert not re.search(r"\] DRIVE .*sent$", c.shown(), re.MULTILINE)
    assert c.quit() == 0
    log = tmp_path / "state" / "commands.log"
    assert not log.exists() or log.read_text() == ""


def test_a_hazardous_command_is_sent_only_when_confirmed(console_alone, tmp_path):
    c = console_alone()
    frames = hk(c, "uplink_frames")
    start = c.mark()
    c.type("WHEEL_ISOLATE wheel=LM\r")
    c.wait_cursor_line(r"Send it\? \[y/N\]$")
    asked = c.shown(start)
    assert "WHEEL_ISOLATE is hazardous: Isolating a good wheel loses traction" in asked
    assert "(SAFE)" in asked  # the whole hazard, up to its last words
    c.type("n\r")
    c.wait(r"^WHEEL_ISOLATE not sent$", since=start)
    c.ready()
    assert commands_sent(c) == 0
    time.sleep(0.3)
    assert hk(c, "uplink_frames") == frames

    start = c.mark()
    c.type("WHEEL_ISOLATE wheel=LM\r")
    c.wait_cursor_line(r"Send it\? \[y/N\]$")
    c.type("y\r")
    c.wait(r"\[0\] ARM command=WHEEL_ISOLATE sent$", since=start)  # the rover needs it first
    c.wait(r"\[1\] WHEEL_ISOLATE wheel=LM sent$", since=start)
    c.wait(r"ARMED: WHEEL_ISOLATE armed for 60.0 s", since=start)
    c.wait(r"WHEEL_ISOLATED", since=start)
    c.wait(r"\[1\] WHEEL_ISOLATE COMPLETED", since=start)
    c.ready()
    assert commands_sent(c) == 2
    assert hk(c, "healthy_wheels") == 5
    assert hk(c, "uplink_frames") == frames + 2
    assert c.quit() == 0
    arm, isolate = (tmp_path / "state" / "commands.log").read_text().splitlines()
    assert arm.endswith("seq 0  COMPLETED  ARM command=WHEEL_ISOLATE")
    assert isolate.endswith("seq 1  COMPLETED  WHEEL_ISOLATE wheel=LM")


def test_help_shows_units_and_ranges(console):
    c = console()
    shown = "\n".join(c.enter("help DRIVE", until="^usage: DRIVE"))
    assert re.search(r"^distance\s+f32\s+m\s+-100 \.\. 100\s", shown, re.MULTILINE), shown
    assert re.search(r"^speed\s+f32\s+m/s\s+0\.001 \.\. 0\.0447\s", shown, re.MULTILINE), shown
    shown = "\n".join(c.enter("help WHEEL_ISOLATE", until="^usage: WHEEL_ISOLATE"))
    assert "HAZARDOUS: Isolating a good wheel" in shown
    assert re.search(r"^wheel\s.*LF, LM, LR, RF, RM, RR, NONE", shown, re.MULTILINE), shown
    assert "DRIVE" in "\n".join(c.enter("help", until="^quit"))
    assert c.quit() == 0


MISTAKES = {
    "DRVE": "no command 'DRVE' (did you mean DRIVE?)",
    "wait until HK.mode > 3": "HK.mode is a name: compare it with == or !=",
    '"unclosed': "cannot read the line: No closing quotation",
    "DRIVE colour=red": "DRIVE has no argument 'colour' (arguments: distance, radius, speed)",
}


GARBAGE = [
    "wait until",
    "wait until HK == 3",
    "wait until HK.mode == BANANA",
    "wait event NOPE",
    "wait 1e999",
    "confirm",
    "DRIVE 1 2 3 4",
    "DRIVE distance=1e400 radius=0 speed=0.01",
    "SET_PARAM param=TILT_LIMIT value=nan",
    "tlm NOPE",
    "run /nonexistent/script",
    "events x",
    "\\",
    "é∂ƒ",
]


def test_a_mistake_gets_one_line_and_the_console_goes_on(console):
    c = console()
    lines = [*MISTAKES, *GARBAGE]
    for line, out in zip(lines, c.enter_each(lines), strict=True):
        assert len(out) == 1, (line, out)
        assert out[0].startswith(MISTAKES.get(line, "")), (line, out)
    assert commands_sent(c) == 0
    assert c.enter("PING token=5", until="sent$")[0].endswith(
        "[0] PING token=5 sent"
    )  # still working
    c.wait(r"\[0\] PING COMPLETED")
    assert "Traceback" not in c.transcript()
    assert "console error" not in c.transcript()  # the console's own last-ditch catch
    assert c.quit() == 0


def test_history_and_the_command_log_outlive_the_session(console, tmp_path):
    state = tmp_path / "state"
    first = console(state)
    first.enter("help PING", until="^usage: PING")
    first.enter("PING token=7", until="sent$")
    first.wait(r"\[0\] PING COMPLETED")
    assert first.quit() == 0
    assert "PING token=7" in (state / "history").read_text()

    second = console(state)
    second.type(UP)
    assert second.wait_cursor_line(r"PING token=7$") == f"{READY}PING token=7"
    second.type(UP)
    assert second.cursor_line() == f"{READY}help PING"
    second.type("\x1b[B")  # down: back to the newest
    assert second.cursor_line() == f"{READY}PING token=7"
    start = second.mark()
    second.type("\r")
    second.wait(r"\[0\] PING token=7 sent", since=start)
    second.wait(r"PING_REPLY: PING reply, token 7", since=start)
    second.wait(r"\[0\] PING COMPLETED", since=start)
    assert second.quit() == 0

    log = (state / "commands.log").read_text().splitlines()
    line = re.compile(
        r"^rover \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  sent (\d\d:\d\d:\d\d\.\d{3}Z|--)  seq 0  "
        r"COMPLETED  PING token=7$"
    )
    assert len(log) == 2 and all(line.match(text) for text in log), log


def test_the_prompt_says_when_the_link_is_down_and_the_console_reconnects(own_fsw, tmp_path):
    c = Console(own_fsw.url, tmp_path / "state")
    try:
        c.ready()
        port = own_fsw.port
        own_fsw.kill()
        c.wait_cursor_line(r"^rover \(link down\)>$")
        c.wait(r"link socket://127\.0\.0\.1:\d+: down")
        out = c.enter("PING token=1", ready=False)
        assert len(out) == 1 and "is down: not sent" in out[0], out
        with FswProcess.start(speed=20, port=port):  # the emulator is back on the same port
            c.ready()
            out = c.enter("PING token=2", until="sent$")
            assert out[0].endswith("[0] PING token=2 sent"), out  # the unsent one took no count
            c.wait(r"\[0\] PING COMPLETED")
            assert c.quit() == 0
    finally:
        c.close()
    assert "Traceback" not in c.transcript()


def test_ctrl_d_with_a_drive_running_warns_and_leaves_only_on_a_second_ctrl_d(console_alone):
    c = console_alone()
    c.enter("DRIVE distance=20 radius=0 speed=0.0447", until="sent$")  # 450 s: 22 s at 20x
    c.wait(r"\[\d+\] DRIVE STARTED")
    start = c.mark()
    c.child.send(CTRL_D)
    c.wait(r"still running: \[\d+\] DRIVE distance=20 radius=0 speed=0\.0447 \(STARTED\)\. "
           r"\^D again leaves \(it goes on without you\); STOP stops it", since=start)  # fmt: skip
    c.pump(0.3)
    assert c.child.isalive()  # the first ^D did not leave
    assert "DRIVE COMPLETED" not in c.transcript()  # and the drive was running all along
    assert c.quit() == 0  # the second does


def test_tlm_is_shown_a_screen_at_a_time_and_q_stops_it(console):
    c = console()
    start = c.mark()
    c.child.send("tlm\r")
    asked = c.wait(r"-- (\d+) of (\d+) lines: Enter shows more, q stops --", since=start)
    assert int(asked.group(1)) == ROWS - 2 < int(asked.group(2))
    c.child.send("\r")  # Enter: the next screen
    c.wait(rf"-- {2 * (ROWS - 2)} of {asked.group(2)} lines", since=start)
    c.child.send("q\r")  # enough
    c.ready()
    assert c.quit() == 0
