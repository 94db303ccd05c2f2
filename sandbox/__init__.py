"""``bidgram sandbox``: the whole product in a browser, with no Telegram and no network.

The real bot (aiogram, HTTP, database) runs against the project's Bot API emulator; a
local web page shows several people's private chats with it side by side and lets you
act as each of them, move the bot's clock forward and start over.
"""
