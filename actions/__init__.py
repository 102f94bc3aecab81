"""Rasa SDK actions: thin adapters from the tracker to bot/."""

from bot.preload import load_reference_data

# The action server imports this package once, when it starts (bot.preload).
load_reference_data()
