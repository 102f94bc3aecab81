"""Keys of what a console request and the application carry."""

from __future__ import annotations

from aiohttp import web

from bot.training.job import TrainingJob

# Set on a request by the authentication middleware: the signed-in bot.console.users.User.
USER = "console_user"
LANGUAGE = "console_language"
# The background training the Models page starts (bot.web.console.model_views).
MODEL_TRAINING = web.AppKey("model_training", TrainingJob)
