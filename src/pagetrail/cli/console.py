"""The one place that talks to the terminal: styled report lines, warnings, errors, progress.

Reports go to stdout; warnings, errors and progress go to stderr, so `--format json > out.json`
stays clean and a user piping the report still sees what was skipped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from pagetrail.reports.triage_text import Line

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_lines(lines: list[Line]) -> None:
    for line in lines:
        text = Text()
        for segment, style in line:
            text.append(segment, style=style or None)
        out.print(text)


def print_plain(text: str) -> None:
    """Write machine-readable output unstyled and unwrapped."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def warn(message: str) -> None:
    err.print(Text(f"warning: {message}", style="yellow"))


def error(message: str) -> None:
    err.print(Text(f"error: {message}", style="bold red"))


def status(message: str) -> AbstractContextManager[object]:
    """A spinner on stderr while a slow call runs (silent when stderr is not a terminal)."""
    return err.status(message) if err.is_terminal else nullcontext()


@contextmanager
def byte_progress(label: str, *, enabled: bool) -> Iterator[object]:
    """A progress bar over bytes read, shown only on a terminal (never in pipes or CI logs)."""
    if not enabled or not err.is_terminal:
        yield None
        return
    progress = Progress(
        TextColumn(label), BarColumn(), DownloadColumn(), TimeRemainingColumn(), console=err, transient=True
    )
    with progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


@contextmanager
def count_progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar over items done (e.g. alarm configurations), on a terminal only."""
    if not err.is_terminal:
        yield None
        return
    progress = Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err, transient=True
    )
    with progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
