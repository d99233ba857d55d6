"""The incident pages in real Chromium (/usr/bin/chromium via Playwright) against the real service under
uvicorn, over a fresh SQLite database: log in, declare, post an update, tick the checklist, change
severity, attach the triage report of a bundled example, see the update fall overdue, screenshot.
Page auth, CSRF and refused changes are checked over plain HTTP below."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from pagetrail.domain.incident import TokenRole
from pagetrail.incidents.store.migrate import upgrade_database
from pagetrail.web.page_auth import COOKIE_NAME
from tests.alertmanager_payloads import alert, notification
from tests.service_app import Service, running_service

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "model-missing-crashloop"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    url = f"sqlite:///{tmp_path / 'pagetrail.db'}"
    upgrade_database(url)
    with running_service(url) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: install the Debian package `chromium` (make system-deps)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


def _log_in(page: Page, service: Service, role: TokenRole) -> None:
    page.goto(service.url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    page.fill("#token", service.tokens[role])
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(service.url + "/")


def _triage_report(tmp_path: Path) -> Path:
    """The pagetrail.triage.v1 JSON of a bundled example, made by the CLI as a user would."""
    result = subprocess.run(
        [sys.executable, "-m", "pagetrail", "triage", str(EXAMPLE), "--format", "json"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    path = tmp_path / "triage.json"
    path.write_bytes(result.stdout)
    return path


def test_run_an_incident_in_the_browser(service: Service, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    _log_in(page, service, TokenRole.RESPONDER)
    expect(page.locator("main")).to_contain_text("No open incidents")

    page.click("text=Declare incident")
    page.fill("#title", "fraud-scorer - 100% 503 since 14:05 UTC")
    page.select_option("#severity", "SEV2")
    page.fill("#service", "fraud-scorer")
    page.fill("#namespace", "ml-serving")
    page.fill("#summary", "Every scoring request fails with 503; checkout falls back to manual review.")
    page.click("form[action='/incidents'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/incidents/1\?done=declared$"))
    expect(page.locator(".incident-head .sev")).to_have_text("SEV2")
    expect(page.locator(".due-banner")).to_contain_text("Next status update due 14:35:00 UTC")
    expect(page.locator(".facts")).to_contain_text("responder-bot")  # the declarer took incident command

    service.clock.advance(minutes=1)
    page.fill("#update-text", "Pods in CrashLoopBackOff: the model file is missing. Next: roll back to revision 6.")
    page.click("#update button[type=submit]")
    newest = page.locator(".timeline li").first
    expect(newest).to_contain_text("status update")
    expect(newest).to_contain_text("the model file is missing")
    expect(newest).to_contain_text("14:31:00 UTC")
    expect(newest).to_contain_text("responder-bot")
    expect(page.locator(".due-banner")).to_contain_text("due 14:36:00 UTC")  # the cadence clock restarted
    expect(page.locator("#channel-update")).to_have_value(re.compile("the model file is missing"))

    page.click("#checklist li:has-text('Incident severity determined') button")
    expect(page.locator("#checklist li.done")).to_have_count(1)
    expect(page.locator(".timeline li").first).to_contain_text("Incident severity determined")

    page.select_option("#new-severity", "SEV1")
    page.fill("#severity-reason", "checkout fails for every user")
    page.click("#severity button[type=submit]")
    expect(page.locator(".incident-head .sev")).to_have_text("SEV1")
    expect(page.locator(".timeline li").first).to_contain_text("Severity SEV2 → SEV1: checkout fails for every user")

    page.set_input_files("#report", str(_triage_report(tmp_path)))
    page.click("#attach button[type=submit]")
    root = page.locator(".root-cause")
    expect(root).to_contain_text("model.load-failed")
    expect(root).to_contain_text("kubectl rollout undo deployment/fraud-scorer -n ml-serving --to-revision=6")
    expect(page.locator(".triage")).to_contain_text("container.oom-killed")  # a refuted false trail is shown
    expect(page.locator(".hypothesis .hstatus-refuted").first).to_be_visible()

    buttons = page.locator("#status button[name=status]")
    expect(buttons).to_have_count(5)  # every forward move from declared
    page.click("#status button[value=investigating]")
    expect(page.locator(".incident-head .status")).to_have_text("investigating")
    statuses = [b.get_attribute("value") for b in page.locator("#status button[name=status]").all()]
    assert statuses == ["identified", "mitigated", "resolved", "closed"]

    service.clock.advance(minutes=3, seconds=12)  # SEV1 owes an update every 2 minutes: due 14:33, now 14:34:12
    page.goto(f"{service.url}/")
    row = page.locator("tr.is-overdue")
    expect(row).to_contain_text("OVERDUE by 1m")
    expect(row.locator(".overdue")).to_have_css("color", "rgb(176, 0, 32)")
    page.click("text=fraud-scorer - 100% 503 since 14:05 UTC")
    expect(page.locator(".overdue-banner")).to_contain_text(re.compile(r"Status update OVERDUE by 1m1\ds"))
    expect(page.locator(".overdue-banner")).to_contain_text("was due 14:33:00 UTC")
    # pages.js keeps counting from the server's clock (rendered 1m12s; only the script writes a later second)
    expect(page.locator(".overdue-banner")).to_contain_text(re.compile(r"OVERDUE by 1m1[3-9]s"))
    expect(page.locator("button[data-copy=channel-update]")).to_be_visible()

    shot = tmp_path / "incident-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def _client(service: Service, role: TokenRole | None = None) -> httpx.Client:
    client = httpx.Client(base_url=service.url, timeout=30, follow_redirects=False)
    if role is not None:
        client.cookies.set(COOKIE_NAME, service.tokens[role])
    return client


def _declare(client: httpx.Client, **form: str) -> httpx.Response:
    return client.post("/incidents", data={"title": "API - 50% errors", "severity": "SEV2", **form})


def test_pages_need_a_session(service: Service) -> None:
    with _client(service) as anonymous:
        listing = anonymous.get("/")
        assert listing.status_code == 303
        assert listing.headers["location"] == "/login?next=%2F"
        detail = anonymous.get("/incidents/7?done=update")
        assert detail.headers["location"] == "/login?next=%2Fincidents%2F7%3Fdone%3Dupdate"
        assert anonymous.post("/incidents", data={"title": "x", "severity": "SEV2"}).status_code == 303
        assert anonymous.get("/static/pages.css").status_code == 200  # the login page needs its stylesheet
        assert anonymous.get("/static/../app.py").status_code == 404

    with _client(service) as stale:
        stale.cookies.set(COOKIE_NAME, "pt_revoked-or-made-up")
        response = stale.get("/")
        assert response.status_code == 303
        assert f'{COOKIE_NAME}=""' in response.headers["set-cookie"]  # the dead session is cleared


def test_login_sets_a_strict_httponly_cookie(service: Service) -> None:
    with _client(service) as client:
        wrong = client.post("/login", data={"token": "pt_nope", "next": "/"})
        assert wrong.status_code == 401
        assert "Not logged in: unknown or revoked token" in wrong.text
        assert COOKIE_NAME not in client.cookies

        good = client.post("/login", data={"token": service.tokens[TokenRole.VIEWER], "next": "/incidents/3"})
        assert good.status_code == 303
        assert good.headers["location"] == "/incidents/3"
        cookie = good.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert client.get("/").status_code == 200

        offsite = client.post("/login", data={"token": service.tokens[TokenRole.VIEWER], "next": "//evil.example"})
        assert offsite.headers["location"] == "/"
        assert 'name="next" value="/"' in client.get("/login", params={"next": "https://evil.example/"}).text

        assert client.post("/logout").status_code == 303
        assert client.get("/").status_code == 303


def test_viewers_read_but_do_not_change(service: Service) -> None:
    with _client(service, TokenRole.RESPONDER) as responder:
        assert _declare(responder).headers["location"] == "/incidents/1?done=declared"
    with _client(service, TokenRole.VIEWER) as viewer:
        page = viewer.get("/incidents/1")
        assert page.status_code == 200
        assert "API - 50% errors" in page.text
        assert 'action="/incidents/1/updates"' not in page.text  # no forms for a viewer
        refused = viewer.post("/incidents/1/updates", data={"text": "hello"})
        assert refused.status_code == 403
        assert "needs a responder token" in refused.text
        assert "hello" not in viewer.get("/incidents/1").text


def test_cross_site_posts_are_refused(service: Service) -> None:
    with _client(service, TokenRole.RESPONDER) as responder:
        forged = responder.post(
            "/incidents", data={"title": "forged", "severity": "SEV1"}, headers={"Origin": "https://evil.example"}
        )
        assert forged.status_code == 403
        assert "posted from https://evil.example" in forged.text
        from_elsewhere = responder.post(
            "/incidents/1/updates", data={"text": "x"}, headers={"Referer": "https://evil.example/page"}
        )
        assert from_elsewhere.status_code == 403
        ours = responder.post("/incidents", data={"title": "ours", "severity": "SEV3"}, headers={"Origin": service.url})
        assert ours.status_code == 303
        assert _declare(responder, title="from a script").status_code == 303  # no Origin: not a browser
        listing = responder.get("/").text
        assert "ours" in listing
        assert "from a script" in listing
        assert "forged" not in listing


def test_refused_changes_show_why_and_write_nothing(service: Service) -> None:
    with _client(service, TokenRole.RESPONDER) as responder:
        empty = _declare(responder, title="  ")
        assert empty.status_code == 422
        assert "title" in empty.text

        _declare(responder)
        no_reason = responder.post("/incidents/1/severity", data={"severity": "SEV1", "reason": " "})
        assert no_reason.status_code == 422
        assert "reason" in no_reason.text
        assert "Severity SEV2" not in no_reason.text  # nothing on the timeline

        not_json = responder.post(
            "/incidents/1/reports", files={"report": ("notes.txt", b"root cause: dns", "text/plain")}
        )
        assert not_json.status_code == 422
        assert "notes.txt is not JSON" in not_json.text
        wrong_schema = responder.post(
            "/incidents/1/reports", files={"report": ("r.json", b'{"schema": "other"}', "application/json")}
        )
        assert wrong_schema.status_code == 422
        assert "pagetrail.triage.v1" in wrong_schema.text

        assert responder.post("/incidents/1/status", data={"status": "closed"}).status_code == 303
        late = responder.post("/incidents/1/updates", data={"text": "still here"})
        assert late.status_code == 409
        assert "is closed" in late.text
        assert "Closed: no further changes." in late.text

        missing = responder.get("/incidents/999")
        assert missing.status_code == 404
        assert "incident 999 not found" in missing.text
        assert responder.get("/incidents/abc").status_code == 404


def test_alert_incidents_show_their_alerts(service: Service) -> None:
    labels = {"alertname": "FraudScorerDown", "service": "fraud-scorer", "severity": "critical"}
    body = notification([alert(labels, starts_at=service.clock.now)])
    posted = service.client.post("/api/v1/alertmanager", json=body, headers=service.auth(TokenRole.RESPONDER))
    assert posted.status_code < 300, posted.text
    with _client(service, TokenRole.VIEWER) as viewer:
        listing = viewer.get("/").text
        assert "SEV1" in listing
        assert "1 firing / 1" in listing
        page = viewer.get("/incidents/1").text
        assert "FraudScorerDown" in page
        assert "FraudScorerDown on fraud-scorer" in page  # the alert's summary annotation
        assert "1 firing of 1" in page


def test_an_odd_triage_report_does_not_break_the_page(service: Service) -> None:
    odd = b'{"schema": "pagetrail.triage.v1", "root_cause": "dns", "hypotheses": "none", "target": null}'
    with _client(service, TokenRole.RESPONDER) as responder:
        _declare(responder)
        attached = responder.post("/incidents/1/reports", files={"report": ("odd.json", odd, "application/json")})
        assert attached.status_code == 303
        page = responder.get("/incidents/1")
        assert page.status_code == 200
        assert "Triage report: whole bundle" in page.text
        assert "nothing better than possible" in page.text


def test_the_pages_work_without_javascript(service: Service, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _log_in(page, service, TokenRole.RESPONDER)
    page.goto(f"{service.url}/incidents/new")
    page.fill("#title", "checkout latency 10x")
    page.click("form[action='/incidents'] button[type=submit]")
    expect(page.locator(".due-banner")).to_contain_text("in 5m00s")  # SEV2, rendered by the server
    expect(page.locator("button[data-copy]").first).to_be_hidden()  # copying needs the script
    page.fill("#update-text", "Latency back to 2x after scaling out")
    page.click("#update button[type=submit]")
    expect(page.locator(".timeline li").first).to_contain_text("Latency back to 2x after scaling out")
    context.close()
