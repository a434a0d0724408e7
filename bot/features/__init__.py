"""Bot features, one module each: its handlers, its commands for the menu, its strings.

A feature module exposes ``COMMANDS`` (command, description) for the menu and ``handlers()``
returning its python-telegram-bot handlers; the composition root in ``bot.app`` registers them.
"""
