"""Taps and commands: one module per area, each recording its handlers on an ``Area``
(``bot.routers`` lists them in order)."""
