"""Rasa graph components: thin wrappers around bot.language."""
