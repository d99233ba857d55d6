"""`pagetrail serve`: the incident service (pages, REST API, Alertmanager webhook) under uvicorn.

The database is migrated before the first worker starts, so a fresh install or an upgrade needs no
separate step and workers never race each other over the schema. With several workers, their metrics
are summed through a directory made for this run (web/metrics_share.py) and removed at exit.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from pagetrail.cli import console
from pagetrail.cli.settings_loader import load_settings
from pagetrail.incidents.store.engine import display_url
from pagetrail.incidents.store.migrate import upgrade_database
from pagetrail.web.app import METRICS_DIR_ENV


def _check_port_free(host: str, port: int) -> None:
    """Say plainly that the port is taken, before the banner claims the service is there."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            console.error(f"cannot listen on {host}:{port}: {exc.strerror}")
            raise typer.Exit(2) from None


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL (default PAGETRAIL_DATABASE_URL, else ~/.local/share/pagetrail/pagetrail.db).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the incident service: web pages, REST API under /api/v1, Alertmanager webhook, /metrics."""
    if db is not None:
        os.environ["PAGETRAIL_DATABASE_URL"] = db  # the workers build their Settings from the environment
    settings = load_settings()
    shown = display_url(settings.database_url)
    _check_port_free(host, port)
    try:
        upgrade_database(settings.database_url)
    except SQLAlchemyError as exc:
        console.error(f"cannot migrate the database {shown}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        raise typer.Exit(2) from None
    except ValueError as exc:  # a database the store does not support (only SQLite and PostgreSQL)
        console.error(f"settings: PAGETRAIL_DATABASE_URL: {exc}")
        raise typer.Exit(2) from None
    base = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}"
    console.print_plain(
        f"pagetrail serving {shown} with {workers} worker(s)\n"
        f"  pages     {base}/\n"
        f"  API       {base}/api/v1  (OpenAPI {base}/openapi.json, docs {base}/docs)\n"
        f"  webhook   {base}/api/v1/alertmanager  (Alertmanager webhook_configs url; responder token)\n"
        f"  health    {base}/healthz   metrics {base}/metrics"
    )
    metrics_dir = tempfile.mkdtemp(prefix="pagetrail-metrics-") if workers > 1 else None
    if metrics_dir is not None:
        os.environ[METRICS_DIR_ENV] = metrics_dir
    try:
        uvicorn.run(
            "pagetrail.web.app:create_app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
