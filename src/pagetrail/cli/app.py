"""The `pagetrail` command.

Command groups are imported only when asked for: `pagetrail triage` during an incident must not pay for
importing the web service, the database layer and matplotlib (over a second on a small machine).
`pagetrail --help` and the module attribute `app` (used by tests) build the whole tree.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from pagetrail import __version__
from pagetrail.cli.explain import causes_command, explain_command
from pagetrail.cli.triage import triage_command

SUBCOMMANDS: dict[str, tuple[str, str, bool]] = {
    # name: (module, attribute, is a group of commands)
    "alarm": ("pagetrail.cli.alarm", "alarm_app", True),
    "slo": ("pagetrail.cli.slo", "slo_app", True),
    "alerts": ("pagetrail.cli.alerts", "alerts_app", True),
    "incident": ("pagetrail.cli.incident", "incident_app", True),
    "serve": ("pagetrail.cli.serve", "serve_command", False),
    "token": ("pagetrail.cli.token", "token_app", True),
    "db": ("pagetrail.cli.db", "db_app", True),
}


def version_command() -> None:
    """Print the version."""
    typer.echo(__version__)


def build_app(only: str | None = None) -> typer.Typer:
    """The CLI with every subcommand, or with just `only` among the lazily imported ones."""
    cli = typer.Typer(
        name="pagetrail",
        help="From page to postmortem for ML model-serving endpoints on Kubernetes.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    cli.command("triage")(triage_command)
    cli.command("explain")(explain_command)
    cli.command("causes")(causes_command)
    for name, (module, attribute, is_group) in SUBCOMMANDS.items():
        if only is not None and name != only:
            continue
        target = getattr(importlib.import_module(module), attribute)
        if is_group:
            cli.add_typer(target, name=name)
        else:
            cli.command(name)(target)
    cli.command("version")(version_command)
    return cli


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return build_app()
    raise AttributeError(name)


EAGER_COMMANDS = frozenset({"triage", "explain", "causes", "version"})


def _subcommand_to_load(argv: list[str]) -> str | None:
    """Which lazy subcommand the command line needs: its name, "" for none (an eager command), or None
    for all of them (help, or a word to be reported as unknown among every command)."""
    if not argv or argv[0].startswith("-"):
        return None
    word = argv[0]
    if word in EAGER_COMMANDS:
        return ""
    return word if word in SUBCOMMANDS else None


def main() -> None:
    """Run the CLI; an unexpected failure is one line on stderr and exit 1, not a traceback
    (set PAGETRAIL_DEBUG=1 to see it)."""
    try:
        build_app(only=_subcommand_to_load(sys.argv[1:]))()
    except Exception as exc:  # the last line of defence for a tool run mid-incident
        if os.environ.get("PAGETRAIL_DEBUG"):
            raise
        sys.stderr.write(f"pagetrail: internal error: {type(exc).__name__}: {exc} (PAGETRAIL_DEBUG=1 shows where)\n")
        raise SystemExit(1) from None
