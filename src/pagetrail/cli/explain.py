"""`pagetrail explain CODE` and `pagetrail causes`: the cause-code pages, offline."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from pagetrail.cli import console
from pagetrail.domain.causes import CAUSES


def _page(code: str) -> str | None:
    """The page shipped in the wheel, or the repository's docs/ in a source checkout."""
    try:
        packaged = resources.files("pagetrail").joinpath("cause_docs", f"{code}.md")
        if packaged.is_file():
            return packaged.read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        pass
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "docs" / "causes" / f"{code}.md"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return None


def explain_command(code: Annotated[str, typer.Argument(help="A cause code, e.g. model.load-failed.")]) -> None:
    """Show a cause code's page: meaning, recognition, first check, mitigation, prevention."""
    if code not in CAUSES:
        close = [c for c in CAUSES if code.split(".")[-1] in c or code in c]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else "; list them with `pagetrail causes`"
        console.error(f"unknown cause code {code!r}{hint}")
        raise typer.Exit(2)
    page = _page(code)
    if page is None:
        console.error(f"the page for {code} is not installed (docs/causes/{code}.md)")
        raise typer.Exit(1)
    console.print_plain(page)


def causes_command() -> None:
    """List every cause code with its layer and meaning."""
    for cause in CAUSES.values():
        console.print_plain(f"{cause.code:<36} {cause.layer:<13} {cause.title}")
