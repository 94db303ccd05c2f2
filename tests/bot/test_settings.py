"""Settings of webhook mode, Redis and payments: what Telegram would refuse is refused at
start, and play money is labelled as such."""

from __future__ import annotations

import pytest

from bot.settings import load_bot_settings
from bot.texts.common import money_badge
from core.settings import ConfigurationError


def settings(**values: object):
    return load_bot_settings(_env_file=None, **values)


def test_webhook_mode_names_what_is_missing() -> None:
    with pytest.raises(ConfigurationError, match="WEBHOOK_URL and WEBHOOK_SECRET must be set"):
        settings().webhook()
    with pytest.raises(ConfigurationError, match=r"^WEBHOOK_SECRET must be set"):
        settings(webhook_url="https://bot.example/hook").webhook()
    url, secret = settings(webhook_url="https://bot.example/hook", webhook_secret="a_B-9").webhook()
    assert (url, secret) == ("https://bot.example/hook", "a_B-9")


@pytest.mark.parametrize("secret", ["with space", "ümlaut", "x" * 257, "semi;colon"])
def test_a_secret_telegram_would_refuse_is_refused(secret: str) -> None:
    with pytest.raises(ConfigurationError, match="WEBHOOK_SECRET: must be 1-256 characters"):
        settings(webhook_secret=secret)


def test_a_blank_secret_counts_as_unset() -> None:
    assert settings(webhook_secret="  ").webhook_secret is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://bot.example/hook", "only posts to https:// URLs"),
        ("https://bot.example:8080/hook", "only posts to ports 443, 80, 88 or 8443"),
    ],
)
def test_a_webhook_url_telegram_would_refuse_is_refused(url: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=f"WEBHOOK_URL: Telegram {problem}"):
        settings(webhook_url=url)


def test_redis_url_and_webhook_path_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="REDIS_URL: must start with redis://"):
        settings(redis_url="127.0.0.1:6379")
    with pytest.raises(ConfigurationError, match="WEBHOOK_PATH: must start with /"):
        settings(webhook_path="webhook")
    assert settings(redis_url="redis://127.0.0.1:6379/0").redis_url == "redis://127.0.0.1:6379/0"
    with pytest.raises(ConfigurationError, match="WEBHOOK_PATH: /health and /metrics are taken"):
        settings(webhook_path="/metrics")


def test_metrics_and_log_settings() -> None:
    plain = settings()
    assert plain.metrics_port is None  # `run` and `worker` serve no /metrics unless asked
    assert (plain.log_format, plain.log_level) == ("text", "INFO")
    assert plain.metrics_cache.total_seconds() == 5
    asked = settings(metrics_port="9464", metrics_cache="0", log_format="JSON", log_level="warning")
    assert (asked.metrics_port, asked.metrics_cache.total_seconds()) == (9464, 0)
    assert (asked.log_format, asked.log_level) == ("json", "WARNING")
    assert settings(metrics_port=" ").metrics_port is None
    with pytest.raises(ConfigurationError, match="METRICS_PORT"):
        settings(metrics_port="70000")
    with pytest.raises(ConfigurationError, match="METRICS_CACHE"):
        settings(metrics_cache="-1")
    with pytest.raises(ConfigurationError, match="LOG_FORMAT"):
        settings(log_format="xml")


def test_money_on_telegrams_test_environment_is_labelled_as_not_real(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stars = {"funding_gateway": "stars", "currency": "XTR", "currency_exponent": 0}
    assert money_badge(settings(**stars).gateways()) == ""  # real Stars: no label
    monkeypatch.setenv("TELEGRAM_TEST_ENV", "true")
    on_test = settings(**stars)
    assert on_test.telegram_test_env
    [gateway] = on_test.gateways().enabled
    assert (gateway.name, gateway.sandbox) == ("stars", True)  # same books, play money
    assert (
        money_badge(on_test.gateways())
        == "🧪 TEST STARS — Telegram's test environment, not real Stars"
    )
    assert money_badge(settings().gateways()) == "🧪 SANDBOX — test money, not real"
