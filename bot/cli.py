"""``python -m bot.cli``, kept for make and scripts: the command is :mod:`bot.ops.cli`."""

import sys

from bot.ops.cli import main

if __name__ == "__main__":
    sys.exit(main())
