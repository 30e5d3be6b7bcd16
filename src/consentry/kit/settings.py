"""One Settings object (environment variables prefixed CONSENTRY_), loaded once."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PLACEHOLDER_SECRETS", "Environment", "Settings", "get_settings"]

# Secrets that ship in docs and defaults; anything outside development must set its own.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-secret-key"})


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class Settings(BaseSettings):
    """Every setting Consentry reads; see the field descriptions."""

    model_config = SettingsConfigDict(env_prefix="CONSENTRY_", extra="ignore")

    database_url: str = Field(
        "sqlite:///./consentry.db",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db.",
    )
    environment: Environment = Environment.DEV
    secret_key: str = Field("dev-secret-key", description="Signs sessions; required outside dev.")
    log_level: str = "INFO"
    log_json: bool = Field(False, description="JSON log lines instead of the console renderer.")
    # Amount (in US cents) charged for the Nth rejection of one application. A provider sets its
    # own schedule; the default mirrors a common pass-through of registry re-vetting fees.
    fine_schedule: dict[int, int] = Field(default_factory=lambda: {2: 1500, 3: 1500, 4: 1500})
    decision_days_min: int = Field(15, description="Expected decision: earliest, in business days.")
    decision_days_max: int = Field(20, description="Expected decision: latest, in business days.")
    max_rejections: int = Field(
        4, description="The rejection that makes an application ineligible."
    )
    temporary_registration_days: int = 30
    rejection_grace_days: int = Field(
        5, description="An active temporary registration ends this many days after a rejection."
    )
    seed_demo: bool = Field(True, description="`serve` seeds a demo account on an empty database.")
    # Sending.
    conversation_window_hours: int = Field(
        24,
        description="A reply to a recipient who texted the number within this many hours needs "
        "no consent record (the recipient started the conversation).",
    )
    quiet_hours: bool = Field(
        True, description="Refuse marketing messages outside quiet_hours_start..quiet_hours_end."
    )
    quiet_hours_start: int = Field(8, description="Marketing may be sent from this local hour.")
    quiet_hours_end: int = Field(21, description="... until this local hour (exclusive).")
    max_message_chars: int = Field(1600, description="The longest text accepted for sending.")
    max_batch_messages: int = Field(1000, description="Messages per POST /api/v1/messages/batch.")
    media_dir: str = Field("./var/media", description="Where uploaded MMS media is stored.")
    media_max_bytes: int = Field(5 * 1024 * 1024, description="The largest media file accepted.")

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment is not Environment.DEV and self.secret_key in PLACEHOLDER_SECRETS:
            raise ValueError(
                f"CONSENTRY_SECRET_KEY is a placeholder in the {self.environment} environment; "
                "set it to a long random value (python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')"
            )
        if not 0 < self.decision_days_min <= self.decision_days_max:
            raise ValueError("decision_days_min must be positive and not above decision_days_max")
        if not 0 <= self.quiet_hours_start < self.quiet_hours_end <= 24:
            raise ValueError("quiet hours need 0 <= quiet_hours_start < quiet_hours_end <= 24")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
