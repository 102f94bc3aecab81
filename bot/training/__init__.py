"""The NLU training data (data/nlu_fr, data/nlu_nl) read without Rasa: :mod:`~bot.training.data`."""
