"""The incident service for tests: the real app under a real uvicorn server on a loopback port (in a
thread of the test process, so the test can move the service's clock), over a migrated database, with
one token per role."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import uvicorn

from pagetrail.domain.incident import TokenRole
from pagetrail.incidents.service import create_token
from pagetrail.incidents.store.session import create_engine_for, session_scope
from pagetrail.settings import Settings
from pagetrail.web.app import create_app
from tests.alertmanager_server import free_port

START = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Service:
    client: httpx.Client
    url: str
    clock: Clock
    database_url: str
    tokens: dict[TokenRole, str] = field(default_factory=dict)

    def auth(self, role: TokenRole) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_tokens(database_url: str, now: datetime) -> dict[TokenRole, str]:
    engine = create_engine_for(database_url)
    try:
        with session_scope(engine) as session:
            return {role: create_token(session, role=role, name=f"{role.value}-bot", now=now) for role in TokenRole}
    finally:
        engine.dispose()


@contextmanager
def serving(app: object) -> Iterator[str]:
    """Serve an ASGI app on a free loopback port from a background thread; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="on")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@contextmanager
def running_service(database_url: str, **settings: object) -> Iterator[Service]:
    """The app over `database_url` (already migrated) with a viewer, responder and admin token."""
    clock = Clock()
    tokens = make_tokens(database_url, clock.now)
    app = create_app(Settings(database_url=database_url, **settings), clock=clock)  # type: ignore[arg-type]
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield Service(client=client, url=url, clock=clock, database_url=database_url, tokens=tokens)
