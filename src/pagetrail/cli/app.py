"""The `pagetrail` command."""

from __future__ import annotations

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
    app()
