"""Rasa graph components: thin wrappers around bot.language and bot.gazetteer."""
