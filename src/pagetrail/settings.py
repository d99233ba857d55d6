"""The service's settings: one pydantic-settings object, read from PAGETRAIL_* environment
variables when it is built (never at import) and passed to whatever needs it.

Lists and maps are given as JSON in the environment, e.g.
PAGETRAIL_ALERT_SERVICE_LABELS='["service","app"]' or PAGETRAIL_ALERT_SEVERITY_VALUES='{"p1":"SEV1"}'
(the values given are added to the built-in severity words, not replacing them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from pagetrail.domain.incident import Severity
from pagetrail.incidents.alert_mapping import AlertLabelMapping
from pagetrail.incidents.cadence import UpdateCadence

DEFAULT_DATABASE_URL = "sqlite:///~/.local/share/pagetrail/pagetrail.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAGETRAIL_", extra="ignore", frozen=True)

    database_url: Annotated[
        str, Field(description="SQLAlchemy URL: sqlite:///PATH (default) or postgresql://USER@HOST/DB.")
    ] = DEFAULT_DATABASE_URL
    sev1_update_minutes: Annotated[
        int, Field(gt=0, description="Minutes between status updates for SEV1 (seed 003).")
    ] = 2
    sev2_update_minutes: Annotated[
        int, Field(gt=0, description="Minutes between status updates for SEV2 (seed 003).")
    ] = 5
    sev3_update_minutes: Annotated[int, Field(gt=0)] = 30
    sev4_update_minutes: Annotated[int, Field(gt=0)] = 60
    alert_severity_labels: list[str] = Field(default_factory=lambda: ["severity"])
    alert_severity_values: dict[str, Severity] = Field(
        default_factory=dict, description="Extra label value → severity words, on top of the built-in ones."
    )
    alert_default_severity: Severity = Severity.SEV3
    alert_service_labels: list[str] = Field(default_factory=lambda: ["service"])
    alert_model_labels: list[str] = Field(default_factory=lambda: ["model"])
    alert_namespace_labels: list[str] = Field(default_factory=lambda: ["namespace"])
    alert_pool_labels: list[str] = Field(default_factory=lambda: ["pool"])
    max_request_bytes: Annotated[int, Field(gt=0, description="Largest request body the service accepts.")] = (
        1024 * 1024
    )

    @field_validator("database_url")
    @classmethod
    def _expand_home(cls, value: str) -> str:
        """`sqlite:///~/x.db` → an absolute path, so the file does not depend on the working directory;
        a string that is not a SQLAlchemy URL is refused here, before any command tries to connect."""
        try:
            make_url(value)
        except ArgumentError:
            raise ValueError(
                f"expected a database URL such as sqlite:///PATH or postgresql+psycopg://USER@HOST/DB, got {value!r}"
            ) from None
        prefix = "sqlite:///"
        if value.startswith(prefix) and value[len(prefix) :].startswith("~"):
            return prefix + str(Path(value[len(prefix) :]).expanduser())
        return value

    def update_cadence(self) -> UpdateCadence:
        return UpdateCadence(
            {
                Severity.SEV1: self.sev1_update_minutes,
                Severity.SEV2: self.sev2_update_minutes,
                Severity.SEV3: self.sev3_update_minutes,
                Severity.SEV4: self.sev4_update_minutes,
            }
        )

    def alert_mapping(self) -> AlertLabelMapping:
        defaults = AlertLabelMapping()
        values = dict(defaults.severity_values)
        values.update({k.strip().lower(): v for k, v in self.alert_severity_values.items()})
        return AlertLabelMapping(
            severity_labels=tuple(self.alert_severity_labels),
            severity_values=values,
            default_severity=self.alert_default_severity,
            service_labels=tuple(self.alert_service_labels),
            model_labels=tuple(self.alert_model_labels),
            namespace_labels=tuple(self.alert_namespace_labels),
            pool_labels=tuple(self.alert_pool_labels),
        )
