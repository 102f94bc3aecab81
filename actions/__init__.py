"""Rasa SDK actions: thin adapters from the tracker to bot/."""

from bot.ops.preload import load_reference_data

# The action server imports this package once, when it starts (bot.ops.preload).
load_reference_data()
