"""What every request handler needs from the running service, created once per worker by `create_app`.

Handlers take it as a dependency (`ctx: Annotated[ServiceContext, Depends(service_context)]`) rather than
reaching for globals, so a test can build an app over its own database and settings. `write` runs one
unit of work in one transaction, re-run from scratch when a concurrent writer (another worker, the CLI)
made it fail on a lock; `read` runs in a read-only transaction that never waits for writers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.requests import Request

from pagetrail.incidents.alert_mapping import AlertLabelMapping
from pagetrail.incidents.cadence import UpdateCadence
from pagetrail.incidents.store.session import run_in_transaction, session_scope
from pagetrail.settings import Settings
from pagetrail.web.metrics import ServiceMetrics
from pagetrail.web.metrics_share import SharedMetrics

T = TypeVar("T")

API_PREFIX = "/api/v1"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServiceContext:
    settings: Settings
    engine: Engine
    metrics: ServiceMetrics
    shared_metrics: SharedMetrics
    clock: Callable[[], datetime] = utc_now
    cadence: UpdateCadence = field(init=False)
    alert_mapping: AlertLabelMapping = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cadence", self.settings.update_cadence())
        object.__setattr__(self, "alert_mapping", self.settings.alert_mapping())

    def now(self) -> datetime:
        return self.clock()

    def write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction: committed on return, rolled back (nothing kept) if it raises."""
        return run_in_transaction(self.engine, work)

    def read(self, work: Callable[[Session], T]) -> T:
        with session_scope(self.engine, read_only=True) as session:
            return work(session)


def service_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.pagetrail
    return context
