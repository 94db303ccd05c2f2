"""Exceptions of the emulator.

Two families live here and must not be confused:

* :class:`TelegramError` is what the *bot* gets: it becomes an HTTP error response with the
  exact ``error_code``/``description`` shape of the real Bot API.
* :class:`EmulatorError` and its subclasses are what the *test* gets when a simulated
  person cannot do what the test asked (the bot never answered, a button does not exist...).
  They subclass :class:`AssertionError` so pytest reports them as test failures, not crashes.
"""

from __future__ import annotations


class TelegramError(Exception):
    """An error response of the Bot API, raised inside method handlers."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def to_response(self) -> dict[str, object]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, object] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> TelegramError:
    """``400 Bad Request: <reason>``, the most common rejection."""
    return TelegramError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> TelegramError:
    """``403 Forbidden: <reason>``, e.g. the user blocked the bot."""
    return TelegramError(403, f"Forbidden: {reason}")


def not_found() -> TelegramError:
    """``404 Not Found``, Telegram's answer to an unknown method."""
    return TelegramError(404, "Not Found")


def unauthorized() -> TelegramError:
    """``401 Unauthorized``, Telegram's answer to a wrong token."""
    return TelegramError(401, "Unauthorized")


def too_many_requests(retry_after: int) -> TelegramError:
    """``429`` with ``parameters.retry_after`` that a well-behaved bot must honour."""
    return TelegramError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def conflict() -> TelegramError:
    """``409``: a newer getUpdates request terminated this one."""
    return TelegramError(
        409,
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
    )


def webhook_conflict() -> TelegramError:
    """``409``: getUpdates while a webhook is set."""
    return TelegramError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    )


class UnsupportedMethod(TelegramError):
    """A real Bot API method the emulator does not implement (reported, never silent)."""

    def __init__(self, method: str) -> None:
        super().__init__(400, f"Bad Request: method {method} is not supported by the emulator")
        self.method = method


QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class EmulatorError(AssertionError):
    """A simulated person could not do what the test asked."""


class EmulatorTimeout(EmulatorError):
    """The bot did not do what was awaited in time; the message carries a report."""


class ButtonNotFound(EmulatorError):
    """The message has no button matching the click request."""


class PaymentDeclined(EmulatorError):
    """The bot answered the pre-checkout query with ``ok=False``."""

    def __init__(self, error_message: str) -> None:
        super().__init__(f"the bot declined the payment: {error_message!r}")
        self.error_message = error_message


class ViolationsFound(AssertionError):
    """Raised by ``BotAPIEmulator.assert_clean`` with a readable report."""
