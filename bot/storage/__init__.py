"""The project's own tables (SQLAlchemy 1.4): sessions, bookings, vacancies, console data.

Rasa's tracker store lives in the same database (``DATABASE_URL``) but is Rasa's: these
modules never write to its ``events`` table, except the privacy tools that erase one
candidate.
"""
