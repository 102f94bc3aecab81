"""Command lines of the Rasa servers, read as Rasa's own argument parser reads them."""

from __future__ import annotations

import argparse


def rasa_arguments(command: list[str]) -> argparse.Namespace:
    """``command`` (``python -m bot.server run ...``) as ``rasa run`` parses it."""
    from rasa.__main__ import create_argument_parser

    return create_argument_parser().parse_args(command[command.index("run") :])
