"""Settings the Telegram side adds to the marketplace's own."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.i18n import ReaderMoney
from core.gateways import SANDBOX, STARS, TELEGRAM_PAYMENTS, Gateways
from core.money import Currency
from core.settings import ConfigurationError, Positive, Settings, Window, _seconds, describe

Rate = Annotated[float, Field(gt=0)]
#: A duration that may be zero (seconds or ISO 8601, as every other duration).
Lasting = Annotated[timedelta, BeforeValidator(_seconds), Field(ge=timedelta(0))]

TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,60}$")
# What Telegram accepts as setWebhook's secret_token.
WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_PORTS = (80, 88, 443, 8443)

HOW_TO_GET_A_TOKEN = (
    "Open Telegram, talk to @BotFather, send /newbot and follow the steps; it answers with a "
    "token like 123456789:AAH... Put it in the environment as BOT_TOKEN=... or in a .env "
    "file next to where you run bidgram."
)


class BotSettings(Settings):
    @property
    def money(self) -> Currency:
        """The currency as each reader writes and reads it (``bot.i18n.ReaderMoney``)."""
        return ReaderMoney(self.currency, self.currency_exponent)

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    funding_gateway: Literal["sandbox", "stars", "telegram"] = "sandbox"
    payment_provider_token: SecretStr | None = None
    # Telegram's test environment, or an emulator standing in for Telegram (the sandbox's):
    # what is paid there is not real money (test Stars), and every screen that shows it,
    # invoices and pay buttons included, says so.
    telegram_test_env: bool = False
    projects_channel: str | None = None  # @channel or -100... id where new projects are posted
    # Delivery of alerts (bot.delivery). Defaults stay under Telegram's limits with room:
    # any second holds at most SEND_RATE + SEND_BURST messages (30), any chat gets
    # CHAT_RATE per second after a burst of CHAT_BURST, a group or channel 20 a minute.
    send_rate: Rate = 25.0
    send_burst: Positive = 5
    chat_rate: Rate = 1.0
    chat_burst: Positive = 3
    group_per_minute: Positive = 19
    delivery_workers: Positive = 8  # messages being sent at once by one process
    delivery_lease: Window = timedelta(seconds=60)  # a claimed message is resent after it
    delivery_max_attempts: Positive = 8  # on 5xx and network errors, with backoff
    delivery_poll: Window = timedelta(seconds=1)  # how often to look for others' work
    digest_after: Positive = 3  # new-project alerts per DIGEST_WINDOW before a digest
    digest_window: Window = timedelta(hours=1)
    sweep_interval: Window = timedelta(seconds=30)  # timers are checked this often

    # Scaling out (README "Scaling out"): shared conversation state and webhook mode.
    redis_url: str | None = None  # redis://host:6379/0; FSM state, locks, rate limits
    redis_key_prefix: str = Field("bidgram", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    webhook_url: str | None = None  # the public https URL Telegram posts updates to
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"  # where `bidgram webhook` listens (behind the balancer)
    webhook_port: int = Field(8080, ge=1, le=65535)
    webhook_path: str = "/webhook"
    webhook_shutdown_timeout: Window = timedelta(seconds=30)  # to finish in-flight updates

    # Operating it (README "Deploying"): /metrics and the logs.
    metrics_host: str = "127.0.0.1"  # where `run` and `worker` serve /metrics ...
    metrics_port: int | None = Field(None, ge=0, le=65535)  # ... when this is set
    metrics_cache: Lasting = timedelta(seconds=5)  # database figures are read this often
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("telegram_api_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("redis_url", "webhook_url", "webhook_secret", "metrics_port", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        value = value.strip()
        return value.lower() if value.lower() in ("text", "json") else value.upper()

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(
                "Telegram only posts to https:// URLs, e.g. https://bot.example.com/webhook"
            )
        try:
            port = parts.port or 443
        except ValueError:
            raise ValueError("has an invalid port") from None
        if port not in WEBHOOK_PORTS:
            raise ValueError("Telegram only posts to ports 443, 80, 88 or 8443")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError(
                "must be 1-256 characters, only A-Z, a-z, 0-9, _ and - (Telegram's rule)"
            )
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or any(c.isspace() for c in value):
            raise ValueError("must start with / and contain no spaces, e.g. /webhook")
        if value in ("/health", "/metrics"):
            raise ValueError("/health and /metrics are taken; use e.g. /webhook")
        return value

    @model_validator(mode="after")
    def _gateway(self) -> BotSettings:
        if self.funding_gateway == "stars" and (self.currency, self.currency_exponent) != (
            "XTR",
            0,
        ):
            raise ValueError("FUNDING_GATEWAY=stars needs CURRENCY=XTR and CURRENCY_EXPONENT=0")
        if self.funding_gateway == "telegram" and not self.payment_provider_token:
            raise ValueError(
                "FUNDING_GATEWAY=telegram needs PAYMENT_PROVIDER_TOKEN from @BotFather"
            )
        return self

    def gateways(self) -> Gateways:
        """The gateway money comes in through; play money on Telegram's test environment."""
        chosen = {"sandbox": SANDBOX, "stars": STARS, "telegram": TELEGRAM_PAYMENTS}
        gateway = chosen[self.funding_gateway]
        if self.telegram_test_env and not gateway.sandbox:
            gateway = replace(gateway, label=f"{gateway.label} (test)", sandbox=True)
        return Gateways([gateway])

    def token(self) -> str:
        """The bot token, or a ConfigurationError that says how to get one."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise ConfigurationError(f"BOT_TOKEN is not set. {HOW_TO_GET_A_TOKEN}")
        token = self.bot_token.get_secret_value().strip()
        if not TOKEN.match(token):
            raise ConfigurationError(
                f"BOT_TOKEN does not look like a bot token. {HOW_TO_GET_A_TOKEN}"
            )
        return token

    def webhook(self) -> tuple[str, str]:
        """The public URL and secret for webhook mode, or a ConfigurationError naming
        what is missing."""
        missing = [
            name
            for name, value in (
                ("WEBHOOK_URL", self.webhook_url),
                ("WEBHOOK_SECRET", self.webhook_secret),
            )
            if value is None
        ]
        if missing:
            raise ConfigurationError(
                f"{' and '.join(missing)} must be set for `bidgram webhook`: WEBHOOK_URL is the "
                "public https URL the load balancer forwards to this process's WEBHOOK_PATH, "
                "WEBHOOK_SECRET a random string of 1-256 characters A-Z a-z 0-9 _ - that "
                "Telegram sends back with every update (e.g. `openssl rand -hex 32`)."
            )
        assert self.webhook_url is not None and self.webhook_secret is not None
        return self.webhook_url, self.webhook_secret.get_secret_value()


def load_bot_settings(**overrides: object) -> BotSettings:
    try:
        return BotSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigurationError(describe(error)) from None
