"""Every text a user sees, in one place (ready for translation).

Functions take plain values and return HTML; anything a user typed is escaped
with ``bot.render.e`` here, never in handlers.
"""
