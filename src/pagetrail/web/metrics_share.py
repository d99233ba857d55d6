"""One set of counters across uvicorn workers.

With `--workers N` a scrape lands on one worker, whose own counters would look like a reset every time
Prometheus hit another one. So each worker writes its snapshot to `<dir>/worker-<pid>.json` (at most once
a second, from a background thread, and at shutdown), and the worker answering a scrape adds its live
numbers to every other worker's file. Files of workers that died stay: their counts are still part of
the totals. `pagetrail serve` makes a fresh directory per run; with one worker no directory is needed.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from pagetrail.web.metrics import ServiceMetrics, Snapshot, add_snapshots

FLUSH_SECONDS = 1.0


class SharedMetrics:
    def __init__(self, metrics: ServiceMetrics, directory: Path | None) -> None:
        self.metrics = metrics
        self.directory = directory
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def _own_file(self) -> Path | None:
        return None if self.directory is None else self.directory / f"worker-{os.getpid()}.json"

    def start(self) -> None:
        if self.directory is None or self._thread is not None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        self._thread = threading.Thread(target=self._flush_loop, name="pagetrail-metrics-flush", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=5)
        self._thread = None
        self.flush()

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        """Write this worker's snapshot if it changed, atomically (readers never see half a file)."""
        own = self._own_file
        snapshot = self.metrics.snapshot_if_changed()
        if own is None or snapshot is None:
            return
        temporary = own.with_suffix(".tmp")
        temporary.write_text(json.dumps(snapshot))
        temporary.replace(own)

    def totals(self) -> Snapshot:
        """This worker's live numbers plus every other worker's last written snapshot."""
        snapshots = [self.metrics.snapshot()]
        own = self._own_file
        if self.directory is not None and self.directory.is_dir():
            for file in sorted(self.directory.glob("worker-*.json")):
                if file == own:
                    continue
                try:
                    snapshots.append(json.loads(file.read_text()))
                except (OSError, ValueError):  # a worker's file being replaced right now: next scrape has it
                    continue
        return add_snapshots(snapshots)
