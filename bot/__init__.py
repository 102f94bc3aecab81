"""Cross-border job guidance assistant.

Business logic lives here with no Rasa import; only bot/nlu, bot/channels and bot/server
(inside the Rasa process) adapt to Rasa.
"""
