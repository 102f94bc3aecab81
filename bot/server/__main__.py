"""``python -m bot.server run ...``: Rasa's own command line, with bot.server.patches applied.

With ``--enable-api``, the API token comes from ``RASA_API_TOKEN`` in the environment
(readable by the process's owner only) instead of ``--auth-token`` on the command line,
which ``ps`` shows to every user of the machine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from bot.server import patches

TOKEN_ENV = "RASA_API_TOKEN"


def with_api_token(argv: list[str], environ: Mapping[str, str]) -> list[str]:
    """``argv`` with ``--auth-token`` from the environment when the API is enabled.

    Only this process's ``sys.argv`` changes: the command line the system shows keeps no
    token.
    """
    token = environ.get(TOKEN_ENV)
    if "--enable-api" not in argv or not token or any(a.startswith("--auth-token") for a in argv):
        return argv
    return [*argv, f"--auth-token={token}"]  # one word: a token may start with "-"


def main() -> None:
    patches.apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = with_api_token(sys.argv, os.environ)
    rasa_main()


if __name__ == "__main__":
    main()
