"""`pagetrail serve` as a real subprocess on a free loopback port, for tests and the intake benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.alertmanager_server import free_port


@dataclass(frozen=True)
class Served:
    url: str
    port: int
    output: Path

    def banner(self) -> str:
        return self.output.read_text()


def pagetrail_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pagetrail", *args]


@contextmanager
def serve_process(
    database_url: str, workdir: Path, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[Served]:
    """Start `pagetrail serve --db URL --port P --workers N`; yield once /healthz answers; stop it after."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    output = workdir / f"serve-{port}.log"
    command = pagetrail_command("serve", "--db", database_url, "--port", str(port), "--workers", str(workers))
    with output.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pagetrail serve did not start (exit {process.poll()}): {output.read_text()}")
            time.sleep(0.1)
        yield Served(url=url, port=port, output=output)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def create_token(database_url: str, role: str, name: str) -> str:
    """A token made the way an operator makes one: `pagetrail token create`."""
    done = subprocess.run(
        pagetrail_command("token", "create", "--role", role, "--name", name, "--db", database_url),
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]
