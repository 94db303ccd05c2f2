"""Settings the Telegram side adds to the marketplace's own."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import SecretStr, ValidationError, field_validator, model_validator

from core.settings import ConfigurationError, Settings, describe

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
