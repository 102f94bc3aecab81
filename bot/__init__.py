"""Cross-border job guidance assistant.

Business logic lives here with no Rasa import; only bot/nlu and bot/channels adapt to Rasa.
"""
