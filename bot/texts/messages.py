"""The relay chat: talking to the other side through the bot, names only, never usernames."""

from __future__ import annotations

from bot.render import CAPTION_LIMIT, clip, e
from storage.models import Message

END_CHAT = "✖ End chat"
REPLY = "↩️ Reply"


def chat_opened(name: str, project_title: str, recent: list[str]) -> str:
    lines = [
        f"💬 You are now talking to <b>{e(name)}</b> about <b>{e(project_title)}</b>.",
        "",
        "Everything you send here (text, files, photos, voice and video) goes to them "
        "through bidgram; your username stays private. Messages are kept as the record if "
        "there is ever a dispute.",
    ]
    if recent:
        lines += ["", "<b>Latest messages:</b>", *recent]
    lines += ["", "Press End chat or send /cancel when you are done."]
    return "\n".join(lines)


def recent_line(sender: str, message: Message) -> str:
    body = e(clip(message.text, 120)) if message.text else ""
    file = f"[{message.file_kind or 'file'}]" if message.file_id else ""
    return f"<i>{e(sender)}:</i> {' '.join(p for p in (file, body) if p)}"


def chatting(name: str, project_title: str) -> str:
    return (
        f"💬 You are talking to <b>{e(name)}</b> about <b>{e(project_title)}</b>. "
        "What you send goes to them."
    )


def sent(name: str, parts: int) -> str:
    """The sender's quiet mark (a reply without a sound) that it went through."""
    split = f" in {parts} messages (it was long)" if parts > 1 else ""
    return f"✓ Sent to {e(name)}{split}."


NOT_CHATTING = (
    "You are not in a chat right now. To talk to someone, press 💬 Message on a bid, a "
    "contract or an alert; to answer a message you received, reply to it."
)
CHAT_ENDED = "Chat ended. Messages are no longer forwarded."
ALREADY_ENDED = "This chat has already ended."
CANNOT_RELAY = (
    "Only text, files, photos, voice messages and videos can be passed on. "
    "Press End chat or send /cancel to stop."
)


def header(sender: str, project_title: str) -> str:
    """The line that tells the recipient who wrote and about what."""
    return f"💬 <b>{e(sender)}</b> · {e(project_title)}"


def relayed_text(sender: str, project_title: str, body: str) -> str:
    return f"{header(sender, project_title)}\n\n{e(body)}"


def caption(sender: str, project_title: str, body: str) -> str | None:
    """The file's caption with the header, or None when it is too long for one."""
    text = relayed_text(sender, project_title, body) if body else header(sender, project_title)
    return text if _utf16(text) <= CAPTION_LIMIT else None


def file_header(sender: str, project_title: str) -> str:
    """The caption when the text goes after the file, in its own message."""
    return f"{header(sender, project_title)}\n<i>(their message follows)</i>"


def _utf16(text: str) -> int:
    # The HTML is never shorter than what Telegram counts, so this errs on the safe side.
    return len(text.encode("utf-16-le")) // 2


# --- red flags (core.redflags), as the record shows them -------------------------------

FLAGS: dict[str, str] = {
    "phone": "phone number",
    "email": "e-mail address",
    "username": "@username",
    "link": "link",
    "wallet": "crypto wallet",
    "fee": "pay-to-get-paid",
}


def flag_names(flags: str | None) -> str:
    return ", ".join(FLAGS.get(f, f) for f in (flags or "").split(",") if f)


def flagged(flags: str | None) -> str:
    """The mark of a red-flagged message in a record ("" for a clean one)."""
    return f" ⚠️ <i>flagged: {e(flag_names(flags))}</i>" if flags else ""
