"""The `pagetrail` command."""

from __future__ import annotations

import os
import sys

import typer

from pagetrail import __version__
from pagetrail.cli.explain import causes_command, explain_command
from pagetrail.cli.triage import triage_command

app = typer.Typer(
    name="pagetrail",
    help="From page to postmortem for ML model-serving endpoints on Kubernetes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("triage")(triage_command)
app.command("explain")(explain_command)
app.command("causes")(causes_command)


@app.command("version")
def version_command() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    """Run the CLI; an unexpected failure is one line on stderr and exit 1, not a traceback
    (set PAGETRAIL_DEBUG=1 to see it)."""
    try:
        app()
    except Exception as exc:  # the last line of defence for a tool run mid-incident
        if os.environ.get("PAGETRAIL_DEBUG"):
            raise
        sys.stderr.write(f"pagetrail: internal error: {type(exc).__name__}: {exc} (PAGETRAIL_DEBUG=1 shows where)\n")
        raise SystemExit(1) from None
