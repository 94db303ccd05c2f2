"""The relay chat: talking to the other side through the bot, names only, never usernames."""

from __future__ import annotations

from bot.i18n import _, phrase
from bot.render import CAPTION_LIMIT, clip, e
from storage.models import Message

end_chat = phrase("✖ End chat")

reply = phrase("↩️ Reply")

#: The reader, as the sender of their own lines in a chat's latest messages.
you = phrase("You")


def chat_opened(name: str, project_title: str, recent: list[str]) -> str:
    lines = [
        _("💬 You are now talking to <b>{name}</b> about <b>{title}</b>.").format(
            name=e(name), title=e(project_title)
        ),
        "",
        _(
            "Everything you send here (text, files, photos, voice and video) goes to them "
            "through bidgram; your username stays private. Messages are kept as the record if "
            "there is ever a dispute."
        ),
    ]
    if recent:
        lines += ["", _("<b>Latest messages:</b>"), *recent]
    lines += ["", _("Press End chat or send /cancel when you are done.")]
    return "\n".join(lines)


#: What a file is, in a word, by its kind (``bot.notifier``: document, photo...).
FILE_KINDS = {
    "document": phrase("document"),
    "photo": phrase("photo"),
    "voice": phrase("voice"),
    "video": phrase("video"),
    "audio": phrase("audio"),
}


def _file_kind(kind: str | None) -> str:
    found = FILE_KINDS.get(kind or "")
    return found() if found else _("file")


def recent_line(sender: str, message: Message) -> str:
    body = e(clip(message.text, 120)) if message.text else ""
    file = f"[{_file_kind(message.file_kind)}]" if message.file_id else ""
    return f"<i>{e(sender)}:</i> {' '.join(p for p in (file, body) if p)}"


def chatting(name: str, project_title: str) -> str:
    return _(
        "💬 You are talking to <b>{name}</b> about <b>{title}</b>. What you send goes to them."
    ).format(name=e(name), title=e(project_title))


def sent(name: str, parts: int) -> str:
    """The sender's quiet mark (a reply without a sound) that it went through."""
    if parts > 1:
        template = _(
            "✓ Sent to {name} in {count} message (it was long).",
            "✓ Sent to {name} in {count} messages (it was long).",
            parts,
        )
        return template.format(name=e(name), count=parts)
    return _("✓ Sent to {name}.").format(name=e(name))


not_chatting = phrase(
    "You are not in a chat right now. To talk to someone, press 💬 Message on a bid, a "
    "contract or an alert; to answer a message you received, reply to it."
)

chat_ended = phrase("Chat ended. Messages are no longer forwarded.")

already_ended = phrase("This chat has already ended.")

cannot_relay = phrase(
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
    return header(sender, project_title) + "\n" + _("<i>(their message follows)</i>")


def _utf16(text: str) -> int:
    # The HTML is never shorter than what Telegram counts, so this errs on the safe side.
    return len(text.encode("utf-16-le")) // 2


# --- red flags (core.redflags), as the record shows them -------------------------------


def flags() -> dict[str, str]:
    return {
        "phone": _("phone number"),
        "email": _("e-mail address"),
        "username": "@username",
        "link": _("link"),
        "wallet": _("crypto wallet"),
        "fee": _("pay-to-get-paid"),
    }


def flag_names(flagged: str | None) -> str:
    names = flags()
    return ", ".join(names.get(f, f) for f in (flagged or "").split(",") if f)


def flagged(flags: str | None) -> str:
    """The mark of a red-flagged message in a record ("" for a clean one)."""
    if not flags:
        return ""
    return " ⚠️ " + _("<i>flagged: {flags}</i>").format(flags=e(flag_names(flags)))
