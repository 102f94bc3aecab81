"""``python -m bot.events``, kept for make and production mode: see :mod:`bot.ops.events`."""

import sys

from bot.ops.events import main

if __name__ == "__main__":
    sys.exit(main())
