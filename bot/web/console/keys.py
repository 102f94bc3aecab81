"""Keys of what a console request carries."""

from __future__ import annotations

# Set on a request by the authentication middleware: the signed-in bot.console.users.User.
USER = "console_user"
LANGUAGE = "console_language"
