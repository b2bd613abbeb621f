"""Long console output a screen at a time, for a person reading it (`tlm` is some 160 lines)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console, RenderableType
from rich.text import Text


def page(
    screen: Console, renderables: Sequence[RenderableType], more: Callable[[str], bool] | None
) -> None:
    """Print `renderables`; with `more` (a person at a terminal), a screen at a time, asking
    `more(question)` whether to go on after each; all at once without (a script, a pipe)."""
    if more is None:
        for r in renderables:
            screen.print(r, soft_wrap=True)
        return
    with screen.capture() as captured:
        for r in renderables:
            screen.print(r, soft_wrap=True)
    lines = captured.get().rstrip("\n").split("\n")
    height = max(5, screen.size.height - 2)
    for start in range(0, len(lines), height):
        screen.print(Text.from_ansi("\n".join(lines[start : start + height])), soft_wrap=True)
        shown = start + height
        if shown < len(lines) and not more(
            f"-- {shown} of {len(lines)} lines: Enter shows more, q stops --"
        ):
            return
