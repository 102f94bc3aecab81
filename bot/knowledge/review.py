"""Keeping the answers correct: when each knowledge file is due for review, and the report.

Every knowledge file says who reviewed it and when (``reviewed``, ``reviewed_by``) and whether
the employment services' experts have reviewed it yet (``expert_review``). A volatile topic
(amounts, rates, phone numbers, reform dates, personal answers) is due again six months after
its review, the others after twelve. A review date in the future is an error: nobody can have
reviewed a file tomorrow.

``python -m bot.knowledge.review`` (``make knowledge-report``) prints the topics due for review
with their official sources; ``--all`` prints every topic with its next due date.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.knowledge.answers import Topic, topics

VOLATILE_MONTHS = 6
STABLE_MONTHS = 12


@dataclass(frozen=True)
class Due:
    """One topic and the day its next review is due."""

    topic: Topic
    due: dt.date

    def is_due(self, today: dt.date) -> bool:
        return self.due <= today


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def due_date(topic: Topic) -> dt.date:
    """The day ``topic`` must be reviewed again."""
    return add_months(topic.reviewed, VOLATILE_MONTHS if topic.volatile else STABLE_MONTHS)


def problems(topic: Topic, today: dt.date) -> list[str]:
    """What is wrong with a topic's review metadata on ``today`` (empty when nothing)."""
    found = []
    if topic.reviewed > today:
        found.append(f"{topic.name}: reviewed {topic.reviewed.isoformat()} is in the future")
    if topic.checked > today:
        found.append(f"{topic.name}: checked {topic.checked.isoformat()} is in the future")
    return found


def schedule(all_topics: Iterable[Topic] | None = None) -> list[Due]:
    """Every topic with its due date, the soonest first."""
    chosen = list(topics().values()) if all_topics is None else list(all_topics)
    return sorted((Due(t, due_date(t)) for t in chosen), key=lambda d: (d.due, d.topic.name))


def report(
    today: dt.date, show_all: bool = False, all_topics: Iterable[Topic] | None = None
) -> str:
    """The plain-text report: topics due for review (or all), with their sources."""
    rows = schedule(all_topics)
    shown = rows if show_all else [row for row in rows if row.is_due(today)]
    due_count = sum(row.is_due(today) for row in rows)
    lines = [
        f"Knowledge review on {today.isoformat()}: {due_count} of {len(rows)} topics due "
        f"(volatile every {VOLATILE_MONTHS} months, others every {STABLE_MONTHS})."
    ]
    if not shown and rows:
        nxt = rows[0]
        lines.append(f"Next due: {nxt.topic.name} on {nxt.due.isoformat()}.")
    for row in shown:
        topic = row.topic
        state = "DUE" if row.is_due(today) else "ok"
        lines.append("")
        lines.append(
            f"[{state}] {topic.name}: due {row.due.isoformat()}"
            f"{' (volatile)' if topic.volatile else ''}; reviewed {topic.reviewed.isoformat()}"
            f" by {topic.reviewed_by}; facts as of {topic.checked.isoformat()}"
        )
        lines.append(f"  expert review: {topic.expert_review}")
        for key, urls in topic.sources.items():
            pages = dict.fromkeys(urls[language] for language in sorted(urls))
            lines.append(f"  {key}: {' · '.join(pages)}")
    for topic in (row.topic for row in rows):
        lines.extend(f"ERROR {problem}" for problem in problems(topic, today))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.knowledge.review", description="Knowledge files due for review."
    )
    parser.add_argument("--all", action="store_true", help="list every topic, due or not")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
    args = parser.parse_args(argv)
    today = args.today or dt.date.today()
    print(report(today, show_all=args.all))
    return 1 if any(problems(t, today) for t in topics().values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
