"""``python -m bot.manage``, kept for make and scripts: the command is :mod:`bot.ops.manage`."""

import sys

from bot.ops.manage import main

if __name__ == "__main__":
    sys.exit(main())
