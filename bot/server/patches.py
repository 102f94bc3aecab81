"""Small, documented fixes applied to Rasa 3.6.21 before the server starts.

Each fix keeps Rasa's behaviour and only removes a cost or a gap found by measurement; each
has a test in tests/unit/test_server_patches.py that fails if the patched code changes.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

logger = logging.getLogger(__name__)


@cache
def _action_response_validator() -> Any:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the response schema compiled once.

    ``jsonschema.validate`` checks the (large) schema against its meta-schema on every call:
    profiling showed a quarter of the server's time per message in it, on every custom
    action. The instance is validated against the same schema, with the same error.
    """
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    # What jsonschema.validate raises: the most relevant of the errors.
    error = best_match(_action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def apply() -> None:
    """Apply every fix (idempotent)."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    logger.debug("Rasa start-up fixes applied")
