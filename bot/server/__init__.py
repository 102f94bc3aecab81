"""Adapters that run inside the Rasa server process (start-up fixes, tracker store).

Like bot/nlu and bot/channels, this package may import Rasa; the business code may not.
"""
