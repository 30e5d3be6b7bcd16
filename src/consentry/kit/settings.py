"""One Settings object (environment variables prefixed CONSENTRY_), loaded once."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Any

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
    secret_key: str = Field(
        "dev-secret-key",
        description="Signs sessions, webhook secrets and media links; required outside dev.",
    )
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
    sign_in_max_failures: int = Field(
        5, description="Failed web sign-ins for one e-mail, within the window, that lock it."
    )
    sign_in_window_minutes: int = Field(15, description="The window failures are counted in.")
    sign_in_lockout_minutes: int = Field(15, description="How long a locked e-mail stays locked.")
    session_max_age_hours: int = Field(12, description="A web session ends after this long.")
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
    textback_consent_window_minutes: int = Field(
        60,
        ge=0,
        description="An auto textback within this many minutes of the caller's call needs no "
        "consent record (the caller started the contact; the textback answers it).",
    )
    pending_consent_hours: int = Field(
        72,
        ge=1,
        description="A double opt-in consent waits this many hours for the YES reply; then it "
        "expires and a later YES no longer activates it.",
    )
    pending_consent_sweep_interval_seconds: float = Field(
        300.0, gt=0, description="How often workers expire pending consents past their deadline."
    )
    retention_purge_interval_seconds: float = Field(
        3600.0, gt=0, description="How often workers delete messages past their retention."
    )
    max_message_chars: int = Field(1600, description="The longest text accepted for sending.")
    max_batch_messages: int = Field(1000, description="Messages per POST /api/v1/messages/batch.")
    media_dir: str = Field("./var/media", description="Where uploaded MMS media is stored.")
    media_max_bytes: int = Field(5 * 1024 * 1024, description="The largest media file accepted.")
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="Where carriers reach this server (scheme, host, optional path prefix); the "
        "signed media links handed to a carrier start with it.",
    )
    media_url_ttl_seconds: int = Field(
        86400, ge=60, description="How long a signed media link handed to a carrier stays valid."
    )

    # -- queue and workers ---------------------------------------------------------------------
    queue_url: str = Field(
        "sqlite:///./consentry-queue.db",
        description="The work queue: sqlite:///path (embedded, one machine), a plain file path, "
        "or redis://host:port/db for `consentry worker` processes on several machines.",
    )
    redis_url: str | None = Field(
        None,
        description="Redis for the queue and the shared rate limiter; when set it is the queue "
        "unless queue_url names another redis:// URL.",
    )
    embedded_worker: bool = Field(True, description="`serve` runs a queue consumer in-process.")
    worker_threads: int = Field(4, ge=1, description="Consumer threads per worker process.")
    dispatch_batch_size: int = Field(100, ge=1, description="Message ids per dispatch task.")
    dispatch_max_attempts: int = Field(
        6, ge=1, description="Carrier attempts before a retryable failure becomes `failed`."
    )
    retry_base_seconds: float = Field(5.0, gt=0, description="First retry delay; doubles.")
    retry_max_seconds: float = Field(900.0, gt=0, description="Longest delay between retries.")
    sweep_interval_seconds: float = Field(
        15.0, gt=0, description="How often each worker process runs the sweeper."
    )
    stale_after_seconds: float = Field(
        60.0,
        gt=0,
        description="A `queued` message due this long without being taken, or a `sending` one "
        "unfinished this long, is recovered by the sweeper.",
    )
    receipt_wait_seconds: float = Field(
        3600.0,
        gt=0,
        description="A `sent` message without a delivery receipt after this long is asked "
        "about (when the carrier can answer such a query).",
    )
    resend_unconfirmed: bool = Field(
        False,
        description="Recovering a message whose submission cannot be confirmed (a carrier "
        "without a submission record, e.g. SMPP): False fails it with SUBMIT_UNCONFIRMED "
        "(at most once), True submits it again (at least once; a duplicate is possible).",
    )
    # -- rate limits (segments per minute; 0 means no limit) -------------------------------------
    rate_limit_number_per_minute: int = Field(
        75, ge=0, description="Segments per minute from one number (a T-Mobile-like tier)."
    )
    rate_limit_campaign_per_minute: int = Field(
        4500, ge=0, description="Segments per minute across one campaign's numbers."
    )
    # -- carriers --------------------------------------------------------------------------------
    carrier: str = Field("loopback", description="The carrier adapter: loopback or smpp.")
    carrier_config: dict[str, Any] = Field(
        default_factory=dict,
        description="Keyword settings of the carrier adapter (JSON), e.g. SMPP host/system_id.",
    )
    loopback_receipt_delay: float = Field(
        0.05, ge=0, description="Seconds before the loopback carrier reports delivery."
    )
    loopback_submit_delay: float = Field(
        0.0, ge=0, description="Seconds the loopback carrier takes per submit call (tests)."
    )
    loopback_hook_enabled: bool | None = Field(
        None,
        description="Whether any key may use the loopback inbound/failure endpoints; None: "
        "yes in dev and test, admin keys only in prod.",
    )
    # -- status callbacks ------------------------------------------------------------------------
    webhook_timeout_seconds: float = Field(5.0, gt=0)
    webhook_max_attempts: int = Field(8, ge=1)
    webhook_retry_base_seconds: float = Field(10.0, gt=0)

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment is not Environment.DEV and self.secret_key in PLACEHOLDER_SECRETS:
            raise ValueError(
                f"CONSENTRY_SECRET_KEY is a placeholder in the {self.environment} environment; "
                "set it to a long random value (python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')"
            )
        if self.retry_base_seconds > self.retry_max_seconds:
            raise ValueError("retry_base_seconds must not exceed retry_max_seconds")
        if not 0 < self.decision_days_min <= self.decision_days_max:
            raise ValueError("decision_days_min must be positive and not above decision_days_max")
        if not self.public_url.startswith(("https://", "http://")):
            raise ValueError("public_url must start with https:// or http://")
        if not 0 <= self.quiet_hours_start < self.quiet_hours_end <= 24:
            raise ValueError("quiet hours need 0 <= quiet_hours_start < quiet_hours_end <= 24")
        return self

    @property
    def effective_queue_url(self) -> str:
        """The queue actually used: queue_url, or redis_url when queue_url is the default."""
        default = type(self).model_fields["queue_url"].default
        if self.redis_url and self.queue_url == default:
            return self.redis_url
        return self.queue_url

    @property
    def loopback_hook_open(self) -> bool:
        """Whether non-admin keys may drive the loopback carrier's test endpoints."""
        if self.loopback_hook_enabled is not None:
            return self.loopback_hook_enabled
        return self.environment is not Environment.PROD


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
