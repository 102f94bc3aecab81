"""The consultant console's business rules, in plain Python (no aiohttp).

bot/web/console/ holds the thin aiohttp handlers; these modules hold the queries and
decisions: users and sign-in (``users``), the conversation projection (``projection``),
the conversation list and transcripts (``conversations``, ``transcript``), the training-data
inbox (``inbox``), analytics (``analytics``) and the audit trail (``audit``). Candidate
export, erasure and the retention purge are in :mod:`bot.privacy`.
"""
