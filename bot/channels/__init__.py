"""Messaging channels: Rasa 3.6's Telegram, Facebook and Twilio channels, made safe.

Each input channel here subclasses Rasa's own and adds what it lacks: the platform's
signature or secret is checked before anything reaches the bot, a redelivered update is
processed once, the webhook is answered at once (the bot works in the background), and
buttons become numbered choices where the platform has none. The checks are plain
functions in :mod:`bot.channels.signatures` and :mod:`bot.channels.choices`.
"""
