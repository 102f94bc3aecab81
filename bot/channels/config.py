"""Which channels of the credentials.yml template are switched on by the environment.

No Rasa import: the launcher uses it before any Rasa process starts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

# ${NAME} (required) or ${NAME:-default} (optional), as a whole value.
_REFERENCE = re.compile(r"^\$\{(?P<name>[A-Z][A-Z0-9_]*)(?::-(?P<default>[^}]*))?\}$")


class ChannelConfigError(ValueError):
    """A channel is half configured: some of its required variables are missing."""


def _references(credentials: Mapping[str, Any]) -> dict[str, tuple[str, str | None]]:
    found = {}
    for key, value in credentials.items():
        match = _REFERENCE.match(value) if isinstance(value, str) else None
        if match:
            found[key] = (match["name"], match["default"])
    return found


def _resolve(credentials: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The channel's credentials to write, ``None`` when it is off.

    Raises:
        ChannelConfigError: when some but not all required variables are set.
    """
    references = _references(credentials)
    required = [name for name, default in references.values() if default is None]
    missing = [name for name in required if not environ.get(name)]
    if required and len(missing) == len(required):
        return None
    if missing:
        raise ChannelConfigError(f"set {', '.join(missing)} too, or unset the others")
    resolved = dict(credentials)
    for key, (name, default) in references.items():
        if default is not None:
            # Optional settings (API URLs) are not secrets: written as their values.
            resolved[key] = environ.get(name) or default
    return resolved


def enabled_channels(template: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    """The channels of ``template`` that the environment switches on, ready to write."""
    channels = yaml.safe_load(template.read_text()) or {}
    enabled: dict[str, Any] = {}
    for channel, credentials in channels.items():
        if not isinstance(credentials, dict):
            enabled[channel] = credentials  # rest: no settings
            continue
        try:
            resolved = _resolve(credentials, environ)
        except ChannelConfigError as exc:
            raise ChannelConfigError(f"channel {channel.rsplit('.', 1)[-1]}: {exc}") from None
        if resolved is not None:
            enabled[channel] = resolved
    return enabled


REST = "bot.channels.rest.RestInput"


def write_credentials(
    template: Path, target: Path, environ: Mapping[str, str], rest: bool = True
) -> list[str]:
    """Write the enabled channels to ``target``; returns their names. ``rest=False``
    leaves the REST webhook out (production mode without ``BOT_REST_SECRET``)."""
    enabled = enabled_channels(template, environ)
    if not rest:
        enabled.pop(REST, None)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(enabled, sort_keys=False))
    return [name.rsplit(".", 1)[-1].removesuffix("Input").lower() for name in enabled]
