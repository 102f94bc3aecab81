"""What starts and supervises the processes: ``make run`` (:mod:`~bot.ops.cli`), production mode
(:mod:`~bot.ops.production`, its settings in :mod:`~bot.ops.production_config`), the event
consumer's process (:mod:`~bot.ops.events`), the ``python -m bot.manage`` commands
(:mod:`~bot.ops.manage`), the database prepared for a first start (:mod:`~bot.ops.demo`), the
reference data loaded at start (:mod:`~bot.ops.preload`) and Rasa's tracker store settings
(:mod:`~bot.ops.tracker_store`).
"""
