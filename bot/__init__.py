"""Cross-border job guidance assistant: business logic, with no Rasa import outside bot/nlu and bot/channels."""
