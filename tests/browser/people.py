"""Acting in the sandbox page as one person: typing, pressing, sending files, waiting."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

MENU = "What would you like to do?"

NEWEST = """([name, text, data, since]) => {
    const chat = document.querySelector(`.chat[data-name="${name}"]`);
    const found = [...chat.querySelectorAll(".msg.from-bot")]
        .reverse()
        .find(
            (m) =>
                Number(m.dataset.rev) > since &&
                m.textContent.includes(text) &&
                (data === null || [...m.querySelectorAll("button")].some(
                    (b) => b.dataset.callback === data,
                )),
        );
    return found ? found.dataset.id : null;
}"""


def pressing(data: str) -> str:
    """The selector of the buttons that send this callback data (what a button does, not
    its label)."""
    return f'.keyboard button[data-callback="{data}"]'


class Person:
    """One chat column on the page, acted in as its owner would.

    Every action remembers how far the page had got, so waiting for the bot's answer
    never mistakes an older message (or an older version of an edited one) for it.
    """

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.name = name
        self.chat = page.locator(f'.chat[data-name="{name}"]')
        self.shown = self.chat.locator(".messages:not([hidden])")  # the chat on screen
        self.since = 0

    def _acting(self) -> None:
        self.since = int(self.page.evaluate("() => window.sandboxRev()"))

    def bot_message(
        self, text: str = "", *, earlier: bool = False, button: str | None = None
    ) -> Locator:
        """The bot's newest message containing ``text`` (and a button sending the callback
        data ``button``, if given), sent or edited since this person last acted (or at any
        time, with ``earlier``)."""
        since = 0 if earlier else self.since
        found = self.page.wait_for_function(NEWEST, arg=[self.name, text, button, since])
        return self.chat.locator(f'.msg[data-id="{found.json_value()}"]')

    def tap(self, data: str, *, expect_button: str | None = None, expect_text: str = "") -> Locator:
        """Press the newest button that sends ``data``; the bot's answer: its newest message
        with ``expect_text`` and a button sending ``expect_button``."""
        self._acting()
        self.shown.locator(pressing(data)).last.click()
        return self.bot_message(expect_text, button=expect_button)

    def start(self, menu: str = MENU) -> Locator:
        """Press START; the menu, asked in the person's language (``menu``)."""
        self._acting()
        self.chat.locator("button.start").click()
        return self.bot_message(menu)

    def say(self, text: str, expect_reply: str = "", *, button: str | None = None) -> Locator:
        """Send ``text``; the bot's answer (with ``expect_reply`` in it, and a button sending
        the callback data ``button``, if given)."""
        self._acting()
        box = self.chat.locator("input.text")
        box.fill(text)
        box.press("Enter")
        return self.bot_message(expect_reply, button=button)

    def say_only(self, text: str) -> None:
        """Send text the bot passes on without answering in this chat (the relay chat)."""
        self._acting()
        box = self.chat.locator("input.text")
        box.fill(text)
        box.press("Enter")
        expect(self.chat.locator(".msg.from-me").filter(has_text=text).last).to_be_visible()

    def press(self, message: Locator, label: str, expect_reply: str) -> Locator:
        self._acting()
        message.locator(".keyboard button", has_text=label).first.click()
        return self.bot_message(expect_reply)

    def command(self, name: str, expect_reply: str) -> Locator:
        """Pick a command from the menu button next to the input field."""
        self._acting()
        self.chat.locator("button.menu-button").click()
        self.chat.locator(".commands button", has_text=f"/{name}").click()
        return self.bot_message(expect_reply)

    def send_file(
        self, name: str, content: bytes, expect_reply: str = "", *, button: str | None = None
    ) -> Locator:
        self._acting()
        self.chat.locator("input.file").set_input_files(
            files=[{"name": name, "mimeType": "application/zip", "buffer": content}]
        )
        return self.bot_message(expect_reply, button=button)

    def reply(self, message: Locator, text: str, expect_reply: str | None = None) -> None:
        """Reply to a message (the relay chat carries replies to the other side)."""
        self._acting()
        message.locator(".bubble").hover()  # Reply shows on hover, beside the bubble
        message.locator(".reply-btn").click()
        box = self.chat.locator("input.text")
        box.fill(text)
        box.press("Enter")
        if expect_reply is not None:
            self.bot_message(expect_reply)

    def open_chat_with(self, name: str) -> None:
        """Open this person's private chat with someone else from the Chats list."""
        self.chat.locator(".chats-button").click()
        self.chat.locator(".chat-list button", has_text=name).click()
        expect(self.chat.locator(".chat-head .name")).to_have_text(name)

    def type_inline(self, query: str) -> Locator:
        """Type ``@bot query`` in the chat on screen; the results the bot offers."""
        self.chat.locator("input.text").fill(query)
        results = self.chat.locator(".inline-results")
        expect(results).to_be_visible()
        return results
