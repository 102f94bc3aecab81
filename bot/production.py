"""``python -m bot.production``, kept for make and scripts: see :mod:`bot.ops.production`."""

import sys

from bot.ops.production import main

if __name__ == "__main__":
    sys.exit(main())
