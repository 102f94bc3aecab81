"""``python -m bot.server run ...``: Rasa's own command line, with bot.server.patches applied."""

from __future__ import annotations

from bot.server import patches


def main() -> None:
    patches.apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
