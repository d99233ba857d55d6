"""Settings from PAGETRAIL_* variables: database path, update cadence, alert label mapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pagetrail.domain.incident import Severity
from pagetrail.incidents.alert_mapping import severity_of
from pagetrail.settings import Settings


def test_defaults_put_the_database_under_the_home_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PAGETRAIL_DATABASE_URL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path}/.local/share/pagetrail/pagetrail.db"
    assert settings.update_cadence().minutes == {
        Severity.SEV1: 2,
        Severity.SEV2: 5,
        Severity.SEV3: 30,
        Severity.SEV4: 60,
    }
    assert settings.max_request_bytes == 1024 * 1024


def test_environment_overrides_cadence_and_extends_the_label_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGETRAIL_DATABASE_URL", "postgresql://postgres@db/pagetrail")
    monkeypatch.setenv("PAGETRAIL_SEV3_UPDATE_MINUTES", "15")
    monkeypatch.setenv("PAGETRAIL_ALERT_SEVERITY_LABELS", '["priority", "severity"]')
    monkeypatch.setenv("PAGETRAIL_ALERT_SEVERITY_VALUES", '{"P1": "SEV1"}')
    monkeypatch.setenv("PAGETRAIL_ALERT_SERVICE_LABELS", '["app"]')
    settings = Settings()
    assert settings.database_url == "postgresql://postgres@db/pagetrail"
    assert settings.update_cadence().minutes[Severity.SEV3] == 15
    mapping = settings.alert_mapping()
    assert severity_of({"priority": "p1"}, mapping) is Severity.SEV1
    assert severity_of({"severity": "critical"}, mapping) is Severity.SEV1  # built-in words still known
    assert mapping.service_labels == ("app",)


def test_a_bad_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGETRAIL_SEV1_UPDATE_MINUTES", "0")
    with pytest.raises(ValidationError, match="sev1_update_minutes"):
        Settings()
