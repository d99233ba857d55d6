"""A real Alertmanager (Debian's `prometheus-alertmanager`) on loopback, for tests and the intake benchmark.

It runs with clustering off and a config whose one route sends every group to a webhook receiver, with
group timers short enough that a notification arrives within a couple of seconds of an alert.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BINARY = "prometheus-alertmanager"


def alertmanager_binary() -> str | None:
    """The installed Alertmanager, or None (tests skip, or fail under CI, without it)."""
    return shutil.which(BINARY) or (f"/usr/bin/{BINARY}" if os.path.exists(f"/usr/bin/{BINARY}") else None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook_config(
    webhook_url: str,
    token: str,
    *,
    group_by: tuple[str, ...] = ("alertname", "service"),
    group_wait: str = "1s",
    group_interval: str = "1s",
) -> str:
    """alertmanager.yml sending every group to `webhook_url` with a bearer token, resolved ones included.

    Written as JSON, which is valid YAML, so the token needs no YAML quoting rules."""
    config = {
        "global": {"resolve_timeout": "5m"},
        "route": {
            "receiver": "pagetrail",
            "group_by": list(group_by),
            "group_wait": group_wait,
            "group_interval": group_interval,
            "repeat_interval": "4h",
        },
        "receivers": [
            {
                "name": "pagetrail",
                "webhook_configs": [
                    {
                        "url": webhook_url,
                        "send_resolved": True,
                        "http_config": {"authorization": {"type": "Bearer", "credentials": token}},
                    }
                ],
            }
        ],
    }
    return json.dumps(config, indent=2)


@contextmanager
def alertmanager_with(config: str, workdir: Path, *, binary: str) -> Iterator[str]:
    """Start Alertmanager with `config` (alertmanager.yml text); yield its base URL once /-/ready answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / "alertmanager.yml"
    config_file.write_text(config)
    storage = workdir / "am-data"
    storage.mkdir(exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config_file}",
            f"--storage.path={storage}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"alertmanager did not start: {stderr}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def post_alerts(alertmanager_url: str, alerts: list[dict[str, object]]) -> None:
    """POST alerts to Alertmanager's /api/v2/alerts, the way Prometheus does."""
    request = urllib.request.Request(
        f"{alertmanager_url}/api/v2/alerts",
        data=json.dumps(alerts).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10):
            return
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"alertmanager refused the alerts: HTTP {exc.code}: {exc.read().decode()}") from None
