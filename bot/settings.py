"""Settings the Telegram side adds to the marketplace's own."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator

from core.settings import ConfigurationError, Positive, Settings, Window, describe

Rate = Annotated[float, Field(gt=0)]

TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,60}$")

HOW_TO_GET_A_TOKEN = (
    "Open Telegram, talk to @BotFather, send /newbot and follow the steps; it answers with a "
    "token like 123456789:AAH... Put it in the environment as BOT_TOKEN=... or in a .env "
    "file next to where you run bidgram."
)


class BotSettings(Settings):
    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    funding_gateway: Literal["sandbox", "stars", "telegram"] = "sandbox"
    payment_provider_token: SecretStr | None = None
    projects_channel: str | None = None  # @channel or -100... id where new projects are posted
    redis_url: str | None = None  # shares rate limits (and more) between processes

    # Delivery of alerts (bot.delivery). Defaults stay under Telegram's limits with room:
    # any second holds at most SEND_RATE + SEND_BURST messages (30), any chat gets
    # CHAT_RATE per second after a burst of CHAT_BURST, a group or channel 20 a minute.
    send_rate: Rate = 25.0
    send_burst: Positive = 5
    chat_rate: Rate = 1.0
    chat_burst: Positive = 3
    group_per_minute: Positive = 19
    delivery_workers: Positive = 8  # messages in flight at once
    delivery_lease: Window = timedelta(seconds=60)  # a claimed message is resent after it
    delivery_max_attempts: Positive = 8  # on 5xx and network errors, with backoff
    delivery_poll: Window = timedelta(seconds=1)  # how often to look for others' work
    digest_after: Positive = 3  # new-project alerts per DIGEST_WINDOW before a digest
    digest_window: Window = timedelta(hours=1)
    sweep_interval: Window = timedelta(seconds=30)  # timers are checked this often

    @field_validator("telegram_api_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

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


def load_bot_settings(**overrides: object) -> BotSettings:
    try:
        return BotSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigurationError(describe(error)) from None
