"""Console rules that need no database: transcripts, masking, filters, export lines."""

from __future__ import annotations

import datetime as dt
import itertools

from bot.console import inbox, transcript
from bot.console.conversations import ConversationFilter, normalise_tag
from bot.console.intents import intent_choices
from bot.storage.rasa_events import StoredEvent
from tests.console_factories import action, bot, greeting, slot, user

_ids = itertools.count(1)


def _events(*dicts: dict) -> list[StoredEvent]:
    return [StoredEvent(next(_ids), "s1", d["event"], d["timestamp"], d) for d in dicts]


BOOKING = _events(
    *greeting(),
    user("Marie Dubois", "inform", 0.9),
    slot("candidate_name", "Marie Dubois"),
    user("marie.dubois@example.org", "inform", 0.9),
    slot("candidate_email", "marie.dubois@example.org"),
    user("mon gsm c'est le 0470 12 34 56", "inform", 0.9),
    slot("candidate_phone", "+32470123456"),
    bot("Merci Marie Dubois, c'est noté.", "utter_booking_confirmed"),
)


def test_transcript_masks_emails_phones_and_names_typed_into_forms() -> None:
    built = transcript.build(BOOKING)
    texts = " ".join(e.text + e.value for e in built.entries)
    assert "Marie" not in texts and "Dubois" not in texts
    assert "example.org" not in texts and "0470" not in texts and "+32470" not in texts
    assert built.has_personal_data


def test_transcript_masks_the_callback_forms_answers_and_its_remembered_typo() -> None:
    built = transcript.build(
        _events(
            *greeting(),
            slot("callback_name", "Lotte Verhaeghe"),
            slot("callback_phone", "+3256123456"),
            slot("callback_email_typo", "lotte.verhaeghe@telenet.bee"),
            slot("callback_email", "lotte.verhaeghe@telenet.be"),
        )
    )
    values = " ".join(e.text + e.value for e in built.entries)
    assert "Lotte" not in values and "telenet" not in values and "123456" not in values
    assert all(e.masked for e in built.entries if e.name.startswith("callback_"))


def test_revealed_transcript_shows_what_the_candidate_typed() -> None:
    built = transcript.build(BOOKING, reveal=True)
    texts = [e.text for e in built.entries if e.kind == "user"]
    assert "Marie Dubois" in texts and "marie.dubois@example.org" in texts


def test_transcript_shows_what_the_model_understood() -> None:
    events = _events(
        user(
            "les impôts ?",
            "faq",
            0.71,
            "fr",
            0.88,
            faq="taxes",
            entities=[{"entity": "location", "value": "be-kortrijk"}],
        ),
        action("action_answer_faq"),
        bot("Réponse", "utter_faq", buttons=["Autre question"]),
    )
    entries = transcript.build(events).entries
    assert [e.kind for e in entries] == ["user", "action", "bot"]
    first = entries[0]
    assert (first.intent, first.confidence, first.language) == ("faq/taxes", 0.71, "fr")
    assert [(x.entity, x.value) for x in first.entities] == [("location", "be-kortrijk")]
    assert entries[2].buttons == ("Autre question",)


def test_a_bot_message_says_its_language() -> None:
    answer = bot("Dag!", "utter_greet")
    answer["metadata"]["condition"] = [{"type": "slot", "name": "language", "value": "nl"}]
    said = bot("Voici", "action_search_vacancies")
    said["metadata"]["language"] = "fr"
    entries = transcript.build(_events(answer, said, bot("Bonjour, ici Marie."))).entries
    assert [e.language for e in entries] == ["nl", "fr", None]  # a consultant's: unknown


def test_message_followed_by_a_fallback_action_is_flagged() -> None:
    entries = transcript.build(_events(user("hmm", "help", 0.9), action("action_default_fallback")))
    assert entries.entries[0].fallback


def test_export_lines_are_masked_and_carry_no_annotations_or_line_breaks() -> None:
    line = inbox.clean_example("écrivez-moi à jo@example.org\nou au 06 12 34 56 78 [Lille](x)")
    assert "example.org" not in line and "06 12" not in line
    assert "\n" not in line and "[" not in line and "]" not in line


def test_filter_reads_a_query_string_and_ignores_what_it_does_not_understand() -> None:
    chosen = ConversationFilter.from_query(
        {
            "language": "nl",
            "from": "2026-11-01",
            "to": "not a date",
            "fallback": "yes",
            "booking": "maybe",
            "tag": "  À Revoir!! ",
            "page": "-3",
            "q": " taxes ",
        }
    )
    assert chosen.language == "nl" and chosen.date_from == dt.date(2026, 11, 1)
    assert chosen.date_to is None and chosen.fallback is True and chosen.booking is None
    assert chosen.tag == "à revoir" and chosen.page == 1 and chosen.search == "taxes"
    again = ConversationFilter.from_query(chosen.query(page=2))
    assert again == ConversationFilter(**{**chosen.__dict__, "page": 2})


def test_tags_are_normalised() -> None:
    assert normalise_tag("  Suivi   <b>URGENT</b> ") == "suivi b urgent b"
    assert len(normalise_tag("x" * 100)) == 40


def test_intent_choices_expand_retrieval_intents_into_topics() -> None:
    choices = intent_choices()
    assert "faq/taxes" in choices and "faq" not in choices
    assert "greet" in choices and "other_language" not in choices


def test_console_rules_import_no_aiohttp_at_all() -> None:
    import ast
    from pathlib import Path

    bot_dir = Path(__file__).resolve().parents[2] / "bot"
    paths = [*(bot_dir / "console").glob("*.py"), bot_dir / "privacy.py"]
    offenders = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
            if any(
                name.split(".")[0] in {"aiohttp", "aiohttp_jinja2", "aiohttp_session"}
                for name in names
            ):
                offenders.append(path.name)
    assert offenders == []


def test_every_audit_action_has_a_label_in_both_languages() -> None:
    from bot.console.audit import ACTIONS
    from bot.messages import has_text

    for action_name in ACTIONS:
        for language in ("fr", "nl"):
            assert has_text(language, f"console.audit.actions.{action_name}"), action_name


def test_bot_messages_keep_public_phone_numbers_but_not_the_candidates() -> None:
    events = _events(
        slot("candidate_phone", "0470 12 34 56"),
        bot("Le Forem : 0800 93 947. Nous vous appellerons au 0470 12 34 56."),
    )
    text = transcript.build(events).entries[-1].text
    assert "0800 93 947" in text and "0470" not in text


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    from bot.console.session_admin import _cell

    assert _cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _cell("@SUM(A1)") == "'@SUM(A1)" and _cell("-2+3") == "'-2+3"
    assert _cell("+32470123456") == "+32470123456" and _cell("Jan") == "Jan"
